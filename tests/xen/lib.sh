# Check helpers for dom0 test scripts run by tests/xen/boot.sh (sourced as
# /bhtest/lib.sh).  Each check prints one marker line the host side reads
# from the serial log.
#
#   check NAME CMD...      PASS if CMD exits 0, else FAIL with CMD's last
#                          line of output (CMD's output goes to
#                          /bhtest/NAME.out; $BHTEST_LIMIT s, default 120)
#   check_out NAME WANT CMD...  PASS if CMD's output contains WANT
#   check_is NAME WANT CMD...   PASS if CMD exits 0 and prints exactly WANT
#   pass NAME / fail NAME REASON / pending NAME REASON
#   show FILE...           copies files to the console (for a failure's logs)
#   failed                 true once any check has failed (to show logs)
# Each marker carries dom0's uptime, "(12.3s)": where a boot's time goes.
bh_uptime() { cut -d' ' -f1 /proc/uptime; }
pass() { echo "BHTEST PASS $1 ($(bh_uptime)s)"; }
fail() { local n=$1; shift; echo "BHTEST FAIL $n ($(bh_uptime)s) $*"; : >/bhtest/.failed; }
failed() { [ -e /bhtest/.failed ]; }
pending() { local n=$1; shift; echo "BHTEST PENDING $n $*"; }
check() {
	local n=$1 rc
	shift
	timeout "${BHTEST_LIMIT:-120}" "$@" >"/bhtest/$n.out" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		pass "$n"
	else
		fail "$n" "status $rc: $(tail -n 1 "/bhtest/$n.out")"
	fi
	return "$rc"
}
check_out() {
	local n=$1 want=$2
	shift 2
	timeout "${BHTEST_LIMIT:-120}" "$@" >"/bhtest/$n.out" 2>&1
	if grep -qF -- "$want" "/bhtest/$n.out"; then
		pass "$n"
	else
		fail "$n" "wanted '$want', got: $(tr '\n' ' ' <"/bhtest/$n.out" | cut -c1-200)"
		return 1
	fi
}
show() {
	local f
	for f in "$@"; do
		echo "---- $f"
		sed 's/^/| /' "$f" 2>&1 | tail -n 40
	done
}
check_is() {
	local n=$1 want=$2 rc
	shift 2
	timeout "${BHTEST_LIMIT:-120}" "$@" >"/bhtest/$n.out" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && [ "$(cat "/bhtest/$n.out")" = "$want" ]; then
		pass "$n"
	else
		fail "$n" "wanted '$want' and status 0, got status $rc: $(tr '\n' ' ' <"/bhtest/$n.out" | cut -c1-200)"
		return 1
	fi
}
