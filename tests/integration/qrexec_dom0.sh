#!/usr/bin/env bash
# qrexec from dom0 into a qube, through the whole stack (qvm-run ->
# qrexec-client -> qrexec-daemon -> agent in the qube), and a qube's own
# requests refused while dom0 has no policy daemon (fail closed).
. "$(dirname "$0")/../lib/common.sh"
command -v nsenter >/dev/null || skip "nsenter (util-linux) not installed"
start_bulkheadd
expect_ok qvm-create --label blue work >/dev/null

note "qvm-run starts the qube and runs the command (the issue's example)"
[ "$(qvm-run --pass-io work 'cat /etc/hostname')" = work ] || fail "hostname through qvm-run"
qvm-ls | grep -Eq '^work +Running' || fail "qvm-run did not start work"

note "exit code, stdin, stdout, stderr"
qvm-run -p work 'exit 7'; [ $? -eq 7 ] || fail "exit code"
[ "$(echo hello | qvm-run -p work 'tr a-z A-Z')" = HELLO ] || fail "stdin to stdout"
[ "$(qvm-run -p work 'echo e >&2' 2>&1 >/dev/null)" = e ] || fail "stderr"
out=$(qvm-run -p work 'echo one; sleep 0.2; echo two >&2; exit 3' 2>&1); rc=$?
[ "$rc" -eq 3 ] && [ "$out" = "$(printf 'one\ntwo')" ] || fail "ordering: rc $rc, '$out'"

note "EOF in each direction"
[ "$(printf 'abc' | qvm-run -p work 'cat; echo " after EOF"')" = "abc after EOF" ] || fail "stdin EOF"
[ "$(qvm-run -p work 'exec 1>&-; sleep 0.2; echo late >&2' 2>&1)" = late ] || fail "stdout EOF early"

note "the caller's stdin, stdout and stderr are left blocking, as they were"
# O_NONBLOCK belongs to the open file description, which the caller
# shares: left set, the caller's next program gets EAGAIN on a full pipe.
flags=$(echo in | { qvm-run -p work 'cat >/dev/null; echo e >&2'
	grep -h '^flags' /proc/self/fdinfo/0 /proc/self/fdinfo/1 /proc/self/fdinfo/2; } 2>&1)
n=0
for f in $(printf '%s\n' "$flags" | awk '/^flags/ { print $2 }'); do
	(( 0$f & 04000 )) && fail "a descriptor left non-blocking (flags $f): $(tr '\n' ' ' <<<"$flags")"
	n=$((n + 1))
done
[ "$n" -eq 3 ] || fail "flags of 3 descriptors wanted: $flags"

note "a service that stops reading its input still delivers output and exit code"
out=$(head -c 100000000 /dev/zero | tr '\0' y | qvm-run -p work 'head -c 3; exit 5'); rc=$?
[ "$rc" -eq 5 ] && [ "$out" = yyy ] || fail "rc $rc, output '$out'"

note "users: default_user, and -u"
[ "$(qvm-run -p work 'id -un')" = user ] || fail "default user"
[ "$(qvm-run -p -u root work 'id -u')" = 0 ] || fail "-u root"

note "a 256 MiB stream each way, checksummed"
want=$(head -c 268435456 /dev/urandom | tee "$BULKHEAD_ROOT/blob" | sha256sum | cut -d' ' -f1)
got=$(qvm-run -p work 'cat' <"$BULKHEAD_ROOT/blob" | sha256sum | cut -d' ' -f1)
[ "$want" = "$got" ] || fail "round trip corrupted"
[ "$(qvm-run -p work 'head -c 268435456 /dev/zero' | wc -c)" = 268435456 ] || fail "qube to dom0 stream"

note "a service that does not exist: 127"
qrexec-client -d work 'user:QUBESRPC no.Such.Service+arg dom0' </dev/null 2>/dev/null; rc=$?
[ $rc -eq 127 ] || fail "not 127 but $rc"
qrexec-client -d work 'user:QUBESRPC no.Such.Service+arg dom0' 2>/dev/null <<<'some input'; rc=$?
[ $rc -eq 127 ] || fail "with input: not 127 but $rc"

note "without --pass-io the command is started and left running"
expect_ok qvm-run work 'sleep 0.5' >/dev/null

note "a qube's request that no policy rule allows is refused: 126"
in_qube work 1000 /usr/lib/bulkhead/bin/qrexec-client-vm dom0 test.Service 2>/dev/null; rc=$?
[ "$rc" -eq 126 ] || fail "qrexec-client-vm exit $rc"
grep -q "work -> dom0 test.Service: deny (" "$BULKHEAD_ROOT/var/log/bulkhead/qrexec-policyd.log" ||
	fail "refusal not logged"

note "bad input to qvm-run and qrexec-client"
expect_fail 2 qvm-run >/dev/null
expect_fail 1 qvm-run -p nosuch true >/dev/null
expect_fail 2 qrexec-client -d work >/dev/null
qvm-run --no-autostart -p personal true 2>/dev/null && fail "no-autostart of a missing qube"
expect_ok qvm-kill work >/dev/null
expect_fail 1 qvm-run --no-autostart -p work true >/dev/null
echo ok
