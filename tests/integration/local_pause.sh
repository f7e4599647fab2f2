#!/usr/bin/env bash
# Local backend: pause freezes every process of the qube (cgroup freezer),
# unpause resumes them; a paused qube can still be killed or shut down.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/local.sh"
vmm_serve
vm_ok create host-base 1 TemplateVM
vm_ok create work 2 AppVM
vm_ok start work 2 AppVM --template host-base 1
vm pause work
case $VMM_REPLY in
"err 95 "*) vm_ok kill work; skip "no cgroup freezer on this machine" ;;
"ok Paused "*) ;;
*) fail "pause: $VMM_REPLY" ;;
esac
vm_ok unpause work
[ "$VMM_REPLY" = "ok Running domid=2 pid=$(qube_init_pid work)" ] || fail "unpause: $VMM_REPLY"

# A counter that only init's descendants run: start it as qube-init's child
# is not possible without qrexec, so move an entering shell into the
# qube's cgroups (nsenter alone would leave it outside and unfrozen).
pid=$(qube_init_pid work)
cgs=$(awk -F: '$2 ~ /^(memory|pids|freezer)$/ {print $2 ":" $3}' "/proc/$pid/cgroup")
sh -c 'for c in $0; do echo $$ > "/sys/fs/cgroup/${c%%:*}${c#*:}/cgroup.procs"; done; exec "$@"' "$cgs" \
	nsenter --target "$pid" --all -- sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/counter; sleep 0.05; done' \
	>/dev/null 2>&1 &
counter=$!
sleep 0.5
c1=$(in_qube work 0 cat /tmp/counter)
[ -n "$c1" ] || fail "counter not running"
vm_ok pause work
sleep 0.3
c2=$(in_qube work 0 cat /tmp/counter)
sleep 0.5
c3=$(in_qube work 0 cat /tmp/counter)
[ "$c2" = "$c3" ] || fail "paused qube kept running ($c2 -> $c3)"
vm_ok status work
case $VMM_REPLY in "ok Paused "*) ;; *) fail "status: $VMM_REPLY" ;; esac
vm_ok unpause work
sleep 0.5
c4=$(in_qube work 0 cat /tmp/counter)
[ "$c4" -gt "$c3" ] || fail "unpaused qube did not resume ($c3 -> $c4)"

note "a paused qube still dies on kill and on shutdown"
vm_ok pause work
vm_ok kill work
case $VMM_REPLY in "ok Halted "*) ;; *) fail "kill of a paused qube: $VMM_REPLY" ;; esac
wait "$counter" 2>/dev/null
vm_ok start work 2 AppVM --template host-base 1
vm_ok pause work
vm_ok shutdown work
vm_ok wait work 20
[ -e "$(cg_dir pids work)" ] && fail "cgroup left"
vm pause work && fail "pause of a halted qube"
echo ok
