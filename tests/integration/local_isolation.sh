#!/usr/bin/env bash
# Local backend, driven directly through vmmctl: two running AppVMs cannot
# see each other's processes, files or hostnames; root in a qube is an
# unprivileged host uid unique to the qube; nothing of the host's /etc,
# /root or /home is visible.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/local.sh"
vmm_serve
vm_ok create host-base 1 TemplateVM
vm_ok create alpha 2 AppVM
vm_ok create beta 3 AppVM
vm_ok start alpha 2 AppVM --template host-base 1
vm_ok start beta 3 AppVM --template host-base 1

note "hostname is the qube's name"
[ "$(in_qube alpha 1000 hostname)" = alpha ] || fail "hostname of alpha"
[ "$(in_qube beta 1000 hostname)" = beta ] || fail "hostname of beta"
[ "$(in_qube beta 0 cat /etc/hostname)" = beta ] || fail "/etc/hostname of beta"

note "each qube sees only its own processes"
in_qube beta 1000 sh -c 'sleep 300 >/dev/null 2>&1 & echo started' >/dev/null || fail "sleeper"
in_qube beta 1000 ps -e -o comm= | grep -qx sleep || fail "beta cannot see its own sleep"
in_qube alpha 0 ps -e -o comm= | grep -qx sleep && fail "alpha sees beta's process"
procs=$(in_qube alpha 0 sh -c 'ls -d /proc/[0-9]*' | wc -l)
[ "$procs" -le 4 ] || fail "alpha sees $procs processes"
[ "$(in_qube alpha 0 ps -o comm= -p 1)" = qube-init ] || fail "PID 1 of alpha is not qube-init"

note "files of one qube are not visible to the other"
in_qube alpha 1000 sh -c 'echo secret > /home/user/alpha-secret && echo t > /tmp/alpha-tmp' || fail "write in alpha"
in_qube beta 1000 test -e /home/user/alpha-secret && fail "beta sees alpha's home"
in_qube beta 1000 test -e /tmp/alpha-tmp && fail "beta sees alpha's /tmp"
[ "$(stat -c %u "$BULKHEAD_ROOT/var/lib/bulkhead/qubes/alpha/private/home/user/alpha-secret")" = \
	$(( $(host_base 2) + 1000 )) ] || fail "alpha's file not owned by alpha's user on the host"

note "root in a qube is an unprivileged host uid, unique per qube"
for q in alpha:2 beta:3; do
	name=${q%:*} qid=${q#*:}
	pid=$(qube_init_pid "$name")
	uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
	gid=$(awk '/^Gid:/ {print $2}' "/proc/$pid/status")
	[ "$uid" = "$(host_base "$qid")" ] && [ "$gid" = "$(host_base "$qid")" ] ||
		fail "$name: init runs as host uid $uid gid $gid, want $(host_base "$qid")"
	map=$(in_qube "$name" 0 cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //')
	[ "$map" = "0 $(host_base "$qid") 65536" ] || fail "$name: uid_map '$map'"
done
[ "$(in_qube alpha 0 id -u)" = 0 ] || fail "not root inside"
in_qube alpha 0 sh -c 'echo x > /proc/sys/kernel/hostname' 2>/dev/null && fail "qube root wrote a host sysctl"
in_qube alpha 0 cat /proc/kcore >/dev/null 2>&1 && fail "qube root read /proc/kcore"

note "nothing of the host's /etc, /root, /home or /run"
in_qube alpha 0 test -e /etc/shadow && fail "/etc/shadow visible"
in_qube alpha 0 test -e /etc/ssh && fail "host /etc/ssh visible"
[ -z "$(in_qube alpha 0 ls -A /root)" ] || fail "/root not empty: $(in_qube alpha 0 ls -A /root)"
[ "$(in_qube alpha 0 ls /home)" = user ] || fail "/home: $(in_qube alpha 0 ls /home)"
for d in /work /farm /srv/host /run/systemd; do
	[ -e "$d" ] || continue
	in_qube alpha 0 test -e "$d" && fail "host $d visible"
done
grep -q '^user:x:1000:1000:' <(in_qube alpha 0 cat /etc/passwd) || fail "no user 1000 in /etc/passwd"
[ "$(in_qube alpha 0 grep -c . /etc/passwd)" -eq 3 ] || fail "/etc/passwd is not the generated one"
[ "$(in_qube alpha 1000 stat -c %u /home/user)" = 1000 ] || fail "/home/user not owned by user"
in_qube alpha 0 test -x /usr/lib/bulkhead/bin/qube-init || fail "qube tools missing"
in_qube alpha 0 sh -c 'echo x > /usr/lib/bulkhead/x' 2>/dev/null && fail "qube tools writable"
in_qube alpha 0 sh -c 'umount /usr/lib/bulkhead' 2>/dev/null && fail "qube root unmounted a mount"
[ "$(in_qube alpha 0 sh -c 'ls /sys | wc -l')" -eq 0 ] || fail "/sys is not empty"
in_qube alpha 0 sh -c 'env' | grep -q BULKHEAD && fail "environment leaked into the qube"
tr '\0' '\n' <"/proc/$(qube_init_pid alpha)/environ" | grep -q BULKHEAD_ROOT && fail "init inherited BULKHEAD_ROOT"

vm_ok kill alpha
vm_ok kill beta
echo ok
