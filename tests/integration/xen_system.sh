#!/usr/bin/env bash
# tests/run: once
# tests/run: limit=900
# The Xen system test (SPEC/xen-system.md): builds the images of this
# build, boots Xen in QEMU once and runs tests/xen/system.sh in dom0 (two
# qubes as PV domains, qrexec over vchans under policy, a capability
# refused at the target, the audit log, shutdown).  One boot: about 4-7
# minutes on these loaded 2-core machines (QEMU emulates the CPU), hence
# the limit.
. "$(dirname "$0")/../lib/common.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (mk/deps.sh could not install qemu-system-x86)"
[ -e /boot/xen-4.17-amd64.gz ] && [ -x /usr/lib/xen-4.17/bin/xl ] ||
	skip "Xen 4.17 not installed (mk/deps.sh could not install xen-hypervisor-4.17-amd64, xen-utils-4.17)"
img=$BULKHEAD_ROOT/image
"$top/image/build.sh" "$BULKHEAD_BUILD" "$img" >"$BULKHEAD_ROOT/image.log" 2>&1 ||
	fail "image/build.sh: $(tail -n 3 "$BULKHEAD_ROOT/image.log")"
# The boot gets 840 of the 900 s.
"$top/tests/xen/boot.sh" -i "$img" -t 840 -l "$BULKHEAD_ROOT/serial.log" \
	"$top/tests/xen/system.sh" "$BULKHEAD_BUILD/tests/fake-agent"
rc=$?
[ "$rc" -eq 77 ] && skip "the image was not built"
exit "$rc"
