#!/usr/bin/env bash
# Regenerates the seed corpora of the daemon-loop fuzzers from the tests'
# own clients and attackers (tests/fuzz/record_*.c):
#   tests/fuzz/record-seeds.sh [BUILD]     (default build/; builds what it needs)
# then review `git status tests/fuzz/corpus` and commit.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
cd "$top"
make --no-print-directory BUILD="$build" "$build/tests/record-agent" "$build/tests/fake-agent" >/dev/null
out=tests/fuzz/corpus/qrexec_daemon
rm -rf "$out" && mkdir -p "$out"
"$build/tests/record-agent" "$out" $("$build/tests/fake-agent" list)
echo "$out: $(ls "$out" | wc -l) seeds, $(du -sk "$out" | cut -f1) KiB"
