#!/usr/bin/env bash
# SIGKILL bulkheadd (both processes) at random moments while a client
# commits a stream of changes: after every restart the registry loads and
# holds the last acknowledged change or the one in flight, nothing else.
# (tests/unit/test_store.c kills the writer itself at hundreds of points.)
. "$(dirname "$0")/../lib/common.sh"
start_bulkheadd
expect_ok qvm-create --label red work >/dev/null
for i in $(seq 1 40); do
	qvm-tags work add "bulk$i" >/dev/null
done
acked=100
qvm-prefs work memory $acked
stop_bulkheadd

inflight_seen=0
for round in $(seq 1 20); do
	start_bulkheadd
	ackfile=$BULKHEAD_ROOT/acked
	echo "$acked" >"$ackfile"
	( for v in $(seq $((acked + 1)) $((acked + 500))); do
		qvm-prefs work memory "$v" 2>/dev/null || exit 0
		echo "$v" >"$ackfile"
	  done ) &
	writer=$!
	monitor=$(pgrep -P "$BH_DAEMON_PID")
	sleep "0.$((RANDOM % 3))$((RANDOM % 10))"
	kill -KILL "$BH_DAEMON_PID" $monitor
	wait "$BH_DAEMON_PID" 2>/dev/null
	BH_DAEMON_PID=
	# The instance lock is held until every process that has it open is
	# gone: the monitor (not our child), and a child the monitor forked
	# that had not yet reached its exec (the lock is close-on-exec) when
	# the kill came; it dies of its parent-death signal.  A restart
	# before that is refused, rightly: wait for the lock itself.
	for _ in $(seq 1 250); do
		flock -n "$BULKHEAD_ROOT/var/lib/bulkhead/bulkheadd.lock" true && break
		sleep 0.02
	done
	wait "$writer" 2>/dev/null
	acked=$(cat "$ackfile")
	start_bulkheadd             # fails the test if the registry does not load
	got=$(qvm-prefs work memory)
	if [ "$got" = $((acked + 1)) ]; then
		inflight_seen=$((inflight_seen + 1))      # committed, ack lost
		acked=$got
	elif [ "$got" != "$acked" ]; then
		fail "round $round: memory is '$got', last acknowledged $acked"
	fi
	[ "$(qvm-tags work | grep -c bulk)" = 40 ] || fail "round $round: tags lost"
	stop_bulkheadd
done
echo "ok: 20 kills during a stream of commits; last value $acked; $inflight_seen in-flight commits survived"
