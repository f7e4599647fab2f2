#!/bin/sh
# Installs the Debian 12 packages Bulkhead needs (`make deps`; `make test`
# and `make demo` run it first).  Idempotent and silent when everything is
# present; runs `apt-get update` only when something is missing; never
# reads stdin.  Installing needs root (CI and the project machines are).
#
# This phase: compilers and libraries for the build, util-linux/iproute2/
# procps for the local backend and the tests, bc and python3 for the test
# scripts (tests/run times tests with bc; tests validate JSON with python3),
# mawk for bench/run, libclang-rt-14-dev for clang's libFuzzer and
# sanitizer runtimes (tests/fuzz).  Heavy tools (qemu, xen) come with the
# issues that need them.
set -eu
# libxen-dev: libxenvchan and the Xen tool libraries for lib/vchan_xen.c (libvchanxen).
PKGS="build-essential clang libclang-rt-14-dev pkg-config libseccomp-dev
libsodium-dev libcap-dev util-linux iproute2 procps bc python3 mawk libxen-dev"
# The dom0 prompt bulkhead-ask (capd/prompt): libxcb1-dev to draw its window,
# libxcb-xtest0-dev for the test driver's synthetic input, xvfb as the test
# X server, xfonts-base for the server's core fonts, zlib1g-dev for the
# driver's PNG screenshots.
PKGS="$PKGS libxcb1-dev libxcb-xtest0-dev xvfb xfonts-base zlib1g-dev"
# make proofs (proofs/run): Frama-C with its WP and Eva plugins, Why3 and
# the two SMT solvers it runs, patch for the negative tests.
PKGS="$PKGS frama-c-base why3 z3 cvc4 patch"
# Xen in QEMU (make image, make test-xen: SPEC/xen-system.md): QEMU, the
# Xen 4.17 hypervisor and toolstack, the kernel for dom0 and qubes,
# busybox and cpio for the initramfs images.
PKGS="$PKGS qemu-system-x86 xen-hypervisor-4.17-amd64 xen-utils-4.17 xenstore-utils
linux-image-amd64 busybox-static cpio"
# Measured boot (measured-boot/): tpm2-tss (ESAPI, TCTI loader, MU, RC) to
# build, libssl-dev for the TPM-less ECDSA checks (bulkhead-attest verify,
# bulkhead-aem's approvals), swtpm and swtpm_ioctl (swtpm-tools) for the
# tests' software TPMs.
PKGS="$PKGS libtss2-dev libssl-dev swtpm swtpm-tools"

missing_pkgs() {
	for p in $PKGS; do
		# "?i": installed, whatever the selection state (ii, hi).
		case $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) in
		?i*) ;;
		*) printf ' %s' "$p" ;;
		esac
	done
}

missing=$(missing_pkgs)
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "mk/deps.sh: missing Debian packages:$missing" >&2
	echo "mk/deps.sh: run 'make deps' as root, or: apt-get install$missing" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "mk/deps.sh: missing packages:$missing, and no apt-get (Bulkhead targets Debian 12)" >&2
	exit 1
fi

echo "mk/deps.sh: installing$missing"
log=$(mktemp /tmp/bh-deps.XXXXXX)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
# Wait for a dpkg lock held by e.g. unattended-upgrades on a fresh machine.
apt_opts="-q -o DPkg::Lock::Timeout=300"
# shellcheck disable=SC2086  # word splitting of the option and package lists is wanted
if ! { apt-get $apt_opts update &&
       apt-get $apt_opts install -y --no-install-recommends $missing; } </dev/null >"$log" 2>&1; then
	cat "$log" >&2
	echo "mk/deps.sh: apt-get failed installing:$missing" >&2
	exit 1
fi

missing=$(missing_pkgs)
if [ -n "$missing" ]; then
	cat "$log" >&2
	echo "mk/deps.sh: still missing after apt-get:$missing" >&2
	exit 1
fi
