#!/usr/bin/env bash
# bulkhead-ask on a terminal (no X): answered through a pseudo-terminal by
# tests/prompt/tty-driver.py (yes with each scope, no, defaults, wrong
# answers, type-ahead discarded, timeout, hangup, colors, the fallback
# from an unusable $DISPLAY, no terminal at all), and its refusal of bad
# arguments (exit 2, one line).
. "$(dirname "$0")/../lib/common.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
ASK=$BIN/bulkhead-ask
[ -x "$ASK" ] || fail "no $ASK (build first)"
command -v python3 >/dev/null 2>&1 || fail "python3 is missing (make deps installs it)"
unset DISPLAY BULKHEAD_ASK_TTY

note "arguments"
expect_fail 2 "$ASK" >/dev/null
expect_fail 2 "$ASK" work red qubes.Filecopy+ - >/dev/null
expect_fail 2 "$ASK" 'wo rk' red qubes.Filecopy+ - a >/dev/null
expect_fail 2 "$ASK" work crimson qubes.Filecopy+ - a >/dev/null
expect_fail 2 "$ASK" work red qubes.Filecopy - a >/dev/null
expect_fail 2 "$ASK" work red $'svc+\e]0;x\a' - a >/dev/null
expect_fail 2 "$ASK" work red svc+ - '@anyvm' >/dev/null
expect_fail 2 "$ASK" work red svc+ - a a >/dev/null
expect_fail 2 "$ASK" work red svc+ b a >/dev/null
BULKHEAD_ASK_TIMEOUT=301 expect_fail 2 "$ASK" work red svc+ - a >/dev/null
BULKHEAD_ASK_TIMEOUT=0 expect_fail 2 "$ASK" work red svc+ - a >/dev/null
# An escape sequence in an argument never reaches the error line.
err=$("$ASK" work red $'svc+\e[2J' - a 2>&1 >/dev/null)
case $err in *$'\e'*) fail "an argument's bytes reached stderr: $err" ;; esac
echo "ok: bad arguments -> exit 2, one line each"

note "terminal"
python3 "$top/tests/prompt/tty-driver.py" "$ASK" || fail "tty-driver"
