# Sourced by tests that answer bulkhead-ask's terminal prompt on $ASKTTY.
#
# user EXPECT SEND ...: plays the user for the next prompt, in the
# background (tests/lib/ask-tty.py).  The background shell may not have
# created user.out yet: the previous dialogue's "ready" must not count,
# hence the removal first.  user_done waits for the dialogue to end.
UPID=
user() {
	rm -f "$BULKHEAD_ROOT/user.out"
	python3 "$(dirname "$0")/../lib/ask-tty.py" "$ASKTTY" "$@" >"$BULKHEAD_ROOT/user.out" 2>"$BULKHEAD_ROOT/user.err" &
	UPID=$!
	for _ in $(seq 100); do grep -q ready "$BULKHEAD_ROOT/user.out" 2>/dev/null && return 0; sleep 0.05; done
	fail "ask-tty.py did not start: $(cat "$BULKHEAD_ROOT/user.err")"
}
user_done() { wait "$UPID" || fail "the user's dialogue: $(cat "$BULKHEAD_ROOT/user.err")"; UPID=; }
