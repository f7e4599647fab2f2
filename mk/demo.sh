#!/usr/bin/env bash
# make demo: the dom0 core on the local backend, step by step, in a scratch
# BULKHEAD_ROOT that is removed at the end.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BULKHEAD_BUILD:-$top/build}/bin
export PATH="$BIN:$PATH"
export BULKHEAD_ROOT=$(mktemp -d /tmp/bulkhead-demo.XXXXXX)
daemon=

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
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
	"$@"
}
cleanup() {
	if [ -n "$daemon" ]; then
		kill -TERM "$daemon" 2>/dev/null
		wait "$daemon" 2>/dev/null
	fi
	umount -R -l "$BULKHEAD_ROOT"/* 2>/dev/null
	rm -rf "$BULKHEAD_ROOT"
}
trap cleanup EXIT
die() { echo "demo: $*" >&2; exit 1; }
step "Starting bulkheadd (local backend) in $BULKHEAD_ROOT"
bulkheadd >"$BULKHEAD_ROOT/bulkheadd.log" 2>&1 &
daemon=$!
for _ in $(seq 1 100); do qvm-ls >/dev/null 2>&1 && break; sleep 0.05; done
qvm-ls >/dev/null 2>&1 || { cat "$BULKHEAD_ROOT/bulkheadd.log"; die "bulkheadd did not start"; }
echo "bulkheadd is up: a sandboxed registry process and a privileged VMM monitor"

step "Creating three qubes with labels"
run qvm-create --label blue work || die "create"
run qvm-create --label green personal || die "create"
run qvm-create --label red --property memory=256 --property maxmem=0 untrusted || die "create"
run qvm-ls

step "Bad input is refused with a clear error and changes nothing"
run qvm-create --label pink oops
run qvm-create --label red "bad name"
run qvm-prefs work memory 1000000
run qvm-remove -f host-base
run qvm-ls --raw-list

step "Starting them"
run qvm-start work personal untrusted || die "start"
run qvm-ls

step "Each qube sees only its own hostname, processes and files (through qvm-run)"
run qvm-run --pass-io work 'cat /etc/hostname'
for q in work personal untrusted; do
	printf '%-10s hostname: %-10s processes: %s\n' "$q" "$(qvm-run -p "$q" hostname)" \
		"$(qvm-run -p "$q" 'ps -e -o comm=' | sort | tr '\n' ' ')"
done
qvm-run -p work 'echo "work secrets" > /home/user/secret.txt'
echo "work wrote /home/user/secret.txt; personal's /home/user:"
qvm-run -p personal 'ls -la /home/user/' | sed 's/^/    /'
echo "network interfaces in untrusted: $(qvm-run -p untrusted "awk -F: 'NR > 2 {print \$1}' /proc/net/dev" | tr -d ' ' | tr '\n' ' ')"

step "Root in a qube is an unprivileged, per-qube uid on the host"
for q in work personal untrusted; do
	pid=$(cat "$BULKHEAD_ROOT/run/bulkhead/qubes/$q.pid")
	printf '%-10s init pid %-7s host uid %s\n' "$q" "$pid" "$(awk '/^Uid:/ {print $2}' /proc/$pid/status)"
done

step "Limits from properties, enforced by cgroups (untrusted: memory=256, maxmem=0)"
for q in work untrusted; do
	pid=$(cat "$BULKHEAD_ROOT/run/bulkhead/qubes/$q.pid")
	mem=$(awk -F: '$2 == "memory" {print $3}' /proc/$pid/cgroup)
	pids=$(awk -F: '$2 == "pids" {print $3}' /proc/$pid/cgroup)
	printf '%-10s memory limit %5d MiB   pids.max %s\n' "$q" \
		$(( $(cat /sys/fs/cgroup/memory$mem/memory.limit_in_bytes) / 1048576 )) \
		"$(cat /sys/fs/cgroup/pids$pids/pids.max)"
done

step "qrexec: a qube calls a service in another qube, under dom0's policy"
mkdir -p "$BULKHEAD_ROOT/etc/qubes/policy.d"
cat >"$BULKHEAD_ROOT/etc/qubes/policy.d/30-demo.policy" <<'POLICY'
# service       arg  source     target     action
demo.Greet      *    work       personal   allow
demo.Greet      *    untrusted  @anyvm     deny
POLICY
sed 's/^/    /' "$BULKHEAD_ROOT/etc/qubes/policy.d/30-demo.policy"
echo "installing the service demo.Greet in personal (its /usr/local persists):"
printf '#!/bin/sh\necho "hello $QREXEC_REMOTE_DOMAIN, this is $(hostname)"\n' |
	run qvm-run -p -u root personal 'd=/usr/local/etc/qubes-rpc; mkdir -p $d && cat > $d/demo.Greet && chmod +x $d/demo.Greet'
run qvm-run -p work 'qrexec-client-vm personal demo.Greet'
echo "untrusted tries the same:"
qvm-run -p untrusted 'qrexec-client-vm personal demo.Greet'
echo "exit code $? (126: refused by policy)"
echo "dom0's log of the decisions:"
grep -E 'demo.Greet' "$BULKHEAD_ROOT/var/log/bulkhead/qrexec-policyd.log" | sed 's/^.*handle.c:[0-9]*: /    /'

step "Every allowed call carried a capability; capd's audit log proves it"
echo "(policyd asked capd to mint one; personal's qrexec-daemon redeemed it before running anything)"
run bulkhead-audit show --service demo.Greet
run bulkhead-audit verify

step "Shutting down"
run qvm-shutdown --wait --timeout 20 work personal untrusted || die "shutdown"
run qvm-ls

step "Files in /home persist across a restart"
run qvm-start work || die "start"
echo "work's /home/user/secret.txt: $(qvm-run -p work 'cat /home/user/secret.txt')"
run qvm-kill work

step "Cleaning up"
kill -TERM "$daemon"; wait "$daemon"; daemon=
echo "bulkheadd stopped; removing $BULKHEAD_ROOT"
echo
echo "demo finished"
