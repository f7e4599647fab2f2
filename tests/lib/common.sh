# Shared helpers for integration tests (bash).  Source it first:
#   . "$(dirname "$0")/../lib/common.sh"
# Provides: BIN (build/bin of the build under test), fail, skip, expect_*,
# start_bulkheadd / stop_bulkheadd (stopped automatically at exit),
# in_qube NAME UID CMD... (runs a command inside a running local qube).
set -u
: "${BULKHEAD_ROOT:?run me through tests/run or set BULKHEAD_ROOT}"
: "${BULKHEAD_BUILD:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}"
BIN=$BULKHEAD_BUILD/bin
export BULKHEAD_ROOT PATH="$BIN:$PATH"
BH_DAEMON_PID=

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "skipped: $*"; exit 77; }
note() { echo "--- $*"; }

# expect_ok CMD...: must exit 0.  expect_fail CODE CMD...: must exit CODE
# and print exactly one line on stderr.
expect_ok() {
	local out
	out=$("$@" 2>&1) || fail "expected success: $* -> $out"
	printf '%s\n' "$out"
}
expect_fail() {
	local want=$1 rc err
	shift
	err=$("$@" 2>&1 >/dev/null); rc=$?
	[ "$rc" -eq "$want" ] || fail "expected exit $want, got $rc: $* ($err)"
	[ "$(printf '%s\n' "$err" | grep -c .)" -eq 1 ] || fail "expected one error line from $*, got: $err"
	printf '%s\n' "$err"
}

start_bulkheadd() {
	local sock=$BULKHEAD_ROOT/run/bulkhead/admin.sock i
	# No controlling terminal and no display: a policy `ask` must never
	# reach the terminal or the X session of whoever runs the tests (a
	# test that wants the prompt sets BULKHEAD_ASK_TTY).
	env -u DISPLAY -u XAUTHORITY setsid "$BIN/bulkheadd" "$@" >>"$BULKHEAD_ROOT/bulkheadd.log" 2>&1 &
	BH_DAEMON_PID=$!
	for i in $(seq 1 200); do
		[ -S "$sock" ] && qvm-ls >/dev/null 2>&1 && return 0
		kill -0 "$BH_DAEMON_PID" 2>/dev/null || { cat "$BULKHEAD_ROOT/bulkheadd.log" >&2; fail "bulkheadd exited"; }
		sleep 0.05
	done
	fail "bulkheadd did not come up"
}

stop_bulkheadd() {
	[ -n "$BH_DAEMON_PID" ] || return 0
	kill -TERM "$BH_DAEMON_PID" 2>/dev/null
	for _ in $(seq 1 200); do
		kill -0 "$BH_DAEMON_PID" 2>/dev/null || { wait "$BH_DAEMON_PID" 2>/dev/null; BH_DAEMON_PID=; return 0; }
		sleep 0.05
	done
	kill -KILL "$BH_DAEMON_PID" 2>/dev/null
	wait "$BH_DAEMON_PID" 2>/dev/null
	BH_DAEMON_PID=
	return 1
}
trap 'stop_bulkheadd' EXIT

# The host pid of a running local qube's init.
qube_init_pid() { cat "$BULKHEAD_ROOT/run/bulkhead/qubes/$1.pid" 2>/dev/null; }

# in_qube NAME UID CMD...: run CMD inside the qube's namespaces as UID (the
# qube's own uid, e.g. 1000 for `user`).  Stands in for qvm-run until qrexec.
in_qube() {
	local name=$1 uid=$2 pid
	shift 2
	pid=$(qube_init_pid "$name") || return 125
	[ -n "$pid" ] || return 125
	nsenter --target "$pid" --all --setuid "$uid" --setgid "$uid" -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/home/user "$@"
}
