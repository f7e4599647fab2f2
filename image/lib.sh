# Helpers for image/build.sh: copying programs with the shared libraries
# they load, kernel modules with their dependencies, and writing a
# reproducible initramfs.  Sourced, not run.  Every function takes the
# image's root directory first and fails (set -e in the caller) on a
# missing file: an image without a piece it needs must not be built.

# The merged-/usr layout of Debian 12, so that paths printed by ldd
# (/lib/x86_64-linux-gnu/...) and by busybox (/bin/sh) land in one tree.
img_skeleton() {
	local root=$1 d
	mkdir -p "$root"/usr/bin "$root"/usr/sbin "$root"/usr/lib "$root"/usr/lib64
	for d in bin sbin lib lib64; do ln -sfn "usr/$d" "$root/$d"; done
	mkdir -p "$root"/dev "$root"/proc "$root"/sys "$root"/run "$root"/tmp \
		"$root"/etc "$root"/root "$root"/var/log "$root"/var/lib "$root"/mnt
	ln -sfn ../run "$root"/var/run   # xenstored binds its socket under /var/run
	chmod 1777 "$root"/tmp
}

# img_file ROOT SRC [DEST]: one file (symlinks followed), same mode.
img_file() {
	local root=$1 src=$2 dest=${3:-$2}
	[ -e "$src" ] || { echo "image: missing $src" >&2; return 1; }
	mkdir -p "$root$(dirname "$dest")"
	cp -L --preserve=mode "$src" "$root$dest"
}

# img_prog ROOT SRC [DEST]: a program and every library ldd lists, at the
# paths ldd prints (the dynamic loader finds them there).
img_prog() {
	local root=$1 src=$2 dest=${3:-$2} lib
	img_file "$root" "$src" "$dest"
	# ldd prints "name => /path (addr)" and "/path (addr)" for the loader;
	# a static program prints "not a dynamic executable" and exits 1.
	ldd "$src" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
	while read -r lib; do
		[ -e "$root$lib" ] || img_file "$root" "$lib"
	done
}

# img_busybox ROOT: static busybox and a link for every applet it has,
# except where the image already holds a real program of that name.
img_busybox() {
	local root=$1 applet
	img_file "$root" /usr/bin/busybox
	/usr/bin/busybox --list-full | while read -r applet; do
		[ -e "$root/$applet" ] || [ -L "$root/$applet" ] || {
			mkdir -p "$root/$(dirname "$applet")"
			ln -s /usr/bin/busybox "$root/$applet"
		}
	done
}

# img_modules ROOT KVER NAME...: kernel modules and, first, the modules
# they depend on (modules.dep), into /lib/modules/KVER/ with a list
# /etc/bulkhead-image/modules in load order for the init to insmod.
img_modules() {
	local root=$1 kver=$2 name m
	local moddir=/lib/modules/$kver order
	shift 2
	order=$(
		for name in "$@"; do
			m=$(awk -v n="$name" -F: '{ f = $1; sub(/.*\//, "", f); sub(/\.ko(\.[a-z]+)?$/, "", f);
				gsub(/_/, "-", f); k = n; gsub(/_/, "-", k) } f == k { print; exit }' "$moddir/modules.dep")
			[ -n "$m" ] || { echo "image: no module $name in $moddir" >&2; exit 1; }
			# modules.dep: "mod.ko: dep1.ko dep2.ko", deps listed so the last
			# must load first.
			echo "${m#*:}" | tr ' ' '\n' | sed '/^$/d' | tac
			echo "${m%%:*}"
		done | awk '!seen[$0]++'
	)
	mkdir -p "$root/etc/bulkhead-image"
	: >"$root/etc/bulkhead-image/modules"
	for m in $order; do
		img_file "$root" "$moddir/$m"
		echo "$moddir/$m" >>"$root/etc/bulkhead-image/modules"
	done
}

# img_vmlinux BZIMAGE OUT: the plain vmlinux inside a Debian bzImage,
# gzip'ed.  libxenguest decompresses a guest kernel in dom0 and is far
# slower on xz than on gzip under QEMU (XEN-IN-QEMU.md: 9-11 s -> 3.5 s).
img_vmlinux() {
	local bz=$1 out=$2 off
	# The xz stream's magic (FD 37 7A 58 5A 00) inside the bzImage.
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$bz" | awk -F: 'NR == 1 { print $1 }')
	[ -n "$off" ] || { echo "image: no xz payload in $bz" >&2; return 1; }
	# xz stops at the stream's end, before tail does: no pipe (pipefail).
	xz -dc --single-stream < <(tail -c +$((off + 1)) "$bz") >"$out.tmp"
	[ "$(head -c 4 "$out.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] ||
		{ echo "image: $bz's payload is not an ELF vmlinux" >&2; return 1; }
	gzip -n -c "$out.tmp" >"$out"
	rm -f "$out.tmp"
}

# img_cpio ROOT OUT: a gzip'ed newc initramfs of ROOT, reproducible: sorted
# names, every timestamp 0, owner root, no name or time in the gzip header.
img_cpio() {
	local root=$1 out=$2
	find "$root" -exec touch -h -d @0 {} +
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc --owner=0:0 --reproducible --quiet) | gzip -n -6 >"$out"
}
