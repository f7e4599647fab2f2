#!/usr/bin/env bash
# capd as a daemon (SPEC/capabilities.md): its sandbox; who may do what,
# decided by the caller's uid alone; mint and redeem; grants through
# policyd's calls and qvm-cap; capd killed and restarted (capabilities
# from before refused, grants kept); a corrupt grants file refused;
# malformed and stalled clients; a forbidden syscall kills it; every
# decision in an audit log that verifies; capd down means refused.
. "$(dirname "$0")/../lib/common.sh"

TOOL=$BULKHEAD_BUILD/tests/capd-tool
[ -x "$TOOL" ] || fail "missing $TOOL (build first)"
POLICYD=$((0x3E000001))
CAPD_UID=$((0x3E000002))
daemon_uid() { echo $((0x3E010000 + $1)); }
UNKNOWN=4242
STATE=$BULKHEAD_ROOT/var/lib/bulkhead/capd
AUDITDIR=$BULKHEAD_ROOT/var/log/bulkhead/audit
SOCK=$BULKHEAD_ROOT/run/bulkhead/capd/capd.sock
CAPD_PID=

# Clients run under their own uids: every directory above the socket must
# let them through (bulkheadd makes run/bulkhead 0700 today; see SPEC).
chmod 711 "$BULKHEAD_ROOT"
mkdir -p "$BULKHEAD_ROOT/run/bulkhead"
chmod 711 "$BULKHEAD_ROOT/run" "$BULKHEAD_ROOT/run/bulkhead"
d=$BULKHEAD_ROOT
while [ "$d" != / ]; do
	d=$(dirname "$d")
	[ "$(( $(stat -c %#a "$d") & 1 ))" -eq 1 ] || skip "$d is not searchable by other uids"
done

STARTS=0
start_capd() {
	STARTS=$((STARTS + 1))
	"$BIN/capd" >>"$BULKHEAD_ROOT/capd.log" 2>&1 &
	CAPD_PID=$!
	for _ in $(seq 1 200); do
		[ "$(grep -c "serving" "$BULKHEAD_ROOT/capd.log")" -eq $STARTS ] && [ -S "$SOCK" ] && return 0
		kill -0 "$CAPD_PID" 2>/dev/null || { cat "$BULKHEAD_ROOT/capd.log" >&2; fail "capd exited"; }
		sleep 0.05
	done
	fail "capd did not come up"
}
stop_capd() {
	local rc
	[ -n "$CAPD_PID" ] || return 0
	kill -TERM "$CAPD_PID" 2>/dev/null
	wait "$CAPD_PID"; rc=$?
	CAPD_PID=
	return $rc
}
trap 'stop_capd' EXIT

# as UID CMD...: capd-tool as that uid; prints stdout; keeps exit status.
as() { local u=$1; shift; "$TOOL" --uid "$u" "$@"; }
# refused_as UID REASON CMD...: must be refused by capd with REASON.
refused_as() {
	local u=$1 want=$2 err rc
	shift 2
	err=$("$TOOL" --uid "$u" "$@" 2>&1 >/dev/null); rc=$?
	[ $rc -eq 1 ] && [ "$err" = "refused: $want" ] || fail "uid $u $*: expected refused: $want, got exit $rc: $err"
}

W="work 2 personal 3 my.Service arg"   # a call from work (qid 2) to personal (qid 3)

note "start: sandboxed, as its own uid, chrooted"
start_capd
# Every thread: capd and its audit log's flusher (group commit).
[ "$(ls "/proc/$CAPD_PID/task" | wc -l)" -eq 2 ] || fail "threads: $(ls "/proc/$CAPD_PID/task")"
for st in /proc/$CAPD_PID/task/*/status; do
	grep -q "^Uid:[[:space:]]*$CAPD_UID[[:space:]]$CAPD_UID[[:space:]]$CAPD_UID" "$st" || fail "uid: $(grep ^Uid "$st")"
	grep -q '^Seccomp:[[:space:]]*2$' "$st" || fail "$(grep Seccomp "$st")"
	grep -q '^NoNewPrivs:[[:space:]]*1$' "$st" || fail "$(grep NoNewPrivs "$st")"
	for c in CapEff CapPrm CapInh CapBnd CapAmb; do
		grep -q "^$c:[[:space:]]*0000000000000000$" "$st" || fail "$(grep "^$c" "$st")"
	done
done
[ "$(readlink "/proc/$CAPD_PID/root")" = "$STATE" ] || fail "root: $(readlink "/proc/$CAPD_PID/root")"
[ "$(stat -c '%u %a' "$STATE")" = "$CAPD_UID 700" ] || fail "state dir: $(stat -c '%u %a' "$STATE")"
[ "$(stat -c '%u %a %s' "$STATE/key")" = "$CAPD_UID 400 32" ] || fail "key: $(stat -c '%u %a %s' "$STATE/key")"

note "mint by policyd, redeem by the target's daemon, once"
tok=$(as $POLICYD mint $W req-1) || fail "mint"
[ ${#tok} -eq 176 ] || fail "token: $tok"
refused_as "$(daemon_uid 4)" wrong-target redeem "$tok" $W req-1      # another qube's daemon
refused_as "$(daemon_uid 2)" wrong-target redeem "$tok" $W req-1      # the source's daemon
refused_as $POLICYD wrong-target redeem "$tok" $W req-1               # policyd: dom0 calls only
refused_as "$(daemon_uid 3)" forged redeem "$tok" $W req-2            # another request
refused_as "$(daemon_uid 3)" forged redeem "$tok" work 2 personal 3 my.Service arg2 req-1
refused_as 0 wrong-caller redeem "$tok" $W req-1                      # root redeems nothing
[ "$(as "$(daemon_uid 3)" redeem "$tok" $W req-1)" = ok ] || fail "redeem by the target's daemon"
refused_as "$(daemon_uid 3)" replayed redeem "$tok" $W req-1

note "callers by uid: only policyd mints for qubes' calls, grants and audits; root mints for dom0's own calls, lists and revokes"
refused_as "$(daemon_uid 3)" wrong-caller mint $W req-3
refused_as "$(daemon_uid 2)" wrong-caller mint-grant $W req-3
refused_as 0 wrong-caller mint $W req-3                               # a qube's call: policyd's
tok0=$(as 0 mint dom0 0 personal 3 bulkhead.Command 0123456789abcdef0123456789abcdef req-3) &&
	[ ${#tok0} -eq 176 ] || fail "mint of a dom0 call as uid 0"
[ "$(as "$(daemon_uid 3)" redeem "$tok0" dom0 0 personal 3 bulkhead.Command 0123456789abcdef0123456789abcdef req-3)" = ok ] ||
	fail "redeem of root's dom0 call"
refused_as 0 wrong-caller mint-grant $W req-3
refused_as 0 wrong-caller grant $W always 0
refused_as 0 wrong-caller audit work @default my.Service - req 0 no-match - 0
refused_as "$(daemon_uid 3)" wrong-caller grant $W always 0
refused_as "$(daemon_uid 3)" wrong-caller audit work @default my.Service - req 0 no-match - 0
# Uids capd does not know (its own, a daemon uid for qid 0, any other):
# the connection is closed unanswered.
for u in $UNKNOWN $CAPD_UID "$(daemon_uid 0)" "$(daemon_uid $((0x7ff0)))"; do
	out=$("$TOOL" --uid "$u" mint $W req-3 2>&1); rc=$?
	[ $rc -eq 2 ] || fail "uid $u: exit $rc ($out): capd must close the connection unanswered"
done
out=$(setpriv --reuid=$POLICYD --regid=$POLICYD --clear-groups "$BIN/qvm-cap" list 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $out == *wrong-caller* ]] || fail "qvm-cap list as policyd: $rc $out"

note "calls into dom0: redeemed by policyd"
tok=$(as $POLICYD mint work 2 dom0 0 qubes.Notify - r-dom0) || fail "mint to dom0"
refused_as "$(daemon_uid 2)" wrong-target redeem "$tok" work 2 dom0 0 qubes.Notify - r-dom0
[ "$(as $POLICYD redeem "$tok" work 2 dom0 0 qubes.Notify - r-dom0)" = ok ] || fail "policyd redeem"

note "expiry: a capability asked for 300 ms is refused after it"
tok=$(as $POLICYD mint $W req-exp 300) || fail "mint"
sleep 0.5
refused_as "$(daemon_uid 3)" expired redeem "$tok" $W req-exp

note "grants: N calls, until revoked; qvm-cap list and revoke"
g1=$(as $POLICYD grant $W calls 2) || fail "grant"
g2=$(as $POLICYD grant work 2 dom0 0 qubes.Gpg - always 0) || fail "grant"
g3=$(as $POLICYD grant work 2 vault 4 my.Service arg minutes 5) || fail "grant"
for i in 1 2; do
	t=$(as $POLICYD mint-grant $W "c$i") || fail "mint-grant $i"
	[ "$(as "$(daemon_uid 3)" redeem "$t" $W "c$i")" = ok ] || fail "redeem derived $i"
done
refused_as $POLICYD no-grant mint-grant $W c3
refused_as $POLICYD no-grant mint-grant work 2 personal 3 my.Service other c4   # exact argument only
list=$(expect_ok qvm-cap list)
echo "$list"
echo "$list" | grep -Eq "^$g1 +work +personal +my.Service\+arg +calls:2 +0 +-$" || fail "list: grant $g1"
echo "$list" | grep -Eq "^$g2 +work +dom0 +qubes.Gpg\+ +always +- +-$" || fail "list: grant $g2"
echo "$list" | grep -Eq "^$g3 +work +vault +my.Service\+arg +minutes:5 +- +20[0-9-]+T[0-9:]+Z$" || fail "list: grant $g3"
t=$(as $POLICYD mint-grant work 2 dom0 0 qubes.Gpg - in-flight) || fail "mint-grant always"
expect_ok qvm-cap revoke "$g2" >/dev/null
refused_as $POLICYD revoked redeem "$t" work 2 dom0 0 qubes.Gpg - in-flight   # minted before the revocation
refused_as $POLICYD no-grant mint-grant work 2 dom0 0 qubes.Gpg - after
expect_fail 1 qvm-cap revoke "$g2" | grep -q "no grant $g2" || fail "revoke twice"
expect_fail 2 qvm-cap revoke 0 >/dev/null
expect_fail 2 qvm-cap revoke x1 >/dev/null
expect_fail 2 qvm-cap list extra >/dev/null
expect_fail 2 qvm-cap frobnicate >/dev/null
qvm-cap list | grep -q "qubes.Gpg" && fail "revoked grant still listed"

note "policy decisions for the audit log, checked like every request"
as $POLICYD audit work @default qubes.Filecopy - "r 1" 1 policy etc/qubes/policy.d/30-user.policy 4 ||
	fail "audit record"
as $POLICYD audit dom0 work qubes.VMShell - - 0 no-match - 0 || fail "audit record from dom0"

note "malformed requests end the connection; capd keeps serving"
hdr() { printf '%02x%02x0000%02x%02x0000' $(($1 & 255)) $(($1 >> 8)) $(($2 & 255)) $(($2 >> 8)); }
zeros() { printf "%0$(($1 * 2))d" 0; }
for raw in "0:$(hdr 9 8)$(zeros 8)" "0:$(hdr 6 9)$(zeros 9)" "0:$(hdr 6 8)$(zeros 8)" \
	   "$POLICYD:$(hdr 1 440)$(zeros 440)" "$POLICYD:$(hdr 5 8)$(zeros 4)"; do
	u=${raw%%:*}
	out=$(as "$u" raw "${raw#*:}") || fail "raw"
	# type 9; REVOKE of 9 bytes; REVOKE of grant 0; MINT of an all-zero
	# call; a LIST header with half its payload then EOF (the tool shuts
	# its side): each ends the connection without an answer.
	[ "$out" = "-"$'\n'"eof" ] || fail "raw ${raw:0:40}... as $u: $out"
done
# A well-formed request from a caller capd does not permit: an answer
# (wrong-caller), and the connection stays open for the next one.
out=$(as $POLICYD raw "$(hdr 5 8)$(zeros 8)" 1500)
[ "$out" = "050000800400000001000000"$'\n'"open" ] || fail "wrong-caller answer: $out"
# Half a request, then silence: closed at the request deadline (2 s).
out=$(as $POLICYD raw "$(hdr 7 688)$(zeros 4)" 3500) || fail "raw"
[ "$out" = "-"$'\n'"eof" ] || fail "half request: $out"
kill -0 "$CAPD_PID" || fail "capd died"
t=$(as $POLICYD mint $W after-violations) || fail "capd stopped serving after violations"

note "killed mid-life and restarted: capabilities from before refused, grants kept"
tok=$(as $POLICYD mint $W before-kill) || fail "mint"
kill -KILL "$CAPD_PID"; wait "$CAPD_PID" 2>/dev/null; CAPD_PID=
out=$(as $POLICYD mint $W while-down 2>&1); rc=$?
[ $rc -eq 2 ] || fail "capd down: mint exit $rc ($out): must fail"
out=$(as "$(daemon_uid 3)" redeem "$tok" $W before-kill 2>&1); rc=$?
[ $rc -eq 2 ] || fail "capd down: redeem exit $rc ($out): must fail"
start_capd
refused_as "$(daemon_uid 3)" stale redeem "$tok" $W before-kill
# Grant g1 had no call left: with no capability surviving a restart,
# nothing needs it any more, and it does not come back.
qvm-cap list | grep -Eq "^$g1 " && fail "used-up grant $g1 came back"
qvm-cap list | grep -Eq "^$g3 .*minutes:5" || fail "grant $g3 after restart"
t=$(as $POLICYD mint-grant work 2 vault 4 my.Service arg after-restart) || fail "mint-grant after restart"
[ "$(as "$(daemon_uid 4)" redeem "$t" work 2 vault 4 my.Service arg after-restart)" = ok ] || fail "redeem"

note "a corrupt grants file is refused, and left as it is"
stop_capd || fail "capd did not stop cleanly"
cp "$STATE/grants" "$BULKHEAD_ROOT/grants.good"
sed -i 's/minutes:5/minutes:6/' "$STATE/grants"
cp "$STATE/grants" "$BULKHEAD_ROOT/grants.bad"
"$BIN/capd" >"$BULKHEAD_ROOT/corrupt.log" 2>&1 && fail "capd started on an edited grants file"
grep -q "grants.*MAC missing or wrong.*refusing to start" "$BULKHEAD_ROOT/corrupt.log" ||
	fail "no clear error: $(cat "$BULKHEAD_ROOT/corrupt.log")"
cmp -s "$STATE/grants" "$BULKHEAD_ROOT/grants.bad" || fail "the refused file was changed"
cp "$BULKHEAD_ROOT/grants.good" "$STATE/grants"
start_capd

note "a forbidden syscall kills the sandboxed daemon"
# The full start (key, audit log, grants, socket, chroot, uid, seccomp),
# then socket(AF_INET): the kernel must kill it with SIGSYS.
stop_capd || fail "capd did not stop cleanly"
"$BIN/capd" --check-sandbox >"$BULKHEAD_ROOT/check.log" 2>&1 & cpid=$!
wait $cpid; rc=$?
[ $rc -eq $((128 + 31)) ] || fail "capd --check-sandbox: exit $rc, expected death by SIGSYS: $(cat "$BULKHEAD_ROOT/check.log")"
start_capd

note "stalled clients do not stall the others"
idlers=
for i in 1 2 3; do as "$(daemon_uid 3)" idle 3000 >/dev/null & idlers="$idlers $!"; done
sleep 0.2
t=$(as $POLICYD mint $W while-idle) || fail "mint while idle clients hold connections"
[ "$(as "$(daemon_uid 3)" redeem "$t" $W while-idle)" = ok ] || fail "redeem while idle clients"
# shellcheck disable=SC2086
wait $idlers

note "etc/bulkhead/audit-sync: each (no flusher thread), or refused"
stop_capd || fail "capd did not stop cleanly"
mkdir -p "$BULKHEAD_ROOT/etc/bulkhead"
echo each >"$BULKHEAD_ROOT/etc/bulkhead/audit-sync"
start_capd
[ "$(ls "/proc/$CAPD_PID/task" | wc -l)" -eq 1 ] || fail "audit-sync each: threads: $(ls "/proc/$CAPD_PID/task")"
t=$(as $POLICYD mint $W sync-each) || fail "mint with audit-sync each"
[ "$(as "$(daemon_uid 3)" redeem "$t" $W sync-each)" = ok ] || fail "redeem with audit-sync each"
stop_capd || fail "capd did not stop cleanly"
printf 'always\n' >"$BULKHEAD_ROOT/etc/bulkhead/audit-sync"
"$BIN/capd" >"$BULKHEAD_ROOT/sync.log" 2>&1 && fail "capd started with audit-sync 'always'"
grep -q 'audit-sync: not "group" or "each" on a line: refusing to start' "$BULKHEAD_ROOT/sync.log" ||
	fail "no clear error: $(cat "$BULKHEAD_ROOT/sync.log")"
rm "$BULKHEAD_ROOT/etc/bulkhead/audit-sync"

note "the audit log records every decision and verifies"
"$BIN/bulkhead-audit" verify --dir "$AUDITDIR" || fail "audit log does not verify"
show=$("$BIN/bulkhead-audit" show --dir "$AUDITDIR") || fail "bulkhead-audit show"
for ev in capd-start mint redeem refuse mint-from-grant grant-create grant-revoke policy \
	  protocol-violation connection-refused capd-stop; do
	echo "$show" | grep -q "$ev" || fail "no $ev record in the audit log"
done
for reason in wrong-target wrong-caller forged replayed expired revoked no-grant stale; do
	echo "$show" | grep -q "$reason" || fail "no refusal for $reason in the audit log"
done
echo "capd: all checks passed"
