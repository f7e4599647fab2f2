#!/usr/bin/env bash
# capd behind real calls between qubes (issue #4): the user's grant
# scopes at the prompt (tests/lib/ask-tty.py plays the user), revocation,
# capd down (every call refused) and back (grants kept), a dom0 request
# without a valid capability refused by the target's daemon, and the
# audit log verifying with every kind of event in it.
. "$(dirname "$0")/../lib/common.sh"
command -v nsenter >/dev/null || skip "nsenter (util-linux) not installed"
command -v python3 >/dev/null || fail "python3 is missing (make deps installs it)"
ASKTTY=$BULKHEAD_ROOT/ask-tty
LOGS=$BULKHEAD_ROOT/var/log/bulkhead
pol=$BULKHEAD_ROOT/etc/qubes/policy.d
mkdir -p "$pol"
cat >"$pol/30-test.policy" <<'P'
test.N      *  work  personal  ask
test.Always *  work  personal  ask
test.Min    *  work  personal  ask
test.Allow  *  work  personal  allow
P
BULKHEAD_ASK_TTY=$ASKTTY start_bulkheadd
for q in work personal; do expect_ok qvm-create --label green "$q" >/dev/null; done
expect_ok qvm-start work personal >/dev/null
in_qube personal 0 sh -c 'mkdir -p /usr/local/etc/qubes-rpc && cd /usr/local/etc/qubes-rpc &&
  printf "#!/bin/sh\necho ran \$QREXEC_SERVICE_FULL_NAME\n" >test.N && chmod +x test.N &&
  for s in Always Min Allow; do cp test.N test.$s; done' || fail "installing the services"
call() { in_qube work 1000 /usr/lib/bulkhead/bin/qrexec-client-vm personal "$@" </dev/null 2>/dev/null; }

. "$(dirname "$0")/../lib/ask_user.sh"
# Nobody at the terminal: a prompt that opens now finds no terminal and
# denies.  So a call that succeeds without a user was not prompted for.
nobody() { rm -f "$ASKTTY"; }
trap '[ -n "$UPID" ] && kill "$UPID" 2>/dev/null; stop_bulkheadd' EXIT

note "allow: a capability minted by capd and redeemed by personal's daemon"
[ "$(call test.Allow)" = "ran test.Allow+" ] || fail "allowed call"

note "the next 2 calls: the prompted call is the first, the second needs no prompt, the third asks again"
user "Target [" "1\n" "Scope [" "2\n" "N, calls [" "2\n" "[y/N]: " "y\n"
[ "$(call test.N)" = "ran test.N+" ] || fail "call 1 of 2"
user_done
nobody
[ "$(call test.N)" = "ran test.N+" ] || fail "call 2 of 2 (the grant)"
call test.N; [ $? -eq 126 ] || fail "call 3: the grant should be used up (and nobody answers)"

note "until revoked: no prompt, listed by qvm-cap, revoked at once"
user "Target [" "1\n" "Scope [" "4\n" "[y/N]: " "y\n"
[ "$(call test.Always)" = "ran test.Always+" ] || fail "call with the user"
user_done
nobody
for i in 1 2 3; do [ "$(call test.Always)" = "ran test.Always+" ] || fail "call $i under the standing grant"; done
line=$(qvm-cap list | grep 'test.Always') || fail "qvm-cap list: $(qvm-cap list 2>&1)"
id=$(echo "$line" | awk '{print $1}')
case $line in *work*personal*) ;; *) fail "qvm-cap list line: $line" ;; esac

note "for T minutes: no prompt within them"
user "Target [" "1\n" "Scope [" "3\n" "T, minutes [" "5\n" "[y/N]: " "y\n"
[ "$(call test.Min)" = "ran test.Min+" ] || fail "call with the user"
user_done
nobody
[ "$(call test.Min)" = "ran test.Min+" ] || fail "call within the minutes"

note "capd unresponsive: calls refused (fail closed); killed: restarted by the monitor, grants kept"
ours_capd() {
	for p in $(pgrep -x capd); do
		tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "BULKHEAD_ROOT=$BULKHEAD_ROOT" && echo "$p"
	done
}
capd_pid=$(ours_capd)
[ -n "$capd_pid" ] || fail "no capd of ours"
kill -STOP "$capd_pid"
out=$(call test.Allow); rc=$?
kill -CONT "$capd_pid"
[ $rc -ne 0 ] && [ -z "$out" ] || fail "a call went through while capd did not answer: $rc '$out'"
kill -KILL "$capd_pid"
for _ in $(seq 100); do new=$(ours_capd); [ -n "$new" ] && [ "$new" != "$capd_pid" ] && break; sleep 0.05; done
[ -n "$new" ] && [ "$new" != "$capd_pid" ] || fail "capd was not restarted"
for _ in $(seq 50); do [ "$(call test.Allow)" = "ran test.Allow+" ] && break; sleep 0.1; done
[ "$(call test.Allow)" = "ran test.Allow+" ] || fail "calls do not work after capd's restart"
[ "$(call test.Always)" = "ran test.Always+" ] || fail "the standing grant did not survive capd's restart"

note "revoked: the next call asks again (nobody answers: refused)"
expect_ok qvm-cap revoke "$id" >/dev/null
call test.Always; [ $? -eq 126 ] || fail "a call under a revoked grant"
qvm-cap list | grep -q 'test.Always' && fail "the revoked grant is still listed"

note "a dom0 request with no valid capability: refused by the target's daemon, nothing runs"
"$BULKHEAD_BUILD/tests/fake-agent" dom0-exec personal "root:touch /tmp/forged" >/dev/null 2>&1 &&
	fail "the daemon ran a call without a capability"
in_qube personal 0 test -e /tmp/forged && fail "the forged call ran"
grep -q "capd refused the call's capability" "$LOGS/qrexec.personal.log" || fail "the refusal is not logged"

note "a removed qube's standing grants are revoked with it"
echo 'test.Temp * work temp ask' >"$pol/20-temp.policy"
expect_ok qvm-create --label gray temp >/dev/null
expect_ok qvm-start temp >/dev/null
in_qube temp 0 sh -c 'mkdir -p /usr/local/etc/qubes-rpc && printf "#!/bin/sh\necho ran\n" >/usr/local/etc/qubes-rpc/test.Temp &&
  chmod +x /usr/local/etc/qubes-rpc/test.Temp' || fail "installing test.Temp"
user "Target [" "1\n" "Scope [" "4\n" "[y/N]: " "y\n"
[ "$(in_qube work 1000 /usr/lib/bulkhead/bin/qrexec-client-vm temp test.Temp </dev/null)" = ran ] || fail "call to temp"
user_done
qvm-cap list | grep -q 'test.Temp' || fail "no grant for temp"
expect_ok qvm-kill temp >/dev/null
expect_ok qvm-remove --force temp >/dev/null
qvm-cap list | grep -q 'test.Temp' && fail "temp's grant outlived temp"

note "the audit log verifies and holds every kind of event"
out=$(bulkhead-audit verify) || fail "bulkhead-audit verify: $out"
for e in policy mint mint-from-grant redeem grant-create grant-revoke refuse capd-start; do
	bulkhead-audit show --event "$e" | grep -q . || fail "no $e record in the audit log"
done
echo ok
