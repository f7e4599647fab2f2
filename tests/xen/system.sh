#!/bin/sh
# The Xen system test (make test-xen),
# run in dom0 by tests/xen/boot.sh: two qubes made with the qvm-* tools
# run as real PV domains; qrexec calls between them over real vchans under
# dom0's policy (allow, deny, a forged dom0 request whose capability the
# target's daemon refuses); the audit log verifies; they shut down.
# Needs /bhtest/fake-agent (build/tests/fake-agent) for the forged request.
. /bhtest/lib.sh
LOGS=/var/log/bulkhead

check_out backend_xen xen qubes-prefs backend || {
	show "$LOGS/bulkheadd.log"
	exit 1
}
# work: 160 MiB allocated, 256 its ceiling; personal: maxmem 0, so 160 is
# both.  qrexec_timeout: a first boot under a loaded QEMU can take longer
# than the default 60 s; two values, to see each reach its own daemon.
check create_work qvm-create --label blue --property memory=160 --property maxmem=256 --property vcpus=1 \
	--property qrexec_timeout=900 work
check create_personal qvm-create --label green --property memory=160 --property maxmem=0 --property vcpus=1 \
	--property qrexec_timeout=1200 personal
check_out created personal qvm-ls --raw-list
logs() {
	show "$LOGS/bulkheadd.log" "$LOGS"/qrexec*.log "$LOGS/capd.log" "$LOGS"/qubes/*.log \
		/var/log/xen/console/guest-*.log /var/log/messages
	# Processes killed by a seccomp filter or a fault (kernel messages
	# below the console's level).
	dmesg | grep -iE 'audit|segfault|killed|I/O error' | tail -n 20
	xenstore-ls -p /local/domain/0/data
}
# Nothing after this can pass without running qubes: stop here.
BHTEST_LIMIT=240 check start qvm-start work personal || { logs; exit 1; }
# Real PV domains, with Xen's ids, running.
xl list >/bhtest/xl-list.out 2>&1
if grep -q '^work ' /bhtest/xl-list.out && grep -q '^personal ' /bhtest/xl-list.out; then
	pass pv_domains
else
	fail pv_domains "$(tr '\n' ' ' </bhtest/xl-list.out)"
fi
# memory is what a domain gets, maxmem its ceiling: libxl's target_memkb
# and max_memkb, which it writes to xenstore as memory/target and
# memory/static-max; xl list's Mem column is what the domain holds.
mem_of() { xenstore-read "/local/domain/$(xl domid "$1" 2>/dev/null)/memory/$2" 2>/dev/null; }
got="work $(mem_of work target)/$(mem_of work static-max)/$(awk '$1 == "work" { print $3 }' /bhtest/xl-list.out)"
got="$got personal $(mem_of personal target)/$(mem_of personal static-max)/$(awk '$1 == "personal" { print $3 }' /bhtest/xl-list.out)"
if [ "$got" = "work 163840/262144/160 personal 163840/163840/160" ]; then
	pass memory_maxmem
else
	fail memory_maxmem "target/static-max KiB/xl list MiB: wanted work 163840/262144/160 personal 163840/163840/160, got $got"
fi
# Each qube's qrexec-daemon waits its qube's qrexec_timeout for the agent.
daemons=$(for p in /proc/[0-9]*; do tr '\0' ' ' <"$p/cmdline" 2>/dev/null; echo; done | grep '^qrexec-daemon ')
if printf '%s\n' "$daemons" | grep -q '^qrexec-daemon [0-9]* work .*--timeout 900 ' &&
	printf '%s\n' "$daemons" | grep -q '^qrexec-daemon [0-9]* personal .*--timeout 1200 '; then
	pass qrexec_timeout
else
	fail qrexec_timeout "wanted --timeout 900 (work) and 1200 (personal): $(printf '%s\n' "$daemons" | tr '\n' ' ')"
fi
# A start returns once the domain runs, or after the monitor's 10 s wait
# for qrexec; under QEMU a boot takes longer: wait until each qube's
# qrexec-daemon logs its agent's HELLO, bounded.  (Not with calls: one
# killed at a deadline leaves its channel's port taken and its names in
# xenstore, and on a host loaded enough to starve QEMU that cascaded.)
# 300 s for both (a loaded host slows QEMU several times over), then the
# checks below say what does not work.
end=$(($(cut -d. -f1 /proc/uptime) + 300))
for q in work personal; do
	until grep -q "agent connected" "$LOGS/qrexec.$q.log" 2>/dev/null ||
		[ "$(cut -d. -f1 /proc/uptime)" -ge "$end" ]; do
		sleep 1
	done
done
# dom0 -> qube over a vchan: the agent answers, the name comes from xenstore.
# Every qrexec check below needs this one: stop at its failure, with logs.
check_is run_hostname work qvm-run --no-autostart --pass-io work hostname || { logs; exit 1; }
# A qube (as root: /dev/xen/xenbus is root's) reads its own configuration in
# xenstore, not another's.
pdom=$(xl domid personal 2>/dev/null)
check_is xenstore_own work qvm-run --no-autostart -u root -p work 'xenstore-read bulkhead/name'
# (The refusal must come from xenstore inside work, not from qvm-run.)
# (Its error message goes: stdout and stderr come back as two streams,
# and their interleaving here would vary.)
timeout 60 qvm-run --no-autostart -u root -p work "xenstore-read /local/domain/$pdom/bulkhead/name 2>/dev/null; echo status=\$?" >/bhtest/xs-other.out 2>&1
if [ -n "$pdom" ] && grep -q '^status=[1-9]' /bhtest/xs-other.out && ! grep -q '^personal' /bhtest/xs-other.out; then
	pass xenstore_other
else
	fail xenstore_other "domain '$pdom': $(tr '\n' ' ' </bhtest/xs-other.out)"
fi

mkdir -p /etc/qubes/policy.d
cat >/etc/qubes/policy.d/30-xen-test.policy <<'POLICY'
# service       arg  source     target     action
test.Greet      *    work       personal   allow
test.Secret     *    work       personal   deny
POLICY
# The services, in personal's private volume (/usr/local), by dom0 -> qube
# calls with their input piped through.
for svc in test.Greet test.Secret; do
	printf '#!/bin/sh\necho "hello $QREXEC_REMOTE_DOMAIN, this is $(hostname)"\n' |
		check "install_$svc" qvm-run --no-autostart -p -u root personal \
			"d=/usr/local/etc/qubes-rpc; mkdir -p \$d && cat > \$d/$svc && chmod +x \$d/$svc"
done
# qube -> qube: the caller's and the target's data channels are vchans.
# (dom0's logs on failure: a call that once hung now and then on a starved
# QEMU, a lost vchan event, SPEC/xen-system.md.)
check_is call_allowed "hello work, this is personal" qvm-run --no-autostart -p work 'qrexec-client-vm personal test.Greet' ||
	logs
timeout 60 qvm-run --no-autostart -p work 'qrexec-client-vm personal test.Secret' >/bhtest/deny.out 2>&1
rc=$?
if [ "$rc" -eq 126 ] && ! grep -q hello /bhtest/deny.out; then
	pass call_denied
else
	fail call_denied "status $rc (126 wanted): $(tr '\n' ' ' </bhtest/deny.out)"
fi
# A request to personal's daemon carrying no valid capability: refused
# there, nothing runs.
if timeout 30 /bhtest/fake-agent dom0-exec personal "root:touch /tmp/forged" >/bhtest/forged.out 2>&1; then
	fail cap_refused "personal's daemon ran a call without a capability"
elif ! timeout 60 qvm-run --no-autostart -p personal 'test -e /tmp/forged && echo ran || echo absent' >/bhtest/forged-look.out 2>&1 ||
	! grep -qx absent /bhtest/forged-look.out; then
	fail cap_refused "the forged call ran in personal, or personal could not be asked: $(tr '\n' ' ' </bhtest/forged-look.out)"
elif ! grep -q "capd refused the call's capability" "$LOGS/qrexec.personal.log"; then
	fail cap_refused "the refusal is not in $LOGS/qrexec.personal.log"
else
	pass cap_refused
fi
# The signed log verifies and holds the calls: the allowed one's policy
# decision and its capability redeemed by personal's daemon, the denied
# one's decision.  (The forged request above carries no well-formed
# capability: personal's daemon refuses it before asking capd, so it is
# in that daemon's log, checked above, not in capd's.)
check audit_verify bulkhead-audit verify
check_out audit_allow "verdict=allow" bulkhead-audit show --service test.Greet --event policy
check_out audit_redeem "target=personal" bulkhead-audit show --service test.Greet --event redeem
check_out audit_deny "verdict=deny" bulkhead-audit show --service test.Secret --event policy

BHTEST_LIMIT=180 check shutdown qvm-shutdown --wait --timeout 120 work personal
if xl list 2>/dev/null | grep -qE '^(work|personal) '; then
	fail domains_gone "$(xl list | tr '\n' ' ')"
else
	pass domains_gone
fi
failed && logs
exit 0
