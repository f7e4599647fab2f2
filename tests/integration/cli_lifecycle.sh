#!/usr/bin/env bash
# qvm-start, qvm-shutdown --wait, qvm-kill and qvm-remove of a running
# qube, against the real bulkheadd and its backend.  The one CLI test that
# starts a qube; skipped where the backend cannot start one.
. "$(dirname "$0")/../lib/common.sh"

[ -x "$BIN/bulkheadd" ] || skip "bulkheadd not built yet"
start_bulkheadd
expect_ok qvm-create -l red work >/dev/null
state() { qvm-ls --format json work | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["state"])'; }

if ! err=$(qvm-start work 2>&1); then
	skip "the backend cannot start a qube here: $err"
fi
[ "$(state)" = Running ] || fail "after qvm-start: $(state)"

note "refusals while running"
before=$(qvm-ls --format json; qvm-prefs work)
expect_fail 1 qvm-remove -f work >/dev/null
expect_fail 1 qvm-prefs work memory 800 >/dev/null
expect_fail 1 qvm-start work >/dev/null
after=$(qvm-ls --format json; qvm-prefs work)
[ "$before" = "$after" ] || fail "refusals changed the registry"

note "shutdown --wait"
expect_ok qvm-shutdown --wait --timeout 60 work >/dev/null
[ "$(state)" = Halted ] || fail "after qvm-shutdown --wait: $(state)"
expect_ok qvm-shutdown --wait work >/dev/null   # already halted: nothing to do
# The backend's own notes in the qube's console log, among its output.
grep -q '^bulkhead: starting work' "$BULKHEAD_ROOT/var/log/bulkhead/qubes/work.log" &&
	grep -q '^bulkhead: qube-init exited with status' "$BULKHEAD_ROOT/var/log/bulkhead/qubes/work.log" ||
	fail "no start and exit notes in the console log: $(tail -n 3 "$BULKHEAD_ROOT/var/log/bulkhead/qubes/work.log")"

note "kill"
expect_ok qvm-start work >/dev/null
expect_ok qvm-kill work >/dev/null
for _ in $(seq 1 100); do [ "$(state)" = Halted ] && break; sleep 0.1; done
[ "$(state)" = Halted ] || fail "after qvm-kill: $(state)"
expect_ok qvm-kill work >/dev/null              # already halted: nothing to do

note "shutdown --all"
expect_ok qvm-start work >/dev/null
expect_ok qvm-shutdown --all --wait >/dev/null
[ "$(state)" = Halted ] || fail "after --all: $(state)"
expect_ok qvm-remove -f work >/dev/null
echo ok
