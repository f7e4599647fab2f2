#!/usr/bin/env bash
# Boots the Xen-in-QEMU image (make image) once, runs a script in dom0 and
# reports its checks (SPEC/xen-system.md, "Boot harness").
#
# usage: tests/xen/boot.sh [-i IMAGE_DIR] [-t SECONDS] [-m MIB] [-l LOG] [-s] SCRIPT [FILE...]
#   SCRIPT   runs in dom0 as /bhtest/run (working directory /bhtest) once
#            dom0's init has started xenstored, xenconsoled and bulkheadd;
#            /bhtest/lib.sh (tests/xen/lib.sh) has its check helpers
#   FILE     extra files copied into /bhtest/
#   -i       the image (default: $BULKHEAD_BUILD/image, else build/image)
#   -t       QEMU's time limit (default 300); dom0's watchdog powers off
#            60 s before it (dom0 starts counting late), so a hung test
#            still leaves its log whole
#   -m       QEMU's memory in MiB (default 1536; dom0 has 512 of it)
#   -l       the serial log (default: a new file under $TMPDIR)
#   -s       show what the script prints, live (make demo-xen)
#
# The serial log holds Xen's, dom0's and the script's output.  Checks are
# lines "BHTEST PASS name", "BHTEST FAIL name reason", "BHTEST PENDING
# name reason" (a check whose prerequisite is not built yet); dom0's init
# adds "BHTEST BOOTED" and "BHTEST END rc".  Exit status: 0 if the script
# ended with status 0 and no check failed, 1 otherwise, 2 on bad usage,
# 77 if QEMU or the image is missing.  QEMU is stopped on every path.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
image=${BULKHEAD_BUILD:-$top/build}/image
limit=300 mem=1536 log= show=0
usage() { sed -n 's/^# \{0,1\}//; 4,18p' "$0" | sed -n '1,15p' >&2; exit 2; }
while getopts i:t:m:l:s o; do
	case $o in
	i) image=$OPTARG ;;
	t) limit=$OPTARG ;;
	m) mem=$OPTARG ;;
	l) log=$OPTARG ;;
	s) show=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] && [ -f "$1" ] || usage
case $limit$mem in *[!0-9]*) usage ;; esac
[ "$limit" -ge 120 ] || { echo "boot.sh: -t below 120 s cannot even boot" >&2; exit 2; }
script=$1
shift

qemu=$(command -v qemu-system-x86_64) || { echo "boot.sh: SKIP: qemu-system-x86_64 is not installed (make deps)"; exit 77; }
for f in xen dom0-vmlinuz dom0.cpio.gz; do
	[ -f "$image/$f" ] || { echo "boot.sh: SKIP: no $image/$f (make image)"; exit 77; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/bh-xenboot.XXXXXX")
[ -n "$log" ] || log=$work/serial.log
: >"$log" || exit 2
qpid= tpid= tailpid=
cleanup() {
	# timeout forwards a TERM to QEMU; QEMU's own pid covers the case
	# where timeout is already gone.
	[ -n "$tpid" ] && kill -TERM "$tpid" 2>/dev/null
	[ -s "$work/qemu.pid" ] && kill -KILL "$(cat "$work/qemu.pid")" 2>/dev/null
	[ -n "$tpid" ] && wait "$tpid" 2>/dev/null
	[ -n "$tailpid" ] && { kill "$tailpid" 2>/dev/null; wait "$tailpid" 2>/dev/null; }
	# The log may be under $work: keep it when the caller did not choose one.
	case $log in
	"$work"/*) find "$work" -mindepth 1 ! -name serial.log -delete ;;
	*) rm -rf "$work" ;;
	esac
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The script and its files join dom0's initramfs as a second archive: the
# kernel unpacks concatenated archives in order.
mkdir -p "$work/root/bhtest"
install -m 0755 "$script" "$work/root/bhtest/run"
install -m 0644 "$top/tests/xen/lib.sh" "$work/root/bhtest/lib.sh"
for f in "$@"; do cp -L "$f" "$work/root/bhtest/" || exit 2; done
(cd "$work/root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) |
	gzip -1 >"$work/bhtest.cpio.gz"
cat "$image/dom0.cpio.gz" "$work/bhtest.cpio.gz" >"$work/dom0-run.cpio.gz"
case $image$work in *,*) echo "boot.sh: paths must not contain ',' (QEMU's -initrd separator)" >&2; exit 2 ;; esac

# Measured settings (/work/shared/XEN-IN-QEMU.md): TCG (KVM does not work
# here), no SMAP/SMEP (dom0 crashes with them), one dom0 vcpu.  No AVX:
# with QEMU 7.2's TCG AVX, programs in dom0 and in qubes crashed at random
# (heap corruption, ld.so assertions) once two domains ran.  No XSAVE
# either (Xen then switches FPU state with FXSAVE): with it, processes in
# the qubes still died at random once two domains ran (a qrexec handler
# exiting before its first line, qrexec-client-vm with SIGSEGV: 2 of 8
# and 3 of 10 qube-to-qube calls in two boots; 0 of 10 without XSAVE).
xen_cmd="console=com1 com1=115200,8n1 dom0_mem=512M,max:512M dom0_max_vcpus=1 loglvl=all guest_loglvl=all bootscrub=0"
dom0_cmd="console=hvc0 earlyprintk=xen panic=-1 loglevel=4 bh.watchdog=$((limit - 60))"
start=$(date +%s.%N)
timeout -k 5 "$limit" "$qemu" -accel tcg,thread=multi -cpu max,-smap,-smep,-avx,-avx2,-xsave -m "$mem" -smp 2 \
	-machine pc -display none -monitor none -no-reboot -serial "file:$log" \
	-pidfile "$work/qemu.pid" -kernel "$image/xen" -append "$xen_cmd" \
	-initrd "$image/dom0-vmlinuz $dom0_cmd,$work/dom0-run.cpio.gz" </dev/null &
tpid=$!
echo "boot.sh: booting Xen in QEMU (limit ${limit}s); serial log: $log"
if [ "$show" = 1 ]; then
	# The script's output: what follows BOOTED, without the kernel's and
	# Xen's own lines.
	# (sed -u: awk (mawk) and tr would hold the lines in their buffers.)
	tail -n +1 -F "$log" 2>/dev/null | sed -u -n '/BHTEST BOOTED/,/BHTEST END/{
		s/\r$//
		/^\[ *[0-9]*\.[0-9]*\]/d
		/^(XEN)/d
		/^BHTEST /d
		p
	}' &
	tailpid=$!
fi
wait "$tpid"
qrc=$?
tpid=
secs=$(echo "$(date +%s.%N) - $start" | bc)
sleep 0.3   # let tail -F print the last lines
[ -n "$tailpid" ] && { kill "$tailpid" 2>/dev/null; wait "$tailpid" 2>/dev/null; tailpid=; }

tr -d '\r' <"$log" | grep -ao 'BHTEST .*' >"$work/markers"
awk -v qrc="$qrc" -v secs="$secs" -v serial="$log" '
	$2 == "PASS" { pass++; printf "PASS    %s %s\n", $3, $4 }
	$2 == "FAIL" { fail++; r = $0; sub(/^BHTEST FAIL [^ ]* ?/, "", r); printf "FAIL    %s: %s\n", $3, r }
	$2 == "PENDING" { pend++; r = $0; sub(/^BHTEST PENDING [^ ]* ?/, "", r); printf "PENDING %s: %s\n", $3, r }
	$2 == "BOOTED" { booted = 1 }
	$2 == "END" { ended = 1; rc = $3 }
	END {
		if (!booted) { fail++; print "FAIL    boot: dom0 never reached BHTEST BOOTED" }
		else if (!ended) { fail++; print "FAIL    script: no BHTEST END (crashed, hung or timed out)" }
		else if (rc != 0) { fail++; printf "FAIL    script: exited with status %s\n", rc }
		if (qrc == 124 || qrc == 137) { fail++; print "FAIL    qemu: killed at the time limit" }
		printf "boot.sh: %d passed, %d failed, %d pending in %.0f s; serial log: %s\n",
			pass, fail, pend, secs, serial
		exit fail > 0
	}' "$work/markers"
