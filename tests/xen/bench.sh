#!/bin/bash
# dom0 script of make bench's Xen measurements (bench/xen/bench-xen.sh boots
# it with tests/xen/boot.sh; SPEC/xen-system.md "Measurements").  Each figure
# is a line "BHBENCH name value unit baseline" on the console; each Bulkhead
# figure names the raw libxenvchan figure of this same boot as its baseline:
#
#   xen.raw.start.first  `xl create -p` of the qube image with a minimal
#                      init (bench/xen/raw-init) to its first byte on a
#                      vchan: the first domain since boot
#   xen.raw.start      the same again, a second domain
#   xen.raw.rtt        1-byte ping-pong on an open vchan
#   xen.raw.connect    a new vchan, 1 byte each way, closed
#   xen.raw.stream     MiB/s, qube to dom0
#   xen.start.first    qvm-start of a new qube to "agent connected" in its
#                      qrexec-daemon's log (includes making its volumes),
#                      the first qube, against xen.raw.start.first
#   xen.start          the same qube started again, against xen.raw.start
#   xen.call           qvm-run -p QUBE true, dom0 -> qube, against
#                      xen.raw.connect (a call opens a data vchan)
#   xen.q2q.call       qrexec-client-vm personal bench.Nop inside work
#   xen.stream         qvm-run -p QUBE 'xenbench-qube zeros N 65536' read
#                      by dom0: 64 KiB writes, as the raw stream's
#   xen.stream.4k      the same with 4 KiB writes (about a message each:
#                      the pump sends what a read of the pipe finds)
#
# Checks (BHTEST) say which measurement could not be made, and why.
. /bhtest/lib.sh
B=/usr/lib/bulkhead/bench
LOGS=/var/log/bulkhead
MIB=32            # the stream size, raw and through qrexec
CALLS=30          # timed calls (after 3 untimed)
Q2Q_CALLS=20
# qrexec_timeout: a first boot under a loaded QEMU can take more than 60 s.
props=(--property memory=160 --property maxmem=0 --property vcpus=1 --property qrexec_timeout=900)
# Kernel warnings stay in dmesg: none can split a figure's line.
dmesg -n 1

fig() { echo "BHBENCH $*"; }
# figs NAME CMD...: CMD's figure lines as BHBENCH lines; a check NAME.
figs() {
	local n=$1 rc
	shift
	"$@" >"/bhtest/$n.out" 2>"/bhtest/$n.err"
	rc=$?
	while read -r l; do fig "$l"; done <"/bhtest/$n.out"
	if [ "$rc" -eq 0 ] && [ -s "/bhtest/$n.out" ]; then
		pass "$n"
	else
		fail "$n" "status $rc: $(tail -n 2 "/bhtest/$n.err" | tr '\n' ' ')"
	fi
	return "$rc"
}
us() { echo "${EPOCHREALTIME/./}"; }        # CLOCK_REALTIME, microseconds
uptime_s() { cut -d. -f1 /proc/uptime; }
agents() { local n; n=$(grep -c 'agent connected' "$LOGS/qrexec.$1.log" 2>/dev/null); echo "${n:-0}"; }
# start_wait NAME QUBE: qvm-start, then wait for its agent's connection;
# prints the milliseconds from before qvm-start.  A check NAME if it fails.
start_wait() {
	local f=$1 q=$2 n0 t0 end
	n0=$(agents "$q")
	t0=$(us)
	timeout 300 qvm-start "$q" >"/bhtest/$f.out" 2>&1 || { fail "$f" "qvm-start: $(tail -n 1 "/bhtest/$f.out")" >&2; return 1; }
	end=$(($(uptime_s) + 300))
	until [ "$(agents "$q")" -gt "$n0" ]; do
		[ "$(uptime_s)" -lt "$end" ] || { fail "$f" "no 'agent connected' in $LOGS/qrexec.$q.log within 300 s" >&2; return 1; }
		sleep 0.05
	done
	awk -v a="$t0" -v b="$(us)" 'BEGIN { printf "%.1f\n", (b - a) / 1000 }'
}
timed_start() {
	local ms
	ms=$(start_wait "$1" "$2") || return 1
	fig "$1 $ms ms $3"
	pass "$1"
}

# 1. The raw baseline, alone on the machine: a PV domain from the qube
#    image whose init runs only the raw client.
cat >/bhtest/raw.cfg <<'CFG'
name = "raw"
type = "pv"
kernel = "/usr/lib/bulkhead/xen/qube-vmlinux.gz"
ramdisk = "/usr/lib/bulkhead/xen/qube.cpio.gz"
extra = "console=hvc0 loglevel=4 rdinit=/usr/lib/bulkhead/bench/raw-init"
memory = 160
vcpus = 1
on_poweroff = "destroy"
on_crash = "destroy"
CFG
# raw_domain CHECK XENBENCH-DOM0-MODE [ARG]: a raw domain through its
# life: created paused, measured by xenbench-dom0, gone.
raw_domain() {
	local n=$1 mode=$2 t0 domid k=300
	shift 2
	t0=$(us)
	if timeout 120 xl create -p /bhtest/raw.cfg >"/bhtest/$n-create.out" 2>&1 && domid=$(xl domid raw); then
		figs "$n" timeout 900 "$B/xenbench-dom0" "$mode" "$domid" "$t0" "$@" xl unpause "$domid" ||
			show /var/log/xen/console/guest-raw.log
		while xl domid raw >/dev/null 2>&1 && [ "$k" -gt 0 ]; do sleep 0.1; k=$((k - 1)); done
		xl destroy raw >/dev/null 2>&1
	else
		fail "$n" "xl create: $(tail -n 1 "/bhtest/$n-create.out")"
	fi
}
# The first domain since boot (xen.raw.start.first) and the measurements,
# then a second (xen.raw.start): as qvm-start's first and second start.
raw_domain raw raw "$MIB"
raw_domain raw_again start

# 2. Bulkhead on the same machine.
check_out backend_xen xen qubes-prefs backend || { show "$LOGS/bulkheadd.log"; exit 1; }
check create_work qvm-create --label blue "${props[@]}" work || exit 1
timed_start xen.start.first work xen.raw.start.first || { show "$LOGS/bulkheadd.log" "$LOGS/qrexec.work.log"; exit 1; }
BHTEST_LIMIT=180 check shutdown_work qvm-shutdown --wait --timeout 150 work
timed_start xen.start work xen.raw.start || { show "$LOGS/qrexec.work.log"; exit 1; }
figs xen.call timeout 900 "$B/xenbench-dom0" repeat xen.call "$CALLS" xen.raw.connect 60 \
	qvm-run --no-autostart -p work true
figs xen.stream timeout 900 "$B/xenbench-dom0" stream xen.stream "$MIB" xen.raw.stream 300 3 \
	qvm-run --no-autostart -p work "$B/xenbench-qube zeros $MIB 65536"
figs xen.stream.4k timeout 900 "$B/xenbench-dom0" stream xen.stream.4k "$MIB" xen.raw.stream 300 3 \
	qvm-run --no-autostart -p work "$B/xenbench-qube zeros $MIB 4096"

# 3. qube -> qube: work calls a service in personal that does nothing.
check create_personal qvm-create --label green "${props[@]}" personal &&
	start_wait start_personal personal >/dev/null && pass start_personal
mkdir -p /etc/qubes/policy.d
echo 'bench.Nop * work personal allow' >/etc/qubes/policy.d/30-bench.policy
printf '#!/bin/sh\nexit 0\n' | timeout 60 qvm-run --no-autostart -p -u root personal \
	'd=/usr/local/etc/qubes-rpc; mkdir -p $d && cat > $d/bench.Nop && chmod +x $d/bench.Nop'
if BHTEST_LIMIT=90 check q2q_works qvm-run --no-autostart -p work 'qrexec-client-vm personal bench.Nop'; then
	figs xen.q2q.call timeout 900 qvm-run --no-autostart -p work \
		"$B/xenbench-qube repeat xen.q2q.call $Q2Q_CALLS xen.raw.connect 60 qrexec-client-vm personal bench.Nop"
else
	show "$LOGS"/qrexec.*.log "$LOGS/qrexec-policyd.log"
fi
exit 0
