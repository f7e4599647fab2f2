#!/usr/bin/env bash
# A policy `ask` answered by the user through the real prompt: a qube's
# call, qrexec-policyd, its runner, bulkhead-ask on a terminal
# (BULKHEAD_ASK_TTY; tests/lib/ask-tty.py plays the user).
. "$(dirname "$0")/../lib/common.sh"
command -v nsenter >/dev/null || skip "nsenter (util-linux) not installed"
command -v python3 >/dev/null || fail "python3 is missing (make deps installs it)"
ASKTTY=$BULKHEAD_ROOT/ask-tty
pol=$BULKHEAD_ROOT/etc/qubes/policy.d
mkdir -p "$pol"
echo 'test.Ask * work @anyvm ask default_target=personal' >"$pol/30-test.policy"
BULKHEAD_ASK_TTY=$ASKTTY start_bulkheadd
for q in work personal vault; do expect_ok qvm-create --label orange "$q" >/dev/null; done
expect_ok qvm-start work personal vault >/dev/null
for q in personal vault; do
	in_qube "$q" 0 sh -c 'mkdir -p /usr/local/etc/qubes-rpc &&
	  printf "#!/bin/sh\necho \"\$(hostname) got \$QREXEC_SERVICE_FULL_NAME\"\n" >/usr/local/etc/qubes-rpc/test.Ask &&
	  chmod +x /usr/local/etc/qubes-rpc/test.Ask' || fail "installing the service in $q"
done
call() { in_qube work 1000 /usr/lib/bulkhead/bin/qrexec-client-vm "$@"; }

. "$(dirname "$0")/../lib/ask_user.sh"
trap '[ -n "$UPID" ] && kill "$UPID" 2>/dev/null; stop_bulkheadd' EXIT

note "the prompt shows the call; the user takes the default target"
user "From:     " "" "work" "" "Service:  test.Ask" "" "Target [" "\n" "Scope [" "\n" "-> personal, scope once? [y/N]: " "y\n"
[ "$(call @default test.Ask+x </dev/null)" = "personal got test.Ask+x" ] || fail "allowed call to the default"
user_done

note "the user picks another target the policy offers"
# Targets are listed by name: host-base, personal, vault, work.
user "Target [" "3\n" "Scope [" "\n" "[y/N]: " "y\n"
[ "$(call @default test.Ask </dev/null)" = "vault got test.Ask+" ] || fail "allowed call to the chosen target"
user_done

note "the user says no, or lets the default (no) stand"
user "Target [" "\n" "Scope [" "\n" "[y/N]: " "n\n"
call @default test.Ask </dev/null 2>/dev/null; [ $? -eq 126 ] || fail "no is not 126"
user_done
user "Target [" "n\n"
call @default test.Ask </dev/null 2>/dev/null; [ $? -eq 126 ] || fail "deny at the target question is not 126"
user_done
grep -q "work -> personal test.Ask+x: the user allowed this call" "$BULKHEAD_ROOT/var/log/bulkhead/qrexec-policyd.log" ||
	fail "the user's answer is not logged"
echo ok
