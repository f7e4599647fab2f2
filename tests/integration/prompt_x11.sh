#!/usr/bin/env bash
# bulkhead-ask's X11 window under Xvfb, answered through XTEST by
# tests/prompt/ask-driver (synthetic keys and clicks, as from a real
# keyboard and mouse): each scope (once, calls:N, minutes:T, always) by
# mouse and by keyboard, deny by button, by Escape, by Enter on the
# initial focus, by closing, by timeout; early clicks ignored; DEFAULT
# preselected or nothing selected; a long list scrolled.  Saves a
# screenshot (printed path) and copies it to audit/prompt.png.
. "$(dirname "$0")/../lib/common.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
ASK=$BIN/bulkhead-ask
DRV=$BULKHEAD_BUILD/tests/ask-driver
[ -x "$ASK" ] || fail "no $ASK (build first)"
[ -x "$DRV" ] || fail "no $DRV (build first)"
command -v Xvfb >/dev/null 2>&1 || skip "Xvfb is not installed (make deps installs xvfb)"

tmp=$BULKHEAD_ROOT/prompt
mkdir -p "$tmp"
XVFB_PID=
PROMPT=
cleanup() {
	[ -n "$PROMPT" ] && kill "$PROMPT" 2>/dev/null
	if [ -n "$XVFB_PID" ]; then
		kill "$XVFB_PID" 2>/dev/null
		wait "$XVFB_PID" 2>/dev/null
	fi
	stop_bulkheadd
}
trap cleanup EXIT

# Xvfb picks a free display itself and writes its number on fd 3 when
# it accepts connections.
# -noreset: an X server resets when its last client leaves, and refuses
# connections meanwhile; the driver and the prompts come and go.
Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp -noreset 3>"$tmp/display" 2>"$tmp/xvfb.log" &
XVFB_PID=$!
for _ in $(seq 1 200); do
	[ -s "$tmp/display" ] && break
	kill -0 "$XVFB_PID" 2>/dev/null || { XVFB_PID=; skip "Xvfb cannot start: $(tail -n 1 "$tmp/xvfb.log")"; }
	sleep 0.05
done
[ -s "$tmp/display" ] || skip "Xvfb did not accept connections within 10 s"
export DISPLAY=:$(head -n 1 "$tmp/display")
note "Xvfb on $DISPLAY"
unset BULKHEAD_ASK_TTY
export BULKHEAD_ASK_TIMEOUT=60   # a stuck prompt fails the test, not the runner

# start ARGS...: the prompt in the background, its window shown.
start() {
	ARGS=("$@")
	"$ASK" "$@" >"$tmp/out" 2>"$tmp/err" &
	PROMPT=$!
	"$DRV" wait 20000 >/dev/null || fail "no window for: $*"
}
# The window ignores input for its first 500 ms.
past_guard() { sleep 0.7; }
drv() { "$DRV" "$@" || fail "ask-driver $*"; }
click() { local w; for w in "$@"; do drv click "$w" -- "${ARGS[@]}"; done; }

# finish RC OUT WHAT: the prompt exits (within 10 s) with RC, printing OUT.
finish() {
	local want_rc=$1 want_out=$2 what=$3 rc
	for _ in $(seq 1 200); do
		kill -0 "$PROMPT" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$PROMPT" 2>/dev/null; then
		kill "$PROMPT"
		wait "$PROMPT" 2>/dev/null
		PROMPT=
		fail "$what: the prompt is still waiting"
	fi
	wait "$PROMPT"
	rc=$?
	PROMPT=
	[ "$rc" -eq "$want_rc" ] || fail "$what: exit $rc, expected $want_rc ($(cat "$tmp/err"))"
	[ "$(cat "$tmp/out")" = "$want_out" ] || fail "$what: printed '$(cat "$tmp/out")', expected '$want_out'"
	drv gone 5000
	echo "ok: $what -> exit $rc${want_out:+, \"$want_out\"}"
}

still_waiting() {
	kill -0 "$PROMPT" 2>/dev/null || fail "$1: the prompt has already answered: '$(cat "$tmp/out")'"
}

note "scopes by mouse"
start work red qubes.Filecopy+ - personal vault
past_guard
click target:1 allow
finish 0 "vault once" "target picked, Allow (once)"

start work red qubes.Filecopy+ - personal vault
past_guard
click target:0 calls calls+ calls+ calls+
shots=${TMPDIR:-/tmp}/bulkhead-prompt-shots
mkdir -p "$shots"
drv shot "$shots/prompt.png" >/dev/null
click allow
finish 0 "personal calls:8" "next N calls, N raised to 8 with [+]"

start personal orange my.Svc+some.arg vault work vault
past_guard
click minutes- minutes- minutes- minutes- minutes- allow
finish 0 "vault minutes:10" "T minutes, lowered to 10 with [-], DEFAULT kept"

start work red qubes.Filecopy+ - personal vault
past_guard
click target:0 always allow
finish 0 "personal always" "until revoked"

note "scopes by keyboard"
start work blue qubes.OpenURL+ vault personal vault
past_guard
# Focus starts on Deny: Tab -> list -> once -> calls; Right twice (N 5->7); Shift-Tab back
# round to Allow: calls -> once -> list -> Deny -> Allow.
drv key Tab Tab Tab Right Right BackTab BackTab BackTab BackTab Return
finish 0 "vault calls:7" "N by keyboard, DEFAULT preselected"

start work green qubes.OpenURL+ vault personal vault
past_guard
drv key Tab Tab Tab Tab End Tab Tab Return
finish 0 "vault minutes:1440" "T by keyboard (End: the maximum)"

start work purple my.Svc+ - q0 q1 q2 q3 q4 q5 q6 q7 q8 q9
past_guard
# A list longer than its rows: End scrolls to the last target.
drv key Tab End Tab Tab Tab Tab space Tab Return
finish 0 "q9 always" "long list scrolled, until revoked"

note "deny"
start work red qubes.Filecopy+ vault personal vault
grep -q '^Seccomp:[[:space:]]*2' "/proc/$PROMPT/status" || fail "the prompt reads X events without its seccomp filter"
past_guard
click deny
finish 1 "" "Deny button (the prompt under seccomp)"

start work red qubes.Filecopy+ vault personal vault
past_guard
drv key Escape
finish 1 "" "Escape"

start work red qubes.Filecopy+ vault personal vault
past_guard
drv key Return
finish 1 "" "Enter on the initial focus (Deny), DEFAULT preselected"

start work red qubes.Filecopy+ vault personal vault
past_guard
drv close
finish 1 "" "window closed (WM_DELETE_WINDOW)"

BULKHEAD_ASK_TIMEOUT=1 start work red qubes.Filecopy+ vault personal vault
finish 1 "" "no answer within the timeout"

note "nothing preselected: Allow is disabled"
start work red qubes.Filecopy+ - personal vault
past_guard
click allow
sleep 0.3
still_waiting "Allow clicked with no target"
drv key Tab Tab Tab Tab Tab Tab Return   # the Tab ring skips Allow: ends on Deny
finish 1 "" "Allow disabled until a target is picked"

note "early input is ignored"
ARGS=(work red qubes.Filecopy+ vault personal vault)
"$ASK" "${ARGS[@]}" >"$tmp/out" 2>"$tmp/err" &
PROMPT=$!
# Clicks Allow (enabled: DEFAULT is set) at once when the window maps.
drv early-click allow 200 -- "${ARGS[@]}"
sleep 0.2
still_waiting "a click right after mapping"
past_guard
still_waiting "a click right after mapping (later)"
click allow
finish 0 "vault once" "early click ignored, the same click after 500 ms allows"

cp "$shots/prompt.png" "$top/audit/.prompt.png.$$" && mv "$top/audit/.prompt.png.$$" "$top/audit/prompt.png" ||
	fail "cannot copy the screenshot to audit/"
echo "screenshot: $shots/prompt.png (copied to audit/prompt.png)"
echo "all prompt_x11 cases passed"
