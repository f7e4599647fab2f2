#!/usr/bin/env bash
# tests/run: once
# audit/report.md is current: regenerated from the tree and the committed
# records (audit/README.md), it must equal the committed file.  And when
# make proofs has run in this build, its results must be the ones
# committed in audit/proofs-record.tsv (the report's proof section).
. "$(dirname "$0")/../lib/common.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
dump=$BULKHEAD_BUILD/audit/seccomp-dump
[ -x "$dump" ] || fail "$dump not built (make all builds it)"

fresh=$BULKHEAD_ROOT/report.md
"$top/audit/report" --dump "$dump" >"$fresh" || fail "audit/report failed"
grep -q '^## 6. Named deviations' "$fresh" || fail "the regenerated report is incomplete"
if ! cmp -s "$fresh" "$top/audit/report.md"; then
	diff -u "$top/audit/report.md" "$fresh" | head -n 40
	fail "audit/report.md is stale: run \`make audit\` and commit it (diff above: committed -> fresh)"
fi
echo "audit/report.md is current ($(wc -l <"$fresh") lines)"

results=$BULKHEAD_BUILD/proofs/results.tsv
if [ -f "$results" ]; then
	"$top/audit/report" --check-proofs "$results" || fail "the proof record is stale"
	echo "audit/proofs-record.tsv holds make proofs' results"
else
	echo "no $results: make proofs has not run in this build; the committed record is not checked against it"
fi
