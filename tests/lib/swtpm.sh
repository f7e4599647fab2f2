# Software TPMs for the measured-boot tests (bash; source after common.sh).
#
#   swtpm_start DIR    start a swtpm whose state, sockets, pid and log live
#                      in DIR (created), and point the tools at it: writes
#                      $BULKHEAD_ROOT/etc/bulkhead/tpm-tcti
#   swtpm_use DIR      point the tools at the swtpm of DIR (a test with two)
#   swtpm_reboot DIR   power-cycle: CMD_INIT (PCRs reset, transient objects
#                      gone), then TPM2_Startup(CLEAR); leaves DIR in use
#   swtpm_stop DIR     stop it (CMD_SHUTDOWN, then SIGKILL after 5 s)
#   swtpm_no_transients  fail unless the TPM in use has no transient object
#                      or session loaded (a tool leaked a handle)
#
# Every swtpm started is stopped at exit, whatever the path.  Skips the
# test (77) if swtpm or the helper is missing.
SWTPM_DIRS=()
TPM_HELPER=$BULKHEAD_BUILD/tests/tpm-helper

command -v swtpm >/dev/null 2>&1 && command -v swtpm_ioctl >/dev/null 2>&1 ||
	skip "swtpm/swtpm_ioctl not installed (make deps)"
[ -x "$TPM_HELPER" ] || skip "no $TPM_HELPER (build first)"

swtpm_use() {
	mkdir -p "$BULKHEAD_ROOT/etc/bulkhead"
	printf 'swtpm:path=%s/sock\n' "$1" >"$BULKHEAD_ROOT/etc/bulkhead/tpm-tcti"
}

swtpm_start() {
	local d=$1 i
	mkdir -p "$d"
	swtpm socket --tpm2 --tpmstate dir="$d" \
		--server type=unixio,path="$d/sock" --ctrl type=unixio,path="$d/sock.ctrl" \
		--flags not-need-init,startup-clear --daemon --pid file="$d/pid" \
		--log file="$d/log" || fail "swtpm did not start in $d"
	SWTPM_DIRS+=("$d")
	# --daemon returns once the sockets are bound; still, wait up to 5 s.
	for i in $(seq 1 100); do
		[ -S "$d/sock" ] && [ -s "$d/pid" ] && break
		sleep 0.05
	done
	[ -S "$d/sock" ] || fail "swtpm in $d has no socket"
	swtpm_use "$d"
}

swtpm_reboot() {
	local d=$1
	swtpm_ioctl --unix "$d/sock.ctrl" -i >/dev/null || fail "swtpm_ioctl -i failed for $d"
	swtpm_use "$d"
	"$TPM_HELPER" startup || fail "TPM2_Startup after reboot failed"
}

swtpm_stop() {
	local d=$1 pid i
	pid=$(cat "$d/pid" 2>/dev/null) || return 0
	[ -n "$pid" ] || return 0
	swtpm_ioctl --unix "$d/sock.ctrl" -s >/dev/null 2>&1
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || { rm -f "$d/pid"; return 0; }
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	rm -f "$d/pid"
}

swtpm_stop_all() {
	local d
	for d in "${SWTPM_DIRS[@]}"; do
		swtpm_stop "$d"
	done
	SWTPM_DIRS=()
}

swtpm_no_transients() {
	"$TPM_HELPER" transients || fail "transient handles left in the TPM${1:+ after $1}"
}

trap 'swtpm_stop_all; stop_bulkheadd' EXIT
