#!/bin/bash
# make demo-xen: the story of `make demo` (mk/demo.sh), step for step, on
# real Xen, run in dom0 by tests/xen/boot.sh -s (which shows this script's
# output).  Qubes are PV domains made by bulkheadd's Xen backend; their
# qrexec channels are Xen vchans.  Where Xen does what the local backend
# does with namespaces and cgroups (isolation, limits), the demo shows
# Xen's side of it.  Under QEMU's emulation a qube takes 20-60 s to boot.
. /bhtest/lib.sh
LOGS=/var/log/bulkhead
CALL_LIMIT=60     # s: a qrexec call that has not finished by then hangs

step() {
	[ ! -e /bhtest/.hung ] || die "dom0->qube calls hung ($(head -n 1 /bhtest/.hung)): not reliable yet with several Xen qubes (SPEC/xen-system.md 'Status')"
	printf '\n\033[1m== %s\033[0m\n' "$*"
}
# Shows the command as one would type it (single quotes where needed).
run() {
	local a line='$'
	for a in "$@"; do
		case $a in
		*[[:space:]\"\'\$\\\&\|\;\<\>\(\)\*]*) line+=" '${a//\'/\'\\\'\'}'" ;;
		*) line+=" $a" ;;
		esac
	done
	printf '%s\n' "$line"
	timeout "${BHTEST_LIMIT:-120}" "$@"
	local rc=$?
	[ "$rc" -ne 124 ] || echo "(no answer within ${BHTEST_LIMIT:-120} s)"
	return "$rc"
}
die() {
	echo "demo: $*"
	show "$LOGS/bulkheadd.log" "$LOGS"/qrexec*.log /var/log/xen/console/guest-*.log
	fail demo "$*"
	exit 1
}
uptime_s() { cut -d. -f1 /proc/uptime; }
# A started qube answers qrexec once its kernel has booted and its agent
# reached dom0's qrexec-daemon ("agent connected" in the daemon's log).
wait_agents() {
	local q end=$(($(uptime_s) + 300))
	printf 'waiting for qrexec in'
	for q in "$@"; do
		until timeout 30 qvm-run --no-autostart -p "$q" true >/dev/null 2>&1; do
			[ "$(uptime_s)" -lt "$end" ] || { echo; die "$q's qrexec agent did not answer within 300 s"; }
			sleep 2
		done
		printf ' %s' "$q"
	done
	printf ': ready\n'
}
# qrun ARGS...: qvm-run into a running qube, bounded.  A dom0->qube call
# that hangs is said at once and ends the demo at the next step, with the
# logs: the rest of the story needs those calls.
qrun() {
	local rc
	[ ! -e /bhtest/.hung ] || return 124
	timeout "$CALL_LIMIT" qvm-run --no-autostart "$@"
	rc=$?
	if [ "$rc" -eq 124 ]; then
		echo "(qvm-run $*: no answer within ${CALL_LIMIT} s)" >&2
		echo "qvm-run $*" >>/bhtest/.hung
	fi
	return "$rc"
}
# q2q CALLER CMD: a call from a qube, bounded; says so if it hangs.
q2q() {
	timeout "$CALL_LIMIT" qvm-run --no-autostart -p "$1" "$2"
	local rc=$?
	if [ "$rc" -eq 124 ]; then
		echo "(no answer within ${CALL_LIMIT} s: a qube-to-qube call on real Xen in QEMU still hangs at"
		echo " times, an open bug: SPEC/xen-system.md 'Status')"
		q2q_hung=1
	fi
	return "$rc"
}
q2q_hung=0

# The kernel's own warnings stay in dmesg, out of the story.
dmesg -n 1
step "dom0 is up: Xen's toolstack, and bulkheadd on the Xen backend"
xl info | grep -E '^(xen_version|nr_cpus|total_memory|free_memory)'
run qubes-prefs backend || die "bulkheadd has no Xen backend"
echo "bulkheadd is up: a sandboxed registry process and a privileged VMM monitor (libxl)"

step "Creating three qubes with labels"
# Memory in MiB: dom0 has 512 of the machine's 1536.
# qrexec_timeout: a first boot under a loaded QEMU can take more than 60 s.
run qvm-create --label blue --property memory=160 --property maxmem=0 --property vcpus=1 work || die "create"
run qvm-create --label green --property memory=160 --property maxmem=0 --property vcpus=1 personal || die "create"
run qvm-create --label red --property memory=200 --property maxmem=300 --property vcpus=1 untrusted || die "create"
for q in work personal untrusted; do
	run qvm-prefs "$q" qrexec_timeout 900 || die "qvm-prefs"
done
run qvm-ls

step "Bad input is refused with a clear error and changes nothing"
run qvm-create --label pink oops
run qvm-create --label red "bad name"
run qvm-prefs work memory 1000000
run qvm-remove -f host-base
run qvm-ls --raw-list

step "Starting them: each is a Xen PV domain"
BHTEST_LIMIT=300 run qvm-start work personal untrusted || die "start"
wait_agents work personal untrusted
run qvm-ls
run xl list

step "Each qube sees only its own hostname, kernel, processes and files (through qvm-run, over a vchan)"
run qvm-run --pass-io work 'cat /etc/hostname'
for q in work personal untrusted; do
	# Processes with a command line: the kernel's threads left out.
	printf '%-10s hostname: %-10s processes: %s\n' "$q" "$(qrun -p "$q" hostname)" \
		"$(qrun -p "$q" 'for p in /proc/[0-9]*; do [ -n "$(tr -d "\0" <$p/cmdline 2>/dev/null)" ] && cat $p/comm; done 2>/dev/null | sort -u | tr "\n" " "')"
done
qrun -p work 'echo "work secrets" > /home/user/secret.txt'
echo "work wrote /home/user/secret.txt; personal's /home/user:"
qrun -p personal 'ls -la /home/user/' | sed 's/^/    /'
echo "network interfaces in untrusted: $(qrun -p untrusted "awk -F: 'NR > 2 {print \$1}' /proc/net/dev" | tr -d ' ' | tr '\n' ' ')"

step "Root in a qube is root of its own domain only: Xen keeps the domains apart"
for q in work personal untrusted; do
	printf '%-10s Xen domain %-3s kernel %s\n' "$q" "$(xl domid "$q")" "$(qrun -p "$q" 'uname -r')"
done
pdom=$(xl domid personal)
echo "work's root reads its own configuration in xenstore: $(qrun -p -u root work 'xenstore-read bulkhead/name')"
echo "work's root tries personal's (domain $pdom):"
qrun -p -u root work "xenstore-read /local/domain/$pdom/bulkhead/name" 2>&1 | sed 's/^/    /'
echo "exit code ${PIPESTATUS[0]} (xenstored refused)"

step "Limits from properties, enforced by Xen (memory, its ceiling maxmem, and vcpus of each domain)"
for q in work untrusted; do
	printf '%-10s qvm-prefs memory %4s maxmem %4s MiB vcpus %s   xl list: %s, max %s MiB\n' "$q" \
		"$(qvm-prefs "$q" memory)" "$(qvm-prefs "$q" maxmem)" "$(qvm-prefs "$q" vcpus)" \
		"$(xl list "$q" | awk 'NR == 2 { printf "Mem %s MiB, VCPUs %s", $3, $4 }')" \
		"$(( $(xenstore-read "/local/domain/$(xl domid "$q")/memory/static-max") / 1024 ))"
done

step "qrexec: a qube calls a service in another qube, under dom0's policy"
mkdir -p /etc/qubes/policy.d
cat >/etc/qubes/policy.d/30-demo.policy <<'POLICY'
# service       arg  source     target     action
demo.Greet      *    work       personal   allow
demo.Greet      *    untrusted  @anyvm     deny
POLICY
sed 's/^/    /' /etc/qubes/policy.d/30-demo.policy
echo "installing the service demo.Greet in personal (its /usr/local persists):"
printf '#!/bin/sh\necho "hello $QREXEC_REMOTE_DOMAIN, this is $(hostname)"\n' |
	run qvm-run --no-autostart -p -u root personal 'd=/usr/local/etc/qubes-rpc; mkdir -p $d && cat > $d/demo.Greet && chmod +x $d/demo.Greet'
printf '$ %s\n' "qvm-run -p work 'qrexec-client-vm personal demo.Greet'"
q2q work 'qrexec-client-vm personal demo.Greet'
echo "untrusted tries the same:"
q2q untrusted 'qrexec-client-vm personal demo.Greet'
echo "exit code $? (126: refused by policy)"
echo "dom0's log of the decisions:"
grep -E 'demo.Greet' "$LOGS/qrexec-policyd.log" | sed 's/^.*handle.c:[0-9]*: /    /'

step "Every allowed call carried a capability; capd's audit log proves it"
echo "(policyd asked capd to mint one; personal's qrexec-daemon redeemed it before running anything)"
run bulkhead-audit show --service demo.Greet
run bulkhead-audit verify

step "Shutting down (a clean PV shutdown: each qube's init powers it off)"
BHTEST_LIMIT=200 run qvm-shutdown --wait --timeout 180 work personal untrusted || die "shutdown"
run qvm-ls
run xl list

step "Files in /home persist across a restart (the private volume)"
BHTEST_LIMIT=300 run qvm-start work || die "start"
wait_agents work
echo "work's /home/user/secret.txt: $(qrun -p work 'cat /home/user/secret.txt')"
run qvm-kill work

step "Cleaning up"
echo "dom0 powers the machine off when this script ends"
echo
if [ "$q2q_hung" = 1 ]; then
	echo "demo finished, except a qube-to-qube call, which hung (open bug on real Xen in QEMU)"
	fail demo "qube-to-qube calls hung"
else
	echo "demo finished"
	pass demo
fi
