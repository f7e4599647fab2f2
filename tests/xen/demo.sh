#!/bin/bash
# make demo-xen: the story of `make demo` (mk/demo.sh) on real Xen, run in
# dom0 by tests/xen/boot.sh -s (which shows this script's output).  Qubes
# are PV domains made by bulkheadd's Xen backend; their qrexec channels
# are Xen vchans.
. /bhtest/lib.sh
step() { printf '\n== %s\n' "$*"; }
run() {
	printf '$ %s\n' "$*"
	timeout "${BHTEST_LIMIT:-120}" "$@"
}
die() { echo "demo: $*"; fail demo "$*"; exit 1; }

step "dom0 is up: Xen's toolstack, and bulkheadd on the Xen backend"
run xl info | grep -E '^(xen_version|nr_cpus|total_memory|free_memory)'
run qubes-prefs backend || die "bulkheadd has no Xen backend"

step "Creating two qubes with labels"
run qvm-create --label blue --property memory=160 --property maxmem=0 --property vcpus=1 work || die "create"
run qvm-create --label green --property memory=160 --property maxmem=0 --property vcpus=1 personal || die "create"
run qvm-ls

step "Bad input is refused with a clear error and changes nothing"
run qvm-create --label pink oops
run qvm-prefs work memory 1000000
run qvm-ls --raw-list

step "Starting them: each is a Xen PV domain"
run qvm-start work personal || die "start"
run qvm-ls
run xl list

step "Each qube is its own kernel and its own name (through qvm-run, over a vchan)"
run qvm-run --pass-io work 'cat /etc/hostname'
for q in work personal; do
	printf '%-10s hostname: %-10s kernel: %s  processes: %s\n' "$q" "$(qvm-run -p "$q" hostname)" \
		"$(qvm-run -p "$q" 'uname -r')" "$(qvm-run -p "$q" 'ps -o comm' | sed 1d | sort -u | tr '\n' ' ')"
done
qvm-run -p work 'echo "work secrets" > /home/user/secret.txt'
echo "work wrote /home/user/secret.txt; personal's /home/user:"
qvm-run -p personal 'ls -la /home/user/' | sed 's/^/    /'
pdom=$(xl domid personal)
echo "work reads its own configuration in xenstore: $(qvm-run -p work 'xenstore-read bulkhead/name')"
echo "work tries personal's (domain $pdom):"
qvm-run -p work "xenstore-read /local/domain/$pdom/bulkhead/name"
echo "exit code $?"

step "qrexec: a qube calls a service in another qube, under dom0's policy"
mkdir -p /etc/qubes/policy.d
cat >/etc/qubes/policy.d/30-demo.policy <<'POLICY'
# service       arg  source     target     action
demo.Greet      *    work       personal   allow
demo.Secret     *    work       personal   deny
POLICY
sed 's/^/    /' /etc/qubes/policy.d/30-demo.policy
echo "installing demo.Greet and demo.Secret in personal (its /usr/local is on its private volume):"
for svc in demo.Greet demo.Secret; do
	printf '#!/bin/sh\necho "hello $QREXEC_REMOTE_DOMAIN, this is $(hostname)"\n' |
		qvm-run -p -u root personal "d=/usr/local/etc/qubes-rpc; mkdir -p \$d && cat > \$d/$svc && chmod +x \$d/$svc"
done
run qvm-run -p work 'qrexec-client-vm personal demo.Greet'
echo "work asks for demo.Secret:"
qvm-run -p work 'qrexec-client-vm personal demo.Secret'
echo "exit code $? (126: refused by policy)"
echo "dom0's log of the decisions:"
grep -E 'demo\.(Greet|Secret)' /var/log/bulkhead/qrexec-policyd.log | sed 's/^.*handle.c:[0-9]*: /    /'

step "Every allowed call carried a capability; capd's audit log proves it"
run bulkhead-audit show --service demo.Greet
run bulkhead-audit verify

step "Shutting down (a clean PV shutdown: the qube's init powers it off)"
run qvm-shutdown --wait --timeout 120 work personal || die "shutdown"
run qvm-ls
run xl list

step "Files in /home persist across a restart (the private volume)"
run qvm-start work || die "start"
echo "work's /home/user/secret.txt: $(qvm-run -p work 'cat /home/user/secret.txt')"
run qvm-kill work
echo
echo "demo finished"
pass demo
