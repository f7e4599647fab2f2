#!/usr/bin/env bash
# Qubes through the whole stack (qvm-* -> bulkheadd -> monitor -> local
# backend): isolation between running qubes, persistence of /home and
# /usr/local, a volatile root, template changes reaching AppVMs, clean
# shutdown and removal.
. "$(dirname "$0")/../lib/common.sh"
command -v nsenter >/dev/null || skip "nsenter (util-linux) not installed"
start_bulkheadd
expect_ok qvm-create --label blue work >/dev/null
expect_ok qvm-create --label green personal >/dev/null
expect_ok qvm-start work personal >/dev/null
qvm-ls | grep -Eq '^work +Running' || fail "work not Running"

note "each qube has its own hostname"
[ "$(in_qube work 1000 hostname)" = work ] || fail "hostname of work"
[ "$(in_qube personal 1000 hostname)" = personal ] || fail "hostname of personal"

note "Debian's alternatives resolve inside a qube (awk is /etc/alternatives/awk)"
[ "$(in_qube work 1000 awk 'BEGIN { print 6 * 7 }')" = 42 ] || fail "awk does not run in a qube"

note "each qube has its own vchan directory, and only its own"
in_qube work 1000 sh -c 'echo w > /run/bulkhead/vchan/probe' || fail "work cannot write its vchan dir"
in_qube personal 1000 test -e /run/bulkhead/vchan/probe && fail "personal sees work's vchan dir"
wd=$(in_qube work 0 cat /proc/1/environ | tr '\0' '\n' | sed -n 's/^VCHAN_DOMAIN=//p')
[ "$wd" = "$(qvm-prefs work qid)" ] || fail "work's VCHAN_DOMAIN is '$wd'"
[ -e "$BULKHEAD_ROOT/run/bulkhead/vchan/$wd/probe" ] || fail "dom0 does not see work's channel directory"

note "each qube sees only its own processes"
in_qube work 1000 sleep 300 &
sleeper=$!
sleep 0.3
in_qube work 1000 ps -e -o comm= | grep -qx sleep || fail "work cannot see its own process"
in_qube personal 1000 ps -e -o comm= | grep -qx sleep && fail "personal sees work's process"
n=$(in_qube personal 1000 ps -e -o pid= | wc -l)
# qube-init, qrexec-agent, the agent's spare handler, and ps itself.
[ "$n" -le 4 ] || fail "personal sees $n processes: $(in_qube personal 1000 ps -e -o pid=,comm= | tr '\n' ' ')"
kill "$sleeper" 2>/dev/null; wait "$sleeper" 2>/dev/null

note "files of one qube are not visible to the other"
in_qube work 1000 sh -c 'echo secret > /home/user/work-file' || fail "write in work"
in_qube personal 1000 test -e /home/user/work-file && fail "personal sees work's file"
in_qube personal 1000 sh -c 'ls /home' | grep -qv user && fail "personal sees other homes"
in_qube work 1000 test -e /root/.bashrc -o -e /etc/shadow && fail "host files visible"

note "root in a qube is an unprivileged host uid, different per qube"
wu=$(awk '/^Uid:/ {print $2}' /proc/"$(qube_init_pid work)"/status)
pu=$(awk '/^Uid:/ {print $2}' /proc/"$(qube_init_pid personal)"/status)
[ "$wu" -ge 65536 ] && [ "$pu" -ge 65536 ] && [ "$wu" != "$pu" ] || fail "uids: work $wu personal $pu"

note "/home and /usr/local persist across a restart; the rest does not"
in_qube work 1000 sh -c 'echo keep > /home/user/keep' || fail "write /home"
in_qube work 0 sh -c 'echo tool > /usr/local/bin/mytool' || fail "write /usr/local"
in_qube work 0 sh -c 'echo gone > /var/tmp-volatile-marker' 2>/dev/null ||
	in_qube work 0 sh -c 'echo gone > /etc/volatile-marker' || fail "write volatile"
expect_ok qvm-shutdown --wait --timeout 30 work >/dev/null
qvm-ls | grep -Eq '^work +Halted' || fail "work not Halted"
expect_ok qvm-start work >/dev/null
[ "$(in_qube work 1000 cat /home/user/keep)" = keep ] || fail "/home lost"
[ "$(in_qube work 1000 cat /usr/local/bin/mytool)" = tool ] || fail "/usr/local lost"
in_qube work 1000 test -e /var/tmp-volatile-marker && fail "volatile file survived"
in_qube work 1000 test -e /etc/volatile-marker && fail "volatile file survived"

note "a template change reaches its AppVMs at their next start"
expect_ok qvm-shutdown --wait --timeout 30 work >/dev/null
expect_ok qvm-start host-base >/dev/null
in_qube host-base 0 sh -c 'mkdir -p /opt/app && echo v1 > /opt/app/version' || fail "template write"
expect_ok qvm-shutdown --wait --timeout 30 host-base >/dev/null
expect_ok qvm-start work >/dev/null
[ "$(in_qube work 1000 cat /opt/app/version)" = v1 ] || fail "template change not seen"
in_qube work 0 sh -c 'echo tampered > /opt/app/version'
expect_ok qvm-kill work >/dev/null
expect_ok qvm-start host-base >/dev/null
[ "$(in_qube host-base 0 cat /opt/app/version)" = v1 ] || fail "AppVM changed its template"
expect_ok qvm-kill host-base >/dev/null

note "qvm-shutdown --wait kills a qube that ignores the request at --timeout"
expect_ok qvm-start work >/dev/null
in_qube work 0 sh -c 'trap "" TERM; exec sleep 300' &
stubborn=$!
sleep 0.3
t0=$(date +%s)
err=$(expect_fail 1 qvm-shutdown --wait --timeout 1 work) || exit 1
grep -q "did not halt within 1 s; killed" <<<"$err" || fail "unexpected: $err"
[ $(( $(date +%s) - t0 )) -le 5 ] || fail "the timeout was not honoured"
qvm-ls | grep -Eq '^work +Halted' || fail "work not Halted after the kill"
wait "$stubborn" 2>/dev/null

note "changing a running qube's limits is refused; removal needs it halted"
expect_fail 1 qvm-prefs personal memory 800 >/dev/null
expect_fail 1 qvm-remove -f personal >/dev/null
expect_ok qvm-kill personal >/dev/null
expect_ok qvm-remove -f personal >/dev/null
[ -e "$BULKHEAD_ROOT/var/lib/bulkhead/qubes/personal" ] && fail "volumes of a removed qube left"
pd=$(ls "$BULKHEAD_ROOT/run/bulkhead/vchan/" | wc -l)
[ "$pd" -le 1 ] || fail "channel directories of stopped qubes left: $(ls "$BULKHEAD_ROOT/run/bulkhead/vchan/")"

note "the memory limit is maxmem (memory below it); qrexec_timeout is the daemon's --timeout"
expect_ok qvm-create --label red --property memory=100 --property maxmem=300 --property qrexec_timeout=7 lim >/dev/null
expect_ok qvm-start lim >/dev/null
pid=$(qube_init_pid lim)
cg=$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup")
if [ -n "$cg" ]; then
	limit=$(cat "/sys/fs/cgroup/memory$cg/memory.limit_in_bytes")
else
	limit=$(cat "/sys/fs/cgroup$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")/memory.max")
fi
[ "$limit" = $((300 * 1048576)) ] || fail "lim's memory limit is '$limit', not maxmem's 300 MiB"
for p in /proc/[0-9]*; do tr '\0' ' ' <"$p/cmdline" 2>/dev/null; echo; done |
	grep -q '^qrexec-daemon [0-9]* lim .*--timeout 7 ' || fail "lim's qrexec-daemon has not --timeout 7"
expect_ok qvm-kill lim >/dev/null

note "stopping bulkheadd stops every qube"
qvm-start personal >/dev/null 2>&1 && fail "removed qube started"
expect_ok qvm-start work >/dev/null
pid=$(qube_init_pid work)
stop_bulkheadd || fail "stop"
sleep 0.5
kill -0 "$pid" 2>/dev/null && fail "qube init survived bulkheadd"
echo ok
