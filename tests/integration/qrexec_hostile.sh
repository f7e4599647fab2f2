#!/usr/bin/env bash
# Hostile qubes against qrexec-daemon, the first dom0 code that reads a
# qube's bytes.  For every attack of fake-agent (tests/hostile/): two
# daemons for two fake qubes, `hostile` (domain 11) and `bystander`
# (domain 12), each with its own agent; the hostile agent attacks, and
# then
#  - fake-agent saw the daemon close the channel in time, without an
#    answer to the malformed message (its exit status);
#  - the attacked daemon logged the violation (no raw bytes in its log)
#    and exited 1: not killed by seccomp, no sanitizer report;
#  - the bystander daemon still serves its agent and dom0 (a request
#    from its agent refused, a dom0 SERVICE_REFUSED and EXEC_CMDLINE
#    delivered), and exits 0, cleanly, when its agent leaves.
# Then floods (bounded memory and CPU while the bystander is served),
# fd and memory leaks of a daemon over a few thousand requests, and the
# sandbox of a daemon once its agent is connected.
#
# KNOWN_BUGS lists checks that fail because of daemon bugs reported and
# not fixed yet: they print XFAIL and do not fail the test; once fixed
# they print XPASS and fail, so that the entry is removed.
# QREXEC_HOSTILE_STRICT=1 makes them fail.  QREXEC_HOSTILE_ONLY=REGEX
# runs only the matching attacks.
KNOWN_BUGS=""

. "$(dirname "$0")/../lib/common.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root (daemons check their dom0 clients are uid 0)"
FA=$BULKHEAD_BUILD/tests/fake-agent
# Built by tests/hostile/module.mk, which the top Makefile must include.
[ -x "$FA" ] || skip "$FA is not built (is tests/hostile/module.mk in the Makefile's include list?)"
[ -x "$BIN/qrexec-daemon" ] || fail "$BIN/qrexec-daemon is not built"

VDIR=$BULKHEAD_ROOT/run/bulkhead/vchan
W=$BULKHEAD_ROOT/hostile
mkdir -p "$W" "$VDIR" && chmod 0700 "$VDIR" || fail "cannot make $VDIR"
# A small ASan quarantine, so that RSS measures the daemon, not the
# sanitizer's memory of freed blocks.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}quarantine_size_mb=4"
STARTED=()
XFAILS=0
T0=$SECONDS

cleanup() {
	local p
	exec 7>&-
	for p in "${STARTED[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in "${STARTED[@]}"; do wait "$p" 2>/dev/null; done
	stop_bulkheadd
}
trap cleanup EXIT

# known CHECK-ID MESSAGE: a check failed; fatal unless it is a known bug.
known() {
	case " $KNOWN_BUGS " in
	*" $1 "*) [ "${QREXEC_HOSTILE_STRICT:-0}" = 1 ] && fail "$2 (known bug $1)"
		echo "XFAIL $1: $2"; XFAILS=$((XFAILS + 1)) ;;
	*) fail "$2" ;;
	esac
}
# fixed CHECK-ID: a check passed; a known bug that no longer shows is fatal.
fixed() {
	case " $KNOWN_BUGS " in
	*" $1 "*) fail "XPASS $1: the bug is fixed; remove it from KNOWN_BUGS in $0" ;;
	esac
}

# A process has ended (gone or a zombie: kill -0 still succeeds on those).
ended() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$st" ] || [ "$st" = Z ]
}

# wait_exit PID SECS: its exit status in RC, or fail.
wait_exit() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		ended "$1" && break
		sleep 0.05
	done
	ended "$1" || fail "process $1 still running after $2 s"
	wait "$1" 2>/dev/null
	RC=$?
}

# wait_line FILE REGEX SECS
wait_line() {
	local i
	for ((i = 0; i < $3 * 20; i++)); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "no line /$2/ in $1 after $3 s: $(tail -n 3 "$1" 2>/dev/null)"
}

# start_daemon DOMID NAME TIMEOUT: pid in DPID; log $W/NAME.log.
start_daemon() {
	mkdir -p "$VDIR/$1" && chmod 01777 "$VDIR/$1"
	rm -f "$W/$2.ready"
	VCHAN_SOCKET_DIR=$VDIR "$BIN/qrexec-daemon" "$1" "$2" --timeout "$3" --ready-fd 3 \
		3>"$W/$2.ready" 2>"$W/$2.log" </dev/null &
	DPID=$!
	STARTED+=("$DPID")
}

# agent DOMID ARGS...: fake-agent as the agent of DOMID.
agent() {
	local dom=$1
	shift
	VCHAN_DOMAIN=$dom VCHAN_SOCKET_DIR=$VDIR/$dom "$FA" "$@"
}

# A daemon's log must be printable ASCII (untrusted bytes escaped) and
# free of sanitizer reports (but for the known leak when LEAK_OK=1).
check_log() {
	LC_ALL=C grep -q '[^[:print:]]' "$1" && fail "$1 has unescaped bytes: $(LC_ALL=C grep -n '[^[:print:]]' "$1" | head -n 1 | od -c | head -n 2)"
	if [ "${LEAK_OK:-0}" = 1 ]; then
		[ "$(grep -c 'ERROR: ' "$1")" -eq 1 ] && grep -q 'ERROR: LeakSanitizer' "$1" && return 0
	fi
	grep -Eq 'Sanitizer|runtime error|SUMMARY:' "$1" && fail "sanitizer report in $1: $(grep -E -m 3 'Sanitizer|runtime error|SUMMARY' "$1")"
	return 0
}

# The sanitizer build's LeakSanitizer at the exit of a daemon that
# found a violation after it had allocated the message's payload: the
# exit skips the free (qrexec/daemon/serve.c, on_control -> violation).
violation_leak() {
	[ "$RC" -eq 134 ] && grep -q 'LeakSanitizer: detected memory leaks' "$1" && grep -q ' in on_control ' "$1"
}

# The bystander: daemon `bystander` (domain 12) and a serving agent,
# whose commands go to fd 7 and whose lines land in $W/bystander.out.
start_bystander() {
	local i
	start_daemon 12 bystander 10
	BPID=$DPID
	rm -f "$W/bystander.in"
	mkfifo "$W/bystander.in"
	agent 12 serve <"$W/bystander.in" >"$W/bystander.out" 2>"$W/bystander.err" &
	SPID=$!
	STARTED+=("$SPID")
	exec 7>"$W/bystander.in"
	wait_line "$W/bystander.out" '^ready$' 10
	for ((i = 0; i < 100; i++)); do [ -s "$W/bystander.ready" ] && break; sleep 0.05; done
	[ -s "$W/bystander.ready" ] || fail "the bystander daemon did not report readiness"
}

# The bystander still works: its agent's request refused, a dom0 PING
# answered, a SERVICE_REFUSED and an EXEC_CMDLINE delivered to its agent.
check_bystander() {
	local tag=$1 port
	ended "$BPID" && fail "$tag: the bystander daemon died: $(tail -n 3 "$W/bystander.log")"
	echo "trigger 2" >&7
	echo "ping $tag" >&7
	wait_line "$W/bystander.out" "^pong $tag\$" 10
	agent 12 dom0-ping bystander 12 || fail "$tag: dom0 ping to the bystander"
	agent 12 dom0-refuse bystander "$tag" >/dev/null || fail "$tag: dom0 request to the bystander"
	wait_line "$W/bystander.out" "^refused $tag\$" 5
	port=$(agent 12 dom0-exec bystander "user:echo $tag") || fail "$tag: dom0 exec on the bystander"
	wait_line "$W/bystander.out" "^exec 0 ${port#port } user:echo $tag\$" 5
}

# Its agent leaves: the daemon must exit 0, its log clean.
stop_bystander() {
	exec 7>&-
	wait_exit "$SPID" 10
	[ "$RC" -eq 0 ] || fail "the bystander's agent failed: $(cat "$W/bystander.err")"
	wait_exit "$BPID" 10
	[ "$RC" -eq 0 ] || fail "the bystander daemon exited $RC: $(tail -n 5 "$W/bystander.log")"
	check_log "$W/bystander.log"
	grep -q 'protocol violation\|cannot send' "$W/bystander.log" && fail "bystander: $(grep -m 1 'protocol violation\|cannot send' "$W/bystander.log")"
	return 0
}

vm_rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
fd_count() { ls "/proc/$1/fd" | wc -l; }
# sample PID: in CPU the nanoseconds it has been on a CPU (schedstat's
# first field; the second, time queued for a CPU, grows with the
# machine's load for a process that merely wakes now and then), in WOKE
# the times it went to sleep of its own accord (a wait), in STATE its
# state letter.  Builtins only: no fork to wait for on a loaded machine.
sample() {
	local k v rest
	read -r CPU rest <"/proc/$1/schedstat"
	while read -r k v rest; do
		case $k in
		State:) STATE=$v ;;
		voluntary_ctxt_switches:) WOKE=$v ;;
		esac
	done <"/proc/$1/status"
}

# What the attacked daemon must do: "EXIT|LOG-REGEX".
expect_for() {
	case $1 in
	valid)                                 echo "0|the agent closed the control channel" ;;
	hello-stall | hello-none)              echo "1|handshake: " ;;
	hello-len* | hello-trigger | hello-data | hello-v0 | hello-v1)
	                                       echo "1|bad HELLO from the agent" ;;
	*)                                     echo "1|protocol violation by the agent" ;;
	esac
}

# Options of fake-agent and the attacked daemon's --timeout.
opts_for() {
	case $1 in
	# The daemon allows 5 s per message.
	trunc-header | payload-stall | slowloris) echo "--deadline 8000|10" ;;
	# It allows --timeout for the agent's HELLO.
	hello-stall | hello-none)                 echo "--deadline 7000|3" ;;
	*)                                        echo "|10" ;;
	esac
}

note "sandbox: seccomp and no capabilities once the agent is connected"
start_bystander
st=/proc/$BPID/status
grep -q '^Seccomp:[[:space:]]*2$' "$st" || fail "bystander daemon: $(grep Seccomp "$st")"
grep -q '^NoNewPrivs:[[:space:]]*1$' "$st" || fail "bystander daemon: $(grep NoNewPrivs "$st")"
for c in CapEff CapPrm CapInh CapBnd CapAmb; do
	grep -q "^$c:[[:space:]]*0000000000000000$" "$st" || fail "bystander daemon: $(grep "^$c" "$st")"
done
check_bystander sandbox
stop_bystander

note "one attack per pair of daemons"
LEAKS=
modes=$("$FA" list | grep -v '^flood') || fail "fake-agent list"
[ "$(echo "$modes" | wc -l)" -ge 60 ] || fail "fake-agent knows only $(echo "$modes" | wc -l) attacks"
for mode in $modes; do
	[ -n "${QREXEC_HOSTILE_ONLY:-}" ] && ! [[ $mode =~ $QREXEC_HOSTILE_ONLY ]] && continue
	IFS='|' read -r want pattern <<<"$(expect_for "$mode")"
	IFS='|' read -r faopts tmo <<<"$(opts_for "$mode")"
	# The bystander first: the attacked daemon's --timeout runs from its start.
	start_bystander
	start_daemon 11 hostile "$tmo"
	APID=$DPID
	# shellcheck disable=SC2086
	agent 11 $faopts "$mode" >"$W/attack.out" 2>"$W/attack.err"; rc=$?
	[ "$rc" -eq 0 ] || fail "$mode: $(cat "$W/attack.err")"
	wait_exit "$APID" 10
	LEAK_OK=0
	if violation_leak "$W/hostile.log"; then
		LEAKS="$LEAKS $mode" LEAK_OK=1 RC=1
	elif [ "$mode" = t3-no-nul ] && grep -qa AddressSanitizer "$BIN/qrexec-daemon"; then
		fixed violation-leak
	fi
	if [ "$mode" = trunc-header-eof ] && [ "$RC" -eq 0 ]; then
		# The agent closed halfway through a header: a violation, not an
		# orderly close (serve.c reads -EPIPE there as "the agent closed").
		known trunc-header-eof "$mode: the daemon exited 0: $(tail -n 1 "$W/hostile.log")"
		want=0 pattern="the agent closed the control channel"
	elif [ "$mode" = trunc-header-eof ]; then
		fixed trunc-header-eof
	fi
	[ "$RC" -eq "$want" ] || fail "$mode: the attacked daemon exited $RC, not $want: $(tail -n 3 "$W/hostile.log")"
	grep -Eq -- "$pattern" "$W/hostile.log" || fail "$mode: no /$pattern/ in the log: $(tail -n 3 "$W/hostile.log")"
	check_log "$W/hostile.log"
	check_bystander "$mode"
	stop_bystander
	printf '%-20s %s\n' "$mode" "$(grep -Eo -- "$pattern.*" "$W/hostile.log" | head -n 1 | cut -c1-90)"
done
LEAK_OK=0
[ -n "$LEAKS" ] && known violation-leak "LeakSanitizer aborts the daemon (exit 134, the payload malloc'd in on_control not freed before violation() exits) after:$LEAKS"

note "floods: the daemon keeps up, or drops this qube only; bounded memory"
# flood MODE ARGS...: while the hostile agent floods, sample the hostile
# daemon's RSS (max in MAXRSS, kB) and check the bystander.
flood() {
	local mode=$1 fpid i=0 rss
	shift
	start_bystander
	start_daemon 11 hostile 10
	APID=$DPID
	agent 11 "$mode" "$@" >"$W/attack.out" 2>"$W/attack.err" &
	fpid=$!
	STARTED+=("$fpid")
	MAXRSS=0
	while ! ended "$fpid"; do
		rss=$(vm_rss "$APID" 2>/dev/null) && [ -n "$rss" ] && [ "$rss" -gt "$MAXRSS" ] && MAXRSS=$rss
		if [ $((i++ % 20)) -eq 5 ]; then check_bystander "$mode-$i"; fi
		sleep 0.1
	done
	wait "$fpid" || fail "$mode: $(cat "$W/attack.err")"
	BASERSS=$(vm_rss "$BPID")
	[ "$MAXRSS" -lt $((BASERSS + 32768)) ] ||
		fail "$mode: the flooded daemon grew to $MAXRSS kB (an idle one: $BASERSS kB)"
	wait_exit "$APID" 10
	check_log "$W/hostile.log"
	check_bystander "$mode-end"
	stop_bystander
	echo "$mode $*: $(cat "$W/attack.out") (sent answered unanswered); max RSS $MAXRSS kB, idle $BASERSS kB;" \
		"daemon log $(wc -c <"$W/hostile.log") bytes"
}
flood flood 20000
grep -q '^kept-up 20000 20000 0$' "$W/attack.out" || grep -q '^dropped' "$W/attack.out" ||
	fail "flood: $(cat "$W/attack.out")"
# 20000 refusals (no policy daemon here) are not 20000 log lines: the
# daemon logs a burst, then a summary a second (2.6 MB before the limit).
[ "$(wc -c <"$W/hostile.log")" -lt 262144 ] || fail "flood: the daemon's log grew to $(wc -c <"$W/hostile.log") bytes"
grep -q 'more requests refused (not logged one by one)' "$W/hostile.log" || fail "flood: no summary of the unlogged refusals"
flood flood 200 64999
grep -q '^kept-up 200 200 0$' "$W/attack.out" || grep -q '^dropped' "$W/attack.out" ||
	fail "flood of the longest names: $(cat "$W/attack.out")"

# An agent that sends requests and never reads the answers: once the
# daemon's writes back are blocked, it must wait (or give up on this
# qube), not spin.  Time runnable (on a CPU or queued for one) was the
# measure once; on a loaded machine a blocked daemon scored 86%: the
# queue wait of its burst of answers and of each wake-up, not work.
# Now, once the daemon has answered what it could and gone to sleep (or
# 4 s into the flood, if it never does), for 5 s while the agent still
# does not read, every second:
#  - its CPU time against that of a busy loop beside it: both get the
#    same share of the machine, however loaded, so a spinning daemon
#    scores about 100%, a blocked one about 0;
#  - its wake-ups: a blocked daemon wakes when its send times out (every
#    5 s); a storm of short waits costs little CPU but shows here.
# A second is busy above 50% (a wake-up on the send timeout costs a few
# ms: on a loaded machine, a third of the loop's share of that second) or
# 5 wake-ups; 3 busy seconds of 5 fail (a loaded machine may still be
# serving the burst in the first ones).
start_bystander
start_daemon 11 hostile 10
APID=$DPID
agent 11 flood-noread 1000000 16 12000 >"$W/attack.out" 2>"$W/attack.err" &
fpid=$!
STARTED+=("$fpid")
sh -c 'while :; do :; done' &
spin=$!
STARTED+=("$spin")
wait_line "$W/hostile.log" 'refused' 10
t0=$SECONDS q=0
sample "$APID"
while [ "$q" -lt 3 ] && [ $((SECONDS - t0)) -lt 4 ]; do
	c=$CPU
	sleep 0.1
	sample "$APID"
	if [ "$STATE" = S ] && [ "$CPU" = "$c" ]; then q=$((q + 1)); else q=0; fi
done
[ "$q" -eq 3 ] && settled="asleep after $((SECONDS - t0)) s" || settled="never asleep in 4 s"
busy=0 per_s=
for ((k = 0; k < 5; k++)); do
	c=$CPU v=$WOKE
	sample "$spin"
	sp=$CPU
	sleep 1
	sample "$spin"
	ds=$((CPU - sp))
	sample "$APID"
	dc=$((CPU - c)) dv=$((WOKE - v))
	per_s+=" $((dc / 1000000))/$((ds / 1000000))ms,$dv"
	if [ $((dc * 2)) -gt "$ds" ] || [ "$dv" -gt 5 ]; then busy=$((busy + 1)); fi
done
kill "$spin"
wait "$spin" 2>/dev/null
check_bystander noread
wait "$fpid" || fail "flood-noread: $(cat "$W/attack.err")"
wait_exit "$APID" 15
check_log "$W/hostile.log"
stop_bystander
echo "flood-noread: $(cat "$W/attack.out") (sent answered unanswered); the daemon $settled, then a second each" \
	"(its CPU/the busy loop's, its wake-ups):$per_s; $busy busy; $(grep -c 'cannot send' "$W/hostile.log") answers given up"
if [ "$busy" -ge 3 ]; then
	known send-spin "flood-noread: the daemon spun while its agent did not read: $busy seconds of 5 above 50% of a busy loop's CPU or 5 wake-ups (its CPU/the loop's, wake-ups:$per_s) (once lib/vchan.c vchan_send: the socket's wait returned at once on POLLIN, the deadline never checked)"
else
	fixed send-spin
fi

note "leaks: a surviving daemon over thousands of requests"
start_bystander
echo "trigger 50" >&7
agent 12 dom0-refuse bystander warm 50 || fail "warm-up refusals"
agent 12 dom0-exec bystander user:true 50 || fail "warm-up execs"
echo "ping warm" >&7
wait_line "$W/bystander.out" '^pong warm$' 20
fd0=$(fd_count "$BPID") rss0=$(vm_rss "$BPID")
echo "trigger 300" >&7
agent 12 dom0-refuse bystander leak 300 || fail "300 dom0 refusals"
# More than the daemon's 1024 data ports: each is freed by the agent's
# CONNECTION_TERMINATED, or the daemon runs out.
agent 12 dom0-exec bystander user:true 1100 || fail "1100 dom0 execs"
echo "ping leak" >&7
wait_line "$W/bystander.out" '^pong leak$' 60
fd1=$(fd_count "$BPID") rss1=$(vm_rss "$BPID")
[ "$(grep -c '^exec 0 [0-9]* user:true$' "$W/bystander.out")" -eq 1150 ] || fail "execs delivered: $(grep -c '^exec' "$W/bystander.out")"
[ "$(grep -c '^refused leak[0-9]*$' "$W/bystander.out")" -eq 300 ] || fail "dom0 refusals delivered"
[ "$fd1" -eq "$fd0" ] || fail "fd leak: $fd0 -> $fd1 open fds: $(ls -l "/proc/$BPID/fd")"
[ "$rss1" -le $((rss0 + 1024)) ] || fail "memory: VmRSS $rss0 -> $rss1 kB over 1,700 requests"
echo "fds $fd0 -> $fd1, VmRSS $rss0 -> $rss1 kB over 300 agent requests, 300 refusals, 1100 execs"
stop_bystander

echo "ok ($((SECONDS - T0)) s, $XFAILS known bugs)"
