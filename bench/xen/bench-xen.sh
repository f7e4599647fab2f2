#!/usr/bin/env bash
# bench-xen: the Xen measurements of issue #6 in `make bench`
# (SPEC/xen-system.md "Measurements").  bench/module.mk installs this as
# BUILD/bench/bench-xen; bench/run runs it from the source tree like every
# bench-* program and reads its `name value unit baseline` lines.
#
# Builds the image (image/build.sh BUILD), boots it once in QEMU
# (tests/xen/boot.sh) with tests/xen/bench.sh in dom0, and prints the
# figures that script marked on the serial log: each Bulkhead figure
# against the raw libxenvchan figure of the same boot.  QEMU's TCG makes
# absolute times meaningless; the ratios are the result.
#
# Skips (status 0, the reason on stderr, no figures) without QEMU or Xen
# 4.17, or with BENCH_XEN=0.  BENCH_XEN_LIMIT: the boot's time limit in
# seconds (default 1200).  The serial log stays in BUILD/bench/xen-serial.log.
set -u
build=$(cd "$(dirname "$0")/.." && pwd)
top=$PWD
skip() { echo "bench-xen: skipped: $*" >&2; exit 0; }
[ "${BENCH_XEN:-1}" != 0 ] || skip "BENCH_XEN=0"
[ -f "$top/tests/xen/boot.sh" ] && [ -f "$top/image/build.sh" ] ||
	skip "not run from the source tree (bench/run does that)"
command -v qemu-system-x86_64 >/dev/null 2>&1 || skip "qemu-system-x86_64 is not installed (make deps)"
[ -e /boot/xen-4.17-amd64.gz ] && [ -x /usr/lib/xen-4.17/bin/xl ] ||
	skip "Xen 4.17 (xen-hypervisor-4.17-amd64, xen-utils-4.17) is not installed (make deps)"
limit=${BENCH_XEN_LIMIT:-1200}
case $limit in '' | *[!0-9]*) echo "bench-xen: BENCH_XEN_LIMIT must be a number of seconds" >&2; exit 2 ;; esac

echo "bench-xen: building the image (image/build.sh $build)" >&2
"$top/image/build.sh" "$build" >&2 || { echo "bench-xen: the image did not build" >&2; exit 1; }
log=$build/bench/xen-serial.log
echo "bench-xen: one boot of Xen in QEMU (up to ${limit}s)" >&2
BULKHEAD_BUILD=$build "$top/tests/xen/boot.sh" -t "$limit" -l "$log" "$top/tests/xen/bench.sh" >&2
rc=$?
[ "$rc" -ne 77 ] || skip "boot.sh found no QEMU or no image"
# Only well-formed lines: 4 fields, a decimal value.
tr -d '\r' <"$log" | grep -ao 'BHBENCH .*' |
	awk 'NF == 5 && $3 ~ /^[0-9]+(\.[0-9]+)?$/ { print $2, $3, $4, $5 }'
[ "$rc" -eq 0 ] || echo "bench-xen: the boot reported failures (above); figures it could not measure are missing" >&2
exit "$rc"
