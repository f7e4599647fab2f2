#!/usr/bin/env bash
# tests/run: once
# Runs every libFuzzer target for FUZZ_SECONDS (default 4 in make test:
# a smoke run from the seed corpus, 19 targets about 80 s of CPU, which
# the cold proofs beside it need more; `make fuzz FUZZ_SECONDS=N` is the
# long run) from its seed corpus; any crash, assertion or sanitizer
# report fails the test.  With
# FUZZ_RECORD=FILE (`make fuzz` sets audit/fuzz-record.tsv), a run where
# every target passed writes per target the CPU seconds, executions and
# libFuzzer's final coverage (cov: edges, ft: features) to FILE.
# -close_fd_mask=2: the daemon-loop targets run daemon code that logs
# every refusal to stderr; libFuzzer keeps its own output and the
# sanitizers' reports on a copy of stderr.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${BULKHEAD_BUILD:?}" "${BULKHEAD_ROOT:?}"
secs=${FUZZ_SECONDS:-4}
fuzzdir=$BULKHEAD_BUILD/fuzz
if [ ! -d "$fuzzdir" ]; then
	echo "skipped: fuzzers are built once, with their own sanitizers, in build/fuzz"
	exit 77
fi
rc=0
record=$BULKHEAD_ROOT/fuzz-record.tsv
printf '# target\tseconds\tcpu_s\texecs\tcov\tft\n' >"$record"
TIMEFORMAT='%U %S'   # bash's `time`: the fuzzer's user and system CPU seconds
for f in "$fuzzdir"/fuzz_*; do
	name=${f##*/fuzz_}
	corpus=$BULKHEAD_ROOT/corpus-$name
	log=$BULKHEAD_ROOT/$name.log
	mkdir -p "$corpus"
	cp "$top/tests/fuzz/corpus/$name"/* "$corpus"/ 2>/dev/null
	if { time "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=2 -artifact_prefix="$BULKHEAD_ROOT/" \
		"$corpus" >"$log" 2>&1; } 2>"$BULKHEAD_ROOT/$name.time"; then
		execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
		cov=$(sed -n 's/.*DONE .*cov: \([0-9]*\) ft: \([0-9]*\).*/\1 \2/p' "$log" | tail -1)
		cpu=$(awk '{ printf "%.1f", $1 + $2 }' "$BULKHEAD_ROOT/$name.time")
		printf 'fuzz_%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$secs" "$cpu" "${execs:-?}" \
			"${cov% *}" "${cov#* }" >>"$record"
		echo "fuzz_$name: ${execs:-?} runs, cov: ${cov% *} ft: ${cov#* } in ${secs}s (${cpu} s CPU)"
	else
		echo "fuzz_$name: FAILED"
		tail -n 30 "$BULKHEAD_ROOT/$name.log"
		rc=1
	fi
done
if [ $rc -eq 0 ] && [ -n "${FUZZ_RECORD:-}" ]; then
	{ echo "# Written by \`make fuzz FUZZ_SECONDS=$secs\` (tests/integration/fuzz_smoke.sh) on $(date -u +%Y-%m-%d),"
	  echo "# $(nproc) CPUs: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1).  audit/report.md copies it."
	  cat "$record"; } >"$FUZZ_RECORD.tmp" && mv "$FUZZ_RECORD.tmp" "$FUZZ_RECORD" && echo "recorded in $FUZZ_RECORD"
fi
exit $rc
