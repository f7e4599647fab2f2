#!/usr/bin/env bash
# tests/run: once
# tests/run: first
# tests/run: no-build
# tests/run: limit=900
# `make proofs` inside `make test` (issue #5): proofs/run from scratch
# (its own output and WP cache under BULKHEAD_ROOT, so every goal is sent
# to the provers, as on a fresh CI machine), then the results it wrote
# are checked again here: every *_parse.c proved with at least one goal,
# every Eva driver at 0 alarms, every negative patch failing to prove.
# "no-build", "first" and "limit=900": the longest test (several minutes
# of CPU), started before the builds of `make test` (tests/run --build),
# or first without them, so that the rest runs beside it.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${BULKHEAD_ROOT:?}"
if ! command -v frama-c >/dev/null 2>&1; then
	echo "skipped: frama-c is not installed (make deps installs frama-c-base why3 z3 cvc4)"
	exit 77
fi
out=$BULKHEAD_ROOT/proofs
PROOFS_OUT=$out "$top/proofs/run"
rc=$?
if [ $rc -ne 0 ]; then
	echo "proofs/run exited $rc"
	exit 1
fi

fail=0
no() { echo "FAIL: $*"; fail=1; }
results=$out/results.tsv
negatives=$out/negative.tsv
parsers=$("$top/proofs/run" --list)
for f in $parsers; do
	line=$(awk -F'\t' -v f="$f" '$1 == f && $2 != "eva"' "$results")
	echo "$line" | awk -F'\t' '$2 == $3 && $3 > 0 && $4 == "proved" { ok = 1 } END { exit !ok }' ||
		no "$f: not proved in results.tsv: '${line:-missing}'"
	drv=proofs/eva/$(basename "$f")
	line=$(awk -F'\t' -v d="$drv" '$1 == d && $2 == "eva"' "$results")
	echo "$line" | awk -F'\t' '$3 == "0" && $4 == "proved" { ok = 1 } END { exit !ok }' ||
		no "$drv: Eva not at 0 alarms in results.tsv: '${line:-missing}'"
done
for p in "$top"/proofs/negative/*.patch; do
	[ -f "$p" ] || continue
	rel=proofs/negative/$(basename "$p")
	grep -qxF "$rel	pass" "$negatives" || no "$rel: the broken copy did not fail as required"
done
[ -n "$parsers" ] || no "no *_parse.c found"
[ "$(grep -c '	pass$' "$negatives")" -ge 2 ] || no "fewer than two negative tests passed"
[ $fail -eq 0 ] && echo "proofs: $(grep -c . "$results") results and $(grep -c . "$negatives") negative tests checked"
exit $fail
