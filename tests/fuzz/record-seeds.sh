#!/usr/bin/env bash
# Regenerates the seed corpora of the daemon-loop fuzzers from the tests'
# own clients and attackers, the messages dom0 sends an agent in the
# qrexec tests, and those tests' calls under their policies
# (tests/fuzz/record_*):
#   tests/fuzz/record-seeds.sh [BUILD]     (default build/; builds what it needs)
# then review `git status tests/fuzz/corpus` and commit.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
cd "$top"
make --no-print-directory BUILD="$build" "$build/tests/record-agent" "$build/tests/fake-agent" \
	"$build/tests/record-dom0" >/dev/null
out=tests/fuzz/corpus/qrexec_daemon
rm -rf "$out" && mkdir -p "$out"
"$build/tests/record-agent" "$out" $("$build/tests/fake-agent" list)
echo "$out: $(ls "$out" | wc -l) seeds, $(du -sk "$out" | cut -f1) KiB"
out=tests/fuzz/corpus/qrexec_agent
rm -rf "$out" && mkdir -p "$out"
"$build/tests/record-dom0" "$out"
echo "$out: $(ls "$out" | wc -l) seeds, $(du -sk "$out" | cut -f1) KiB"
out=tests/fuzz/corpus/policyd_decision
rm -rf "$out" && mkdir -p "$out"
tests/fuzz/record_policyd.py "$out"
