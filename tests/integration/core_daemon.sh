#!/usr/bin/env bash
# bulkheadd as a daemon: foreground service, clean SIGTERM stop, one daemon
# per root, persistence across restarts, refusal of a corrupt registry.
. "$(dirname "$0")/../lib/common.sh"
reg=$BULKHEAD_ROOT/var/lib/bulkhead/qubes.registry

start_bulkheadd
expect_ok qvm-create --label red work >/dev/null
expect_ok qvm-prefs work memory 512 >/dev/null

note "a second daemon on the same root is refused"
out=$("$BIN/bulkheadd" 2>&1) && fail "second bulkheadd started"
grep -q "another bulkheadd" <<<"$out" || fail "unclear error: $out"

note "SIGTERM stops it cleanly"
stop_bulkheadd || fail "bulkheadd did not stop on SIGTERM"

note "state persists across a restart"
start_bulkheadd
[ "$(qvm-prefs work memory)" = 512 ] || fail "memory not persisted"
qvm-ls --raw-list | grep -qx work || fail "work not listed after restart"
stop_bulkheadd

note "a corrupt registry is refused, with a clear error, and left as it is"
cp "$reg" "$BULKHEAD_ROOT/good"
sed -i 's/memory 512/memory 513/' "$reg"
cp "$reg" "$BULKHEAD_ROOT/bad"
out=$(timeout 10 "$BIN/bulkheadd" 2>&1) && fail "bulkheadd started on a corrupt registry"
grep -q "refusing to start" <<<"$out" || fail "unclear error: $out"
grep -q "checksum" <<<"$out" || fail "error does not say why: $out"
cmp -s "$reg" "$BULKHEAD_ROOT/bad" || fail "the corrupt registry was modified"

note "usage errors"
expect_fail 2 "$BIN/bulkheadd" --bogus >/dev/null
expect_fail 2 "$BIN/bulkheadd" extra-arg >/dev/null
"$BIN/bulkheadd" --help | grep -q usage || fail "--help"
cp "$BULKHEAD_ROOT/good" "$reg"
start_bulkheadd
[ "$(qvm-prefs work memory)" = 512 ] || fail "restored registry not loaded"
echo ok
