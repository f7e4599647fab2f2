#!/usr/bin/env bash
# make image: the Xen-in-QEMU system (SPEC/xen-system.md) under BUILD/image/
# (or OUT_DIR):
#
#   xen             the Xen hypervisor, uncompressed (QEMU's multiboot
#                   loader takes only that)
#   dom0-vmlinuz    the dom0 kernel (Debian's linux-image-amd64)
#   dom0.cpio.gz    dom0's initramfs: Xen's tools and daemons, Bulkhead's
#                   dom0 programs, image/dom0/init as /init; the qube image
#                   below inside it under /usr/lib/bulkhead/xen/
#   qube-vmlinux.gz the same kernel as a gzip'ed plain vmlinux (fast to
#                   load into a PV domU)
#   qube.cpio.gz    a qube's root: busybox, the qrexec agent and
#                   qrexec-client-vm, busybox init (image/qube/)
#
# Only from installed Debian packages (mk/deps.sh) and BUILD's programs:
# no downloads.  Reproducible: the same inputs give the same bytes.
# Usage: image/build.sh BUILD_DIR [OUT_DIR]   (OUT_DIR default BUILD_DIR/image)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/image/lib.sh"
[ $# -eq 1 ] || [ $# -eq 2 ] || { echo "usage: image/build.sh BUILD_DIR [OUT_DIR]" >&2; exit 2; }
build=$(cd "$1" && pwd)
out=${2:-$build/image}
XEN_GZ=/boot/xen-4.17-amd64.gz
XEN_BIN=/usr/lib/xen-4.17/bin
# The kernel linux-image-amd64 depends on, not whichever is newest in /boot.
kver=$(dpkg-query -W -f='${Depends}' linux-image-amd64 | sed -n 's/^linux-image-\([^ ,]*\).*/\1/p')
[ -n "$kver" ] && [ -e "/boot/vmlinuz-$kver" ] || { echo "image: no linux-image-amd64 kernel installed (make deps)" >&2; exit 1; }
for f in "$XEN_GZ" "$XEN_BIN/xl" "$build/bin/bulkheadd" "$build/qube/bin/qrexec-agent"; do
	[ -e "$f" ] || { echo "image: missing $f (make deps all BUILD=$1)" >&2; exit 1; }
done

nstep=0
step() { nstep=$((nstep + 1)); printf 'image: [%d/6] %s\n' "$nstep" "$*"; }
mkdir -p "$out"
work=$(mktemp -d "$out/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT

step "Xen 4.17 hypervisor (uncompressed from $XEN_GZ) and kernel $kver"
zcat "$XEN_GZ" >"$work/xen"
cp "/boot/vmlinuz-$kver" "$work/dom0-vmlinuz"

step "qube kernel: plain vmlinux out of the bzImage, gzip'ed"
img_vmlinux "/boot/vmlinuz-$kver" "$work/qube-vmlinux.gz"

step "qube root: busybox, qrexec-agent, qrexec-client-vm, busybox init"
q=$work/qube
img_skeleton "$q"
for p in "$build"/qube/bin/*; do
	img_prog "$q" "$p" "/usr/lib/bulkhead/bin/$(basename "$p")"
done
# make bench's raw libxenvchan client and its init (bench/xen/): a
# domain booted with rdinit=/usr/lib/bulkhead/bench/raw-init runs only that.
img_prog "$q" "$build/bench/xen/xenbench-qube" /usr/lib/bulkhead/bench/xenbench-qube
install -D -m 0755 "$top/bench/xen/raw-init" "$q/usr/lib/bulkhead/bench/raw-init"
img_prog "$q" /usr/bin/xenstore
# libxenstore cancels its reader thread with pthread_cancel, which
# dlopens libgcc_s (ldd does not list it): without it the agent aborts.
img_file "$q" "$(gcc -print-file-name=libgcc_s.so.1)" /lib/x86_64-linux-gnu/libgcc_s.so.1
for p in read write exists list; do ln -s xenstore "$q/usr/bin/xenstore-$p"; done
img_prog "$q" /sbin/mke2fs /usr/sbin/mke2fs
ln -s mke2fs "$q/usr/sbin/mkfs.ext4"
img_busybox "$q"
# The agent's vchans need the event channel and grant devices; the private
# volume (xvdb) needs blkfront and ext4.
# (ext4's checksums need crc32c: a softdep, not in modules.dep.)
img_modules "$q" "$kver" xen-evtchn xen-gntdev xen-gntalloc xen-blkfront crc32c-generic ext4
# The kernel runs /init from an initramfs: busybox init, by that name.
ln -s /usr/bin/busybox "$q/init"
install -m 0644 "$top/image/qube/inittab" "$q/etc/inittab"
install -D -m 0755 "$top/image/qube/rcS" "$q/etc/init.d/rcS"
ln -s /run/hostname "$q/etc/hostname"
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' >"$q/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' >"$q/etc/group"
mkdir -p "$q/home/user" "$q/usr/local/etc/qubes-rpc" "$q/etc/qubes-rpc"
chown 1000:1000 "$q/home/user"
img_cpio "$q" "$work/qube.cpio.gz"

step "dom0 root: Xen tools and daemons, kernel modules, busybox, bash"
d=$work/dom0
img_skeleton "$d"
for p in xl xenstored xenconsoled xen-init-dom0 libxl-save-helper; do
	img_prog "$d" "$XEN_BIN/$p"
done
ln -s ../lib/xen-4.17/bin/xl "$d/usr/sbin/xl"
# libxl dlopens libgcc_s (thread cancellation): ldd does not list it and xl
# aborts without it.
img_file "$d" "$(gcc -print-file-name=libgcc_s.so.1)" /lib/x86_64-linux-gnu/libgcc_s.so.1
img_prog "$d" /usr/bin/xenstore
for p in read write exists list rm chmod ls watch; do ln -s xenstore "$d/usr/bin/xenstore-$p"; done
# Xen's hotplug scripts (disks: /etc/xen/scripts/block) are bash and use
# util-linux's losetup and flock (busybox-static has no flock) and GNU
# stat's formats.
img_prog "$d" /bin/bash
img_prog "$d" /usr/sbin/losetup
img_prog "$d" /usr/bin/flock
img_prog "$d" /usr/bin/stat
# GNU timeout for the test scripts: busybox's re-executes itself as a
# watcher, which crashed under Xen here.
img_prog "$d" /usr/bin/timeout
img_prog "$d" /sbin/mke2fs /usr/sbin/mke2fs
ln -s mke2fs "$d/usr/sbin/mkfs.ext4"
cp -a /etc/xen "$d/etc/xen"
img_busybox "$d"
img_modules "$d" "$kver" xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-blkback loop
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$d/etc/passwd"
printf 'root:x:0:\ntty:x:5:\n' >"$d/etc/group"

step "dom0 root: Bulkhead's dom0 programs, its init, the qube image"
for p in "$build"/bin/*; do
	img_prog "$d" "$p" "/usr/local/bin/$(basename "$p")"
done
# make bench's dom0 side (bench/xen/, tests/xen/bench.sh).
img_prog "$d" "$build/bench/xen/xenbench-dom0" /usr/lib/bulkhead/bench/xenbench-dom0
install -m 0755 "$top/image/dom0/init" "$d/init"
install -D -m 0644 "$work/qube-vmlinux.gz" "$d/usr/lib/bulkhead/xen/qube-vmlinux.gz"
install -D -m 0644 "$work/qube.cpio.gz" "$d/usr/lib/bulkhead/xen/qube.cpio.gz"
# The Xen backend's configuration (SPEC/xen.md): qubes boot that image.
mkdir -p "$d/etc/bulkhead/xen"
ln -s /usr/lib/bulkhead/xen/qube-vmlinux.gz "$d/etc/bulkhead/xen/vmlinuz"
ln -s /usr/lib/bulkhead/xen/qube.cpio.gz "$d/etc/bulkhead/xen/initrd"
echo "console=hvc0 loglevel=4" >"$d/etc/bulkhead/xen/cmdline"
img_cpio "$d" "$work/dom0.cpio.gz"

step "writing $out"
for f in xen dom0-vmlinuz dom0.cpio.gz qube-vmlinux.gz qube.cpio.gz; do
	mv -f "$work/$f" "$out/$f"
done
(cd "$out" && sha256sum xen dom0-vmlinuz dom0.cpio.gz qube-vmlinux.gz qube.cpio.gz >SHA256SUMS)
ls -l "$out" | awk 'NR > 1 { printf "image:   %-16s %6.1f MiB\n", $NF, $5 / 1048576 }'
echo "image: done (boot it with tests/xen/boot.sh)"
