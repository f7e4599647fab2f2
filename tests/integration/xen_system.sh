#!/usr/bin/env bash
# tests/run: once
# tests/run: first
# tests/run: limit=900
# The Xen system test (SPEC/xen-system.md, issue #6) in make test: boots
# Xen 4.17 in QEMU once and runs tests/xen/system.sh in dom0 (two qubes
# made with qvm-* as PV domains, qrexec over real vchans under policy:
# allowed, denied, a capability refused at the target; the audit log; a
# clean shutdown).  Fails if any check fails.  It uses BUILD/image when
# that is newer than everything it is made of (make image), else builds
# the image of this build into its own root.  Skipped (77) only when
# qemu-system-x86_64 or the Xen hypervisor is not installed (make deps
# installs both).  About 3 minutes on an idle 2-core machine, more in the
# loaded suite: "first" starts it beside the rest, limit= gives the boot
# its 840 s.
. "$(dirname "$0")/../lib/common.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v qemu-system-x86_64 >/dev/null ||
	skip "qemu-system-x86_64 not installed (make deps installs qemu-system-x86)"
[ -e /boot/xen-4.17-amd64.gz ] ||
	skip "/boot/xen-4.17-amd64.gz not installed (make deps installs xen-hypervisor-4.17-amd64)"

# BUILD/image is up to date when its checksums are newer than the
# programs it holds and the files it is built from.
img=$BULKHEAD_BUILD/image
stale=yes
if [ -s "$img/SHA256SUMS" ]; then
	newer=$(find "$BULKHEAD_BUILD/bin" "$BULKHEAD_BUILD/qube/bin" "$top/image" -newer "$img/SHA256SUMS" \
		\( -type f -o -type l \) -print -quit 2>/dev/null)
	[ -z "$newer" ] && stale=no
fi
if [ "$stale" = yes ]; then
	img=$BULKHEAD_ROOT/image
	"$top/image/build.sh" "$BULKHEAD_BUILD" "$img" >"$BULKHEAD_ROOT/image.log" 2>&1 ||
		fail "image/build.sh: $(tail -n 3 "$BULKHEAD_ROOT/image.log")"
fi
echo "image: $img"
"$top/tests/xen/boot.sh" -i "$img" -t 840 -l "$BULKHEAD_ROOT/serial.log" \
	"$top/tests/xen/system.sh" "$BULKHEAD_BUILD/tests/fake-agent"
rc=$?
# The image is there: boot.sh's 77 (no QEMU, no image) cannot be a skip.
# The serial log (with dom0's logs, dumped after some failures) outlives
# the root, in the build tree, for whoever reads the failure.
if [ "$rc" -ne 0 ]; then
	cp "$BULKHEAD_ROOT/serial.log" "$BULKHEAD_BUILD/xen_system.serial.log" 2>/dev/null
	fail "tests/xen/boot.sh exited $rc (a check failed: see above; serial log kept as $BULKHEAD_BUILD/xen_system.serial.log)"
fi
