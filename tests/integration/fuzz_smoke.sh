#!/usr/bin/env bash
# tests/run: once
# Runs every libFuzzer target for FUZZ_SECONDS (default 10) from its seed
# corpus; any crash, assertion or sanitizer report fails the test.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${BULKHEAD_BUILD:?}" "${BULKHEAD_ROOT:?}"
secs=${FUZZ_SECONDS:-10}
fuzzdir=$BULKHEAD_BUILD/fuzz
if [ ! -d "$fuzzdir" ]; then
	echo "skipped: fuzzers are built once, with their own sanitizers, in build/fuzz"
	exit 77
fi
rc=0
for f in "$fuzzdir"/fuzz_*; do
	name=${f##*/fuzz_}
	corpus=$BULKHEAD_ROOT/corpus-$name
	mkdir -p "$corpus"
	cp "$top/tests/fuzz/corpus/$name"/* "$corpus"/ 2>/dev/null
	if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$BULKHEAD_ROOT/" \
		"$corpus" >"$BULKHEAD_ROOT/$name.log" 2>&1; then
		echo "fuzz_$name: $(grep -Eo '^Done [0-9]+ runs' "$BULKHEAD_ROOT/$name.log" | tail -1), $(grep -Eo 'cov: [0-9]+' "$BULKHEAD_ROOT/$name.log" | tail -1) in ${secs}s"
	else
		echo "fuzz_$name: FAILED"
		tail -n 30 "$BULKHEAD_ROOT/$name.log"
		rc=1
	fi
done
exit $rc
