#!/usr/bin/env bash
# Local backend: memory and pids limits are set in the qube's cgroups and
# hold; the qube's network namespace has only `lo`, up; the qube has its
# own namespace of every kind.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/local.sh"
[ -f /sys/fs/cgroup/memory/cgroup.procs ] && [ -f /sys/fs/cgroup/pids/cgroup.procs ] ||
	skip "this test reads cgroup v1 files (memory and pids hierarchies not mounted)"
vmm_serve
vm_ok create host-base 1 TemplateVM
vm_ok create small 2 AppVM
vm_ok start small 2 AppVM --template host-base 1 --memory 64 --pids 32
pid=$(qube_init_pid small)
mem=$(cg_dir memory small)
pids=$(cg_dir pids small)

# in_cg CG CMD...: run CMD inside the qube *and* in its cgroup (nsenter
# alone leaves a process in the caller's cgroup).
in_cg() {
	sh -c 'echo $$ > "$0/cgroup.procs" && echo $$ > "$1/cgroup.procs" && shift && exec "$@"' \
		"$mem" "$pids" nsenter --target "$pid" --all -- env -i PATH=/usr/bin:/bin "$@"
}

note "limits are in the cgroup files"
[ -d "$mem" ] && [ -d "$pids" ] || fail "no cgroups $mem $pids"
[ "$(cat "$mem/memory.limit_in_bytes")" = $((64 * 1024 * 1024)) ] || fail "memory.limit_in_bytes $(cat "$mem/memory.limit_in_bytes")"
[ "$(cat "$pids/pids.max")" = 32 ] || fail "pids.max $(cat "$pids/pids.max")"
grep -qx "$pid" "$mem/cgroup.procs" || fail "init not in the memory cgroup"
grep -qx "$pid" "$pids/cgroup.procs" || fail "init not in the pids cgroup"
grep -q ':memory:/$' <(in_qube small 0 cat /proc/1/cgroup) || fail "no cgroup namespace: $(in_qube small 0 cat /proc/1/cgroup)"

note "the pids limit holds"
out=$(in_cg sh -c 'ok=0; for i in $(seq 1 40); do sleep 2 & ok=$((ok+1)); done 2>/dev/null; echo $(jobs -p | wc -l)')
grep -q 'max [1-9]' "$pids/pids.events" || fail "pids limit never hit: $(cat "$pids/pids.events")"
[ "$(cat "$pids/pids.peak" 2>/dev/null || echo 0)" -le 32 ] || fail "pids.peak over the limit"

note "the memory limit holds"
in_cg sh -c 'head -c 200m /dev/zero | tail -c 1 >/dev/null' 2>/dev/null
[ "$(cat "$mem/memory.max_usage_in_bytes")" -le $((64 * 1024 * 1024)) ] || fail "memory usage over the limit"
in_cg sh -c 'x=$(head -c 100m /dev/zero | tr "\0" a); echo ${#x}' >/dev/null 2>&1 &&
	fail "a 100 MiB allocation succeeded under a 64 MiB limit"
[ "$(cat "$mem/memory.failcnt")" -gt 0 ] || grep -q '^oom_kill [1-9]' "$mem/memory.oom_control" ||
	fail "memory limit never hit"
kill -0 "$pid" || fail "the qube died of its memory limit"

note "only lo, and it is up"
links=$(in_qube small 0 ip -o link | awk -F': ' '{print $2}')
[ "$links" = lo ] || fail "links in the qube: $links"
in_qube small 0 ip -o link show lo | grep -q 'UP' || fail "lo is down"
[ "$(in_qube small 0 ip -o addr show lo | grep -c 'inet 127.0.0.1')" = 1 ] || fail "no 127.0.0.1 on lo"
[ "$(in_qube small 0 sh -c 'tail -n +3 /proc/net/dev' | awk -F: '{gsub(/ /,"",$1); print $1}')" = lo ] ||
	fail "/proc/net/dev lists more than lo"
for ns in net user mnt pid uts ipc cgroup; do
	[ "$(readlink "/proc/$pid/ns/$ns")" != "$(readlink /proc/self/ns/$ns)" ] || fail "qube shares the host's $ns namespace"
done

note "has_netvm still means loopback only"
vm_ok kill small
vm_ok start small 2 AppVM --template host-base 1 --netvm
[ "$(in_qube small 0 ip -o link | awk -F': ' '{print $2}')" = lo ] || fail "links with --netvm"
vm_ok kill small
for c in memory pids; do
	[ -e "$(cg_dir "$c" small)" ] && fail "$c cgroup left after kill"
	[ -e "/sys/fs/cgroup/$c/bulkhead-$(root_hash)" ] && fail "$c cgroup parent left after kill"
done
echo ok
