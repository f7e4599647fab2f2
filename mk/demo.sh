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
run() { printf '$'; printf ' %q' "$@"; printf '\n'; "$@"; }
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
# Runs a command inside a qube as its user (qvm-run arrives with qrexec).
in_qube() {
	local pid
	pid=$(cat "$BULKHEAD_ROOT/run/bulkhead/qubes/$1.pid") || return 1
	shift
	nsenter --target "$pid" --all --setuid 1000 --setgid 1000 -- \
		env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/home/user "$@"
}

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

step "Each qube sees only its own hostname, processes and files"
echo "(commands run inside the qubes with nsenter; qvm-run comes with qrexec, issue #3)"
for q in work personal untrusted; do
	printf '%-10s hostname: %-10s processes: %s\n' "$q" "$(in_qube "$q" hostname)" \
		"$(in_qube "$q" ps -e -o comm= | sort | tr '\n' ' ')"
done
in_qube work sh -c 'echo "work secrets" > /home/user/secret.txt'
echo "work wrote /home/user/secret.txt; personal sees:"
in_qube personal ls -la /home/user/ | sed 's/^/    /'
echo "network interfaces in untrusted: $(in_qube untrusted awk -F: 'NR > 2 {print $1}' /proc/net/dev | tr -d ' ' | tr '\n' ' ')"

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

step "Shutting down"
run qvm-shutdown --wait --timeout 20 work personal untrusted || die "shutdown"
run qvm-ls

step "Files in /home persist across a restart"
run qvm-start work || die "start"
echo "work's /home/user/secret.txt: $(in_qube work cat /home/user/secret.txt)"
run qvm-kill work

step "Cleaning up"
kill -TERM "$daemon"; wait "$daemon"; daemon=
echo "bulkheadd stopped; removing $BULKHEAD_ROOT"
echo
echo "demo finished"
