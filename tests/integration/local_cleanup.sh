#!/usr/bin/env bash
# Local backend: kill and shutdown leave no processes, mounts (the mount
# namespace is gone), cgroups or pid files behind; a shutdown the qube
# ignores ends in a kill after shutdown_timeout; the qube dies with the
# process that started it, and the next init() clears what is left.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/local.sh"
vmm_serve
vm_ok create host-base 1 TemplateVM
vm_ok create work 2 AppVM

# snapshot NAME: remember the qube's processes and namespaces.
snapshot() {
	SNAP_PIDS=$(qube_pids "$1" | tr '\n' ' ')
	SNAP_INIT=$(qube_init_pid "$1")
	SNAP_MNT=$(readlink "/proc/$SNAP_INIT/ns/mnt")
	SNAP_PIDNS=$(readlink "/proc/$SNAP_INIT/ns/pid")
	[ -n "$SNAP_PIDS" ] && [ -n "$SNAP_MNT" ] || fail "snapshot of $1"
}

# gone NAME: nothing of the snapshot is left.
gone() {
	local p
	for p in $SNAP_PIDS; do
		[ -d "/proc/$p" ] && [ "$(readlink "/proc/$p/ns/pid" 2>/dev/null)" = "$SNAP_PIDNS" ] &&
			fail "$1: process $p survived"
	done
	# Namespace inode numbers are reused quickly (parallel tests make
	# namespaces all the time): a match counts only if the process is also
	# in the qube's PID namespace or one of this test's (nsenter) processes.
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$SNAP_MNT" ] || continue
		if [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$SNAP_PIDNS" ] ||
		   tr '\0' '\n' <"$p/environ" 2>/dev/null | grep -qx "BULKHEAD_ROOT=$BULKHEAD_ROOT"; then
			fail "$1: mount namespace still used by ${p#/proc/} ($(tr '\0' ' ' <"$p/cmdline" 2>/dev/null))"
		fi
	done
	grep -q "$BULKHEAD_ROOT" /proc/self/mountinfo && fail "$1: a mount under the root on the host"
	[ -e "$BULKHEAD_ROOT/run/bulkhead/qubes/$1.pid" ] && fail "$1: pid file left"
	[ -e "$(cg_dir memory "$1")" ] && fail "$1: memory cgroup left"
	[ -e "$(cg_dir pids "$1")" ] && fail "$1: pids cgroup left"
	vm_ok status "$1"
	case $VMM_REPLY in "ok Halted "*) ;; *) fail "$1: status $VMM_REPLY" ;; esac
}

note "kill"
vm_ok start work 2 AppVM --template host-base 1
in_qube work 1000 sh -c 'sleep 1000 >/dev/null 2>&1 & sleep 1000 >/dev/null 2>&1 & echo' >/dev/null
in_qube work 1000 sleep 1000 &
bg=$!
sleep 0.2
snapshot work
[ "$(echo $SNAP_PIDS | wc -w)" -ge 4 ] || fail "expected init and 3 sleeps: $SNAP_PIDS"
vm_ok kill work
gone work
wait "$bg" 2>/dev/null

note "clean shutdown"
vm_ok start work 2 AppVM --template host-base 1
in_qube work 1000 sh -c 'sleep 1000 >/dev/null 2>&1 & echo' >/dev/null
snapshot work
vm_ok shutdown work
vm_ok wait work 20
gone work
grep -q 'qube-init: shutting down' "$BULKHEAD_ROOT/var/log/bulkhead/qubes/work.log" || fail "init did not log the shutdown"
grep -q 'qube-init exited with status 0' "$BULKHEAD_ROOT/var/log/bulkhead/qubes/work.log" || fail "init exit not logged"

note "a shutdown right after start is not lost (qube-init not yet listening)"
for i in 1 2 3; do
	vm_ok start work 2 AppVM --template host-base 1
	vm_ok shutdown work
	vm_ok wait work 5
done

note "a shutdown the qube ignores ends in a kill after shutdown_timeout"
vm_ok start work 2 AppVM --template host-base 1 --timeout 1
in_qube work 0 sh -c 'trap "" TERM; sleep 1000 >/dev/null 2>&1 & echo' >/dev/null
in_qube work 0 sh -c 'exec 0</dev/null 1>/dev/null 2>&1; trap "" TERM; while :; do sleep 1; done & echo' >/dev/null
snapshot work
start=$(date +%s)
vm_ok shutdown work
vm_ok status work
case $VMM_REPLY in "ok Halting "*) ;; *) fail "status while shutting down: $VMM_REPLY" ;; esac
vm_ok wait work 20
[ $(( $(date +%s) - start )) -le 5 ] || fail "the kill came late"
gone work
grep -q 'shutdown timed out' "$BULKHEAD_ROOT/var/log/bulkhead/qubes/work.log" || fail "timeout not logged"

note "the qube dies with the process that started it"
vm_ok start work 2 AppVM --template host-base 1
snapshot work
kill -KILL "$VMM_PID"
wait "$VMM_PID" 2>/dev/null
exec 7>&- 8<&-
VMM_PID=
for i in $(seq 1 100); do kill -0 "$SNAP_INIT" 2>/dev/null || break; sleep 0.05; done
kill -0 "$SNAP_INIT" 2>/dev/null && fail "qube init survived its monitor"
[ -e "$BULKHEAD_ROOT/run/bulkhead/qubes/work.pid" ] || fail "expected a stale pid file"

note "the next init() clears the leftovers"
rm -f "$BULKHEAD_ROOT/vmmctl/in" "$BULKHEAD_ROOT/vmmctl/out"
rmdir "$BULKHEAD_ROOT/vmmctl"
vmm_serve
gone work
[ -e "/sys/fs/cgroup/memory/bulkhead-$(root_hash)" ] && fail "cgroup parent left"
vm_ok start work 2 AppVM --template host-base 1
vm_ok kill work
echo ok
