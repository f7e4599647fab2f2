# Helpers for the local backend's tests (tests/integration/local_*.sh).
# Source after common.sh.  They drive `vmmctl serve` (build/tests/vmmctl)
# through two FIFOs, the way the monitor drives the backend:
#   vmm_serve                  start it (stopped automatically at exit)
#   vm CMD ARGS...             one command; reply in $VMM_REPLY; status 0 on "ok"
#   vm_ok CMD ARGS...          same, failing the test unless "ok"
#   vm_restart NAME ARGS...    shutdown, wait halted, start again with ARGS
#   host_base NAME QID         host uid base of a qid
#   cg_dir CTRL NAME           the qube's cgroup v1 directory for CTRL
VMMCTL=$BULKHEAD_BUILD/tests/vmmctl
VMM_PID=
VMM_REPLY=

[ "$(id -u)" -eq 0 ] || skip "the local backend needs root"
[ -x "$VMMCTL" ] || skip "vmmctl not built"
command -v nsenter >/dev/null || skip "nsenter (util-linux) not installed"

# The test runner's BULKHEAD_ROOT is mktemp'd and unique; so is our cgroup parent.
host_base() { echo $((0x40000000 + $1 * 0x10000)); }

# FNV-1a 64 of the root path, as the backend names its cgroup parent.
root_hash() {
	local s=$BULKHEAD_ROOT h=$((0xcbf29ce484222325)) i c LC_ALL=C
	for ((i = 0; i < ${#s}; i++)); do
		printf -v c '%d' "'${s:i:1}"
		h=$(( (h ^ c) * 0x100000001b3 ))
	done
	printf '%016x\n' "$h"
}
cg_dir() { echo "/sys/fs/cgroup/$1/bulkhead-$(root_hash)/$2"; }

vmm_serve() {
	local d=$BULKHEAD_ROOT/vmmctl
	mkdir -p "$d" && mkfifo "$d/in" "$d/out" || fail "fifos"
	"$VMMCTL" serve <"$d/in" >"$d/out" 2>>"$BULKHEAD_ROOT/vmmctl.log" &
	VMM_PID=$!
	exec 7>"$d/in" 8<"$d/out"
	IFS= read -r -t 30 VMM_REPLY <&8 || fail "vmmctl serve did not start: $(cat "$BULKHEAD_ROOT/vmmctl.log")"
	[ "$VMM_REPLY" = "ok ready" ] || fail "vmmctl serve: $VMM_REPLY"
}

# EOF on its stdin makes vmmctl kill every qube and exit.
vmm_stop() {
	[ -n "$VMM_PID" ] || return 0
	exec 7>&-
	local i
	for i in $(seq 1 200); do
		kill -0 "$VMM_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$VMM_PID" 2>/dev/null
	wait "$VMM_PID" 2>/dev/null
	exec 8<&-
	VMM_PID=
}
trap 'vmm_stop; stop_bulkheadd' EXIT

vm() {
	printf '%s\n' "$*" >&7 || fail "vmmctl is gone"
	IFS= read -r -t 120 VMM_REPLY <&8 || fail "vmmctl: no reply to: $*"
	case $VMM_REPLY in ok*) return 0 ;; *) return 1 ;; esac
}

vm_ok() {
	vm "$@" || fail "vmmctl $*: $VMM_REPLY (log: $(tail -n 5 "$BULKHEAD_ROOT/vmmctl.log" 2>/dev/null))"
}

# vm_restart NAME QID CLASS [start options]: clean shutdown, then start.
vm_restart() {
	vm_ok shutdown "$1"
	vm_ok wait "$1" 30
	vm_ok start "$@"
}

# The host pids of every process in the PID namespace of a qube's init.
qube_pids() {
	local init ns p
	init=$(qube_init_pid "$1") || return 0
	ns=$(readlink "/proc/$init/ns/pid") || return 0
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] && echo "${p#/proc/}"
	done
}
