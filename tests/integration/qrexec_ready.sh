#!/usr/bin/env bash
# A call to a target whose qrexec is not ready yet (issue #6): policyd
# waits for the target's daemon to serve (DREQ_PING) before it mints the
# capability and sends the EXEC, within QREXEC_READY_BY_MS of the
# request; a target whose agent never comes is refused, no hang.
#  - slow: halted, its agent starts 25 s after its qube (more than the
#    start's 10 s and dom0req's 10 s together); a call autostarts it and
#    succeeds, its capability redeemed;
#  - late: started by qvm-start (which returns after 10 s, qrexec not
#    ready), then called at once, with the same late agent: succeeds;
#  - late2: the same for dom0's own call: qvm-run starts it and
#    qrexec-client waits for it (qrexec/lib/dom0exec.c);
#  - dead: its agent never comes; its daemon gives up at its
#    qrexec_timeout (12 s): the call is refused (126) by then, with no
#    capability minted for it, and dom0's daemons still serve.
# One after the other (about 100 s, mostly asleep): bulkheadd starts one
# qube at a time, and a call that comes while another qube's start waits
# for its qrexec waits with it (on its facts), which would hide the bug.
# The late agent: a copy of the qube tools ($BULKHEAD_QUBE_TOOLS) whose
# bin/qrexec-agent sleeps what agent-delay.HOSTNAME says ("never": no
# agent), then runs the real one.
. "$(dirname "$0")/../lib/common.sh"
command -v nsenter >/dev/null || skip "nsenter (util-linux) not installed"
[ "$(id -u)" -eq 0 ] || skip "the local backend needs root"
DELAY=25
tools=$BULKHEAD_ROOT/qube-tools
cp -a "$BULKHEAD_BUILD/qube" "$tools" || fail "copying the qube tools"
mv "$tools/bin/qrexec-agent" "$tools/bin/qrexec-agent.real"
cat >"$tools/bin/qrexec-agent" <<'SH'
#!/bin/sh
d=$(cat "/usr/lib/bulkhead/agent-delay.$(uname -n)" 2>/dev/null)
case $d in
never) exec sleep 100000 ;;
[0-9]*) sleep "$d" ;;
esac
exec /usr/lib/bulkhead/bin/qrexec-agent.real "$@"
SH
chmod 0755 "$tools" "$tools/bin" "$tools/bin/qrexec-agent"
export BULKHEAD_QUBE_TOOLS=$tools

pol=$BULKHEAD_ROOT/etc/qubes/policy.d
mkdir -p "$pol"
cat >"$pol/30-test.policy" <<'P'
test.Echo        *     work    @anyvm     allow
P
log=$BULKHEAD_ROOT/var/log/bulkhead/qrexec-policyd.log
start_bulkheadd
for q in work slow late late2 dead; do expect_ok qvm-create --label red "$q" >/dev/null; done
expect_ok qvm-prefs dead qrexec_timeout 12 >/dev/null
expect_ok qvm-start work slow late >/dev/null
for q in slow late; do
	in_qube "$q" 0 sh -c 'mkdir -p /usr/local/etc/qubes-rpc && cd /usr/local/etc/qubes-rpc &&
	  printf "#!/bin/sh\necho \"echo from \$(uname -n) for \$QREXEC_REMOTE_DOMAIN\"\n" > test.Echo && chmod +x test.Echo' ||
		fail "installing test.Echo in $q"
done
expect_ok qvm-shutdown --wait slow late >/dev/null
call() { in_qube work 1000 /usr/lib/bulkhead/bin/qrexec-client-vm "$@"; }
echo "$DELAY" >"$tools/agent-delay.slow"
echo "$DELAY" >"$tools/agent-delay.late"
echo "$DELAY" >"$tools/agent-delay.late2"
echo never >"$tools/agent-delay.dead"
# dom0's daemons of this root (not their request children or spares).
dom0_daemons() {
	local p c pp
	for p in /proc/[0-9]*; do
		c=$(cat "$p/comm" 2>/dev/null) || continue
		case $c in qrexec-policyd | capd) ;; *) continue ;; esac
		grep -qsa "BULKHEAD_ROOT=$BULKHEAD_ROOT" "$p/environ" || continue
		pp=$(awk '/^PPid:/ { print $2 }' "$p/status" 2>/dev/null)
		[ "$(cat "/proc/$pp/comm" 2>/dev/null)" = "$c" ] && continue
		echo "$c:${p#/proc/}"
	done | sort | tr '\n' ' '
}
before=$(dom0_daemons)
case $before in *capd:*qrexec-policyd:*) ;; *) fail "dom0's daemons not found: '$before'" ;; esac

note "slow: autostarted by the call, agent ${DELAY} s late: the call waits for it and succeeds"
t0=$(date +%s)
out=$(call slow test.Echo </dev/null) || fail "the call to slow failed (exit $?): $(tail -n 5 "$log")"
t1=$(date +%s)
[ "$out" = "echo from slow for work" ] || fail "slow answered '$out'"
[ $((t1 - t0)) -ge "$DELAY" ] || fail "slow answered after $((t1 - t0)) s, before its agent could have come"
grep -q "slow: its qrexec became ready after" "$log" || fail "policyd did not wait for slow's daemon"
bulkhead-audit show --qube slow --event redeem | grep -q test.Echo || fail "no redeem record for the call to slow"

note "late: started by qvm-start (qrexec not ready), called at once: the call waits and succeeds"
expect_ok qvm-start late >/dev/null
out=$(call late test.Echo </dev/null) || fail "the call to late failed (exit $?): $(tail -n 5 "$log")"
[ "$out" = "echo from late for work" ] || fail "late answered '$out'"
bulkhead-audit show --qube late --event redeem | grep -q test.Echo || fail "no redeem record for the call to late"
note "late2: qvm-run autostarts it; its call waits for the late agent too"
out=$(qvm-run -p late2 'uname -n' 2>&1) || fail "qvm-run -p late2: exit $?: $out"
[ "$out" = late2 ] || fail "qvm-run -p late2 printed '$out'"
bulkhead-audit show --qube late2 --event redeem | grep -q . || fail "no redeem record for qvm-run's call to late2"

note "dead: no agent ever; refused when its daemon gives up (qrexec_timeout 12 s), no capability minted"
t0=$(date +%s)
call dead test.Echo </dev/null 2>/dev/null; rc=$?
secs=$(($(date +%s) - t0))
[ "$rc" -eq 126 ] || fail "the call to dead: exit $rc, not refused (126)"
# The autostart's 10 s, the daemon's 12 s from the start, and slack.
[ "$secs" -le 25 ] || fail "the refusal took $secs s"
grep -q "dead: its qrexec did not become ready" "$log" || fail "no refusal logged: $(tail -n 5 "$log")"
bulkhead-audit show --qube dead --event mint | grep -q . && fail "a capability was minted for dead"
kill -0 "$BH_DAEMON_PID" || fail "bulkheadd died"
[ "$(dom0_daemons)" = "$before" ] || fail "a dom0 daemon restarted or died: '$before' -> '$(dom0_daemons)'"
[ "$(call slow test.Echo </dev/null)" = "echo from slow for work" ] || fail "a call after the refusal"
out=$(bulkhead-audit verify) || fail "bulkhead-audit verify: $out"
echo ok
