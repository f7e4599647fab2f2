#!/usr/bin/env bash
# Calls made by qubes, through the whole stack (qrexec-client-vm -> agent
# -> the source's qrexec-daemon -> qrexec-policyd -> the target's daemon
# and agent), under a policy.d written by the test.
. "$(dirname "$0")/../lib/common.sh"
command -v nsenter >/dev/null || skip "nsenter (util-linux) not installed"
pol=$BULKHEAD_ROOT/etc/qubes/policy.d
mkdir -p "$pol" "$BULKHEAD_ROOT/etc/qubes-rpc" "$BULKHEAD_ROOT/etc/bulkhead"
cat >"$pol/30-test.policy" <<'P'
# service        arg   source  target     action
test.Echo        *     work    personal   allow
test.Echo        *     work    vault      deny
test.Deny        *     work    @anyvm     deny
test.Ask         *     work    @anyvm     ask default_target=personal
test.Redirect    *     work    @anyvm     allow target=personal
test.Default     *     work    @default   allow target=personal
test.Missing     *     work    personal   allow
test.Sock        *     work    personal   allow
test.Dom0        +yes  work    @adminvm   allow
P
printf '#!/bin/sh\necho "dom0: arg=$1 from $QREXEC_REMOTE_DOMAIN"\n' >"$BULKHEAD_ROOT/etc/qubes-rpc/test.Dom0"
chmod +x "$BULKHEAD_ROOT/etc/qubes-rpc/test.Dom0"
start_bulkheadd
for q in work personal vault; do expect_ok qvm-create --label red "$q" >/dev/null; done
expect_ok qvm-start work personal >/dev/null
# Services of personal, in its persistent /usr/local.
in_qube personal 0 sh -c 'mkdir -p /usr/local/etc/qubes-rpc && cd /usr/local/etc/qubes-rpc &&
  printf "#!/bin/sh\necho \"\$QREXEC_SERVICE_FULL_NAME arg=[\$1] from \$QREXEC_REMOTE_DOMAIN as \$(id -un)\"; cat\n" > test.Echo &&
  cp test.Echo test.Ask && cp test.Echo test.Redirect && cp test.Echo test.Default && chmod +x test.*' ||
	fail "installing services"
call() { in_qube work 1000 /usr/lib/bulkhead/bin/qrexec-client-vm "$@"; }

note "allow: output, argument, environment, stdin"
out=$(echo payload | call personal test.Echo+some.arg) || fail "allowed call failed"
[ "$out" = "$(printf 'test.Echo+some.arg arg=[some.arg] from work as user\npayload')" ] || fail "got '$out'"
[ "$(call personal test.Echo </dev/null)" = "test.Echo+ arg=[] from work as user" ] || fail "empty argument"

note "deny: 126, and nothing runs"
call vault test.Echo </dev/null 2>/dev/null; [ $? -eq 126 ] || fail "deny is not 126"
call personal test.Deny </dev/null 2>/dev/null; [ $? -eq 126 ] || fail "deny rule"
call personal test.Unlisted </dev/null 2>/dev/null; [ $? -eq 126 ] || fail "no match is not 126"

note "ask: bulkhead-ask with no display and no terminal -> deny; a prompt that says yes / no"
call personal test.Ask </dev/null 2>/dev/null; [ $? -eq 126 ] || fail "ask without a display or terminal"
# The administrator's prompt, if installed, replaces bulkhead-ask.  Its
# arguments: SOURCE LABEL SERVICE+ARG DEFAULT TARGET...; it records them.
printf '#!/bin/sh\necho "$*" >"%s/ask.args"\necho "$4 once"\n' "$BULKHEAD_ROOT" >"$BULKHEAD_ROOT/etc/bulkhead/qrexec-ask"
chmod +x "$BULKHEAD_ROOT/etc/bulkhead/qrexec-ask"
[ "$(call personal test.Ask </dev/null)" = "test.Ask+ arg=[] from work as user" ] || fail "ask answered yes"
[ "$(cat "$BULKHEAD_ROOT/ask.args")" = "work red test.Ask+ personal host-base personal vault work" ] ||
	fail "the prompt's arguments: $(cat "$BULKHEAD_ROOT/ask.args")"
printf '#!/bin/sh\necho "$4 sometimes"\n' >"$BULKHEAD_ROOT/etc/bulkhead/qrexec-ask"
call personal test.Ask </dev/null 2>/dev/null; [ $? -eq 126 ] || fail "a malformed answer is not a yes"
printf '#!/bin/sh\nexit 1\n' >"$BULKHEAD_ROOT/etc/bulkhead/qrexec-ask"
call personal test.Ask </dev/null 2>/dev/null; [ $? -eq 126 ] || fail "ask answered no"
printf '#!/bin/sh\necho dom0 once\n' >"$BULKHEAD_ROOT/etc/bulkhead/qrexec-ask"
call personal test.Ask </dev/null 2>/dev/null; [ $? -eq 126 ] || fail "prompt chose a target not offered"

note "redirect with target=, and @default"
[ "$(call vault test.Redirect </dev/null)" = "test.Redirect+ arg=[] from work as user" ] || fail "redirect"
[ "$(call @default test.Default </dev/null)" = "test.Default+ arg=[] from work as user" ] || fail "@default"

note "a service the target does not have: 127"
call personal test.Missing </dev/null 2>/dev/null; [ $? -eq 127 ] || fail "not 127"

note "a socket service gets its descriptor first"
in_qube personal 0 sh -c 'command -v python3 >/dev/null' || skip "python3 not in the qube (host /usr)"
in_qube personal 0 python3 -c '
import os, socket
p = "/usr/local/etc/qubes-rpc/test.Sock"
if os.path.exists(p): os.unlink(p)
s = socket.socket(socket.AF_UNIX); s.bind(p); os.chmod(p, 0o666); s.listen(1)
if os.fork(): os._exit(0)
c, _ = s.accept(); d = b""
while not d.endswith(b"\0"): d += c.recv(1)
c.sendall(b"desc=" + d[:-1] + b" data=" + c.recv(100)); c.close()' || fail "socket service"
[ "$(printf hello | call personal test.Sock+x)" = "desc=test.Sock+x work data=hello" ] || fail "socket service output"

note "qube -> dom0"
[ "$(call dom0 test.Dom0+yes </dev/null)" = "dom0: arg=yes from work" ] || fail "call into dom0"
call dom0 test.Dom0+no </dev/null 2>/dev/null; [ $? -eq 126 ] || fail "dom0 argument not matched"

note "a target that is halted is started (autostart) for an allowed call"
expect_ok qvm-kill personal >/dev/null
[ "$(call personal test.Echo </dev/null | head -1)" = "test.Echo+ arg=[] from work as user" ] || fail "autostart"
grep -q "test.Echo+some.arg: allow" "$BULKHEAD_ROOT/var/log/bulkhead/qrexec-policyd.log" || fail "decisions not logged"

note "a target's daemon (its qube's to control) that answers with another domain: refused"
# A stand-in for personal's daemon on its dom0 socket: it answers
# policyd's PING (DREQ_PING, 5) as personal's domain (the local backend's
# domain id is the qid), then accepts the call and names domain 4000 and
# a port, which policyd must not use.
sock=$BULKHEAD_ROOT/run/bulkhead/qrexec/qrexec.personal.sock
python3 - "$sock" $((0x3E000001)) "$(qvm-prefs personal qid)" <<'PY' &
import os, socket, struct, sys
path, gid, domid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.unlink(path)
s = socket.socket(socket.AF_UNIX); s.bind(path); os.chown(path, 0, gid); os.chmod(path, 0o660); s.listen(1)
open(path + ".ready", "w").close()
s.settimeout(20)
while True:
    c, _ = s.accept(); c.settimeout(10)
    req = b""
    while len(req) < 144: req += c.recv(144 - len(req))
    if struct.unpack_from("<I", req, 0)[0] == 5:
        c.sendall(struct.pack("<iII", 0, 0, domid)); c.close()
        continue
    n = struct.unpack_from("<I", req, 16)[0]
    while n > 0: n -= len(c.recv(n))
    c.sendall(struct.pack("<iII", 0, 600, 4000)); c.close()
    break
PY
fake=$!
for _ in $(seq 1 100); do [ -e "$sock.ready" ] && break; sleep 0.05; done
call personal test.Echo </dev/null 2>/dev/null; rc=$?
wait $fake || fail "the stand-in daemon was not asked"
[ $rc -eq 126 ] || fail "a lying daemon's answer was used (exit $rc)"
grep -q "the qrexec daemon of personal answered domain 4000 port 600 (its domain is [0-9]*): refused" \
	"$BULKHEAD_ROOT/var/log/bulkhead/qrexec-policyd.log" || fail "not refused by policyd"
echo ok
