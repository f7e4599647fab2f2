#!/bin/sh
# dom0 script (tests/xen/boot.sh): bulkheadd's Xen backend (SPEC/xen.md)
# through the qvm-* tools on real Xen: the backend reported, volumes as
# image files, two AppVMs of one template started as PV domains with
# their disks, their xenstore configuration (values, dom0-owned and
# readable by the domain alone; read from inside the qubes over qrexec,
# which runs on the daemons' Xen vchans), pause/unpause, shutdown to Halted with
# the volatile image gone, kill, the template refused while its AppVMs
# run, removal, bulkheadd's stop destroying its domains and a new
# bulkheadd destroying the domain a killed one left.
#   tests/xen/boot.sh -t 700 tests/xen/backend_lifecycle.sh
# (225-400 s on a loaded 2-core machine: qubes boot under emulation)
. /bhtest/lib.sh
Q=/var/lib/bulkhead/qubes
CON=/var/log/xen/console

# The Xen backend's configuration (SPEC/xen.md), from the qube image that
# make image puts in dom0, unless the image installs it already.
mkdir -p /etc/bulkhead/xen
[ -e /etc/bulkhead/xen/vmlinuz ] || ln -s /usr/lib/bulkhead/xen/qube-vmlinux.gz /etc/bulkhead/xen/vmlinuz
[ -e /etc/bulkhead/xen/initrd ] || ln -s /usr/lib/bulkhead/xen/qube.cpio.gz /etc/bulkhead/xen/initrd
[ -e /etc/bulkhead/xen/cmdline ] || echo "console=hvc0 loglevel=4" >/etc/bulkhead/xen/cmdline

# state NAME: the STATE column of qvm-ls.
state() { qvm-ls "$1" 2>/dev/null | awk 'NR == 2 { print $2 }'; }
# wait_state NAME STATE SECONDS
wait_state() {
	n=$(($3 * 10))
	while [ "$(state "$1")" != "$2" ] && [ "$n" -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	[ "$(state "$1")" = "$2" ]
}
# wait_console NAME TEXT SECONDS
wait_console() {
	n=$(($3 * 10))
	until grep -q "$2" "$CON/guest-$1.log" 2>/dev/null || [ "$n" -eq 0 ]; do sleep 0.1; n=$((n - 1)); done
	grep -q "$2" "$CON/guest-$1.log" 2>/dev/null
}
logs() { show /var/log/bulkhead/bulkheadd.log /var/log/bulkhead/qubes/"$1".log "$CON/guest-$1.log"; }
# A failed start makes every later check meaningless: stop there.
give_up() { logs "$1"; pending rest "not run: $1 did not start"; exit 1; }

check_out backend_default xen qubes-prefs backend
check_out qvm_ls_backend xen qvm-ls --backend

for q in xa xb; do
	qvm-create --class AppVM --template host-base --label red "$q" &&
		qvm-prefs "$q" maxmem 0 && qvm-prefs "$q" memory 128 && qvm-prefs "$q" vcpus 1 ||
		fail "create_$q" "qvm-create/qvm-prefs failed"
done
if [ -f $Q/host-base/root.img ] && [ -f $Q/xa/private.img ] && [ ! -e $Q/xa/root.img ]; then
	pass volumes_created
else
	fail volumes_created "$(ls -l $Q/host-base $Q/xa 2>&1 | tr '\n' ' ')"
fi

check start_xa qvm-start xa || give_up xa
check_out running_xa Running qvm-ls xa
if xl list xa >/dev/null 2>&1; then pass xl_lists_xa; else fail xl_lists_xa "no domain xa"; fi
da=$(xl domid xa 2>/dev/null)
if [ -f $Q/xa/volatile.img ]; then pass volatile_made; else fail volatile_made "no $Q/xa/volatile.img"; fi
# Disks: xvda the template's root read-only, xvdb/xvdc read-write.
check_out disks_xa "xvda" sh -c "xenstore-ls /local/domain/0/backend/vbd/$da 2>&1 | grep -E 'dev =|mode ='"
if xenstore-ls /local/domain/0/backend/vbd/"$da" 2>/dev/null | grep -A20 'dev = "xvda"' | grep -q 'mode = "r"'; then
	pass root_read_only
else
	fail root_read_only "xvda not mode r"
fi
wait_console xa 'qube: xa' 60 && pass qube_xa_boots || { fail qube_xa_boots "no 'qube: xa' on its console"; logs xa; }

# The qube's configuration in xenstore: values, and permissions (owner
# dom0, nobody else, read for the domain itself) on every node.
check_out xs_name "xa" xenstore-read /local/domain/"$da"/bulkhead/name
check_out xs_label "red" xenstore-read /local/domain/"$da"/bulkhead/label
check_out xs_qrexec_port "512" xenstore-read /local/domain/"$da"/bulkhead/qrexec/port
bad=$(xenstore-ls -p /local/domain/"$da"/bulkhead 2>&1 | grep -v "(n0,r$da)")
if [ -z "$bad" ] && xenstore-ls -p /local/domain/"$da"/bulkhead >/dev/null 2>&1; then
	pass xs_perms
else
	fail xs_perms "$(echo "$bad" | head -n 3 | tr '\n' ' ')"
fi

check start_xb qvm-start xb || give_up xb
db=$(xl domid xb 2>/dev/null)
bad=$(xenstore-ls -p /local/domain/"$db"/bulkhead 2>&1 | grep -v "(n0,r$db)")
[ -z "$bad" ] && [ -n "$db" ] && [ "$db" != "$da" ] && pass xs_perms_xb || fail xs_perms_xb "$bad"
# Inside the qubes, over qrexec (the daemons' Xen vchans): each reads its
# own subtree, is refused another's, and cannot write its own.  Each
# command prints its own status, so a refusal is told from a call that
# did not reach the qube.  The first call waits for the agent (a first
# boot formats the private volume: slow under emulation).
n=0
until qvm-run -p xb true >/dev/null 2>&1 || [ "$n" -ge 12 ]; do sleep 5; n=$((n + 1)); done
# As the qube's root: the qube's xenbus device is root's, so a user would
# be refused by the qube's kernel before xenstored is asked.
check_out qube_reads_own "xb" qvm-run -p -u root xb 'xenstore-read bulkhead/name'
check_out qube_refused_other "status 1" qvm-run -p -u root xb \
	"xenstore-read /local/domain/$da/bulkhead/name; echo status \$?"
if grep -q '^xa$' /bhtest/qube_refused_other.out; then fail qube_refused_other_value "xb read xa's name"; fi
# ... and the refusal is xenstored's, not the qube's device.
if grep -q "xs_open" /bhtest/qube_refused_other.out; then
	fail qube_refused_by_xenstored "$(tr '\n' ' ' </bhtest/qube_refused_other.out)"
fi
check_out qube_cannot_write "status 1" qvm-run -p -u root xb 'xenstore-write bulkhead/name evil; echo status $?'
check_out config_unchanged "xb" xenstore-read /local/domain/"$db"/bulkhead/name
# A template's root is written while it runs: refused while its AppVMs run.
if qvm-start host-base >/bhtest/tpl.out 2>&1; then
	fail template_refused "host-base started while xa runs on it"
	qvm-kill host-base
else
	pass template_refused
fi

check pause_xa qvm-pause xa
check_out paused_xa Paused qvm-ls xa
if xl list xa 2>/dev/null | awk 'NR == 2 { exit !($5 ~ /p/) }'; then pass xl_paused; else fail xl_paused "$(xl list xa | tail -n 1)"; fi
check unpause_xa qvm-unpause xa
check_out unpaused_xa Running qvm-ls xa

check shutdown_xa qvm-shutdown xa
if wait_state xa Halted 60; then pass halted_xa; else fail halted_xa "state $(state xa)"; logs xa; fi
if xl list xa >/dev/null 2>&1; then fail domain_gone_xa "xa still listed"; else pass domain_gone_xa; fi
if [ ! -e $Q/xa/volatile.img ] && [ -f $Q/xa/private.img ]; then pass volatile_discarded; else fail volatile_discarded "$(ls $Q/xa | tr '\n' ' ')"; fi
if xenstore-exists /local/domain/"$da"/bulkhead 2>/dev/null; then fail xs_removed "subtree of $da left"; else pass xs_removed; fi

check kill_xb qvm-kill xb
if wait_state xb Halted 10 && ! xl list xb >/dev/null 2>&1; then pass killed_xb; else fail killed_xb "state $(state xb)"; fi
if losetup -a 2>/dev/null | grep -q "$Q/"; then fail loops_detached "$(losetup -a | tr '\n' ' ')"; else pass loops_detached; fi

check restart_xa qvm-start xa
check_out running_again Running qvm-ls xa
check kill_xa qvm-kill xa
check remove_xb qvm-remove -f xb
if [ ! -e $Q/xb ]; then pass volumes_removed; else fail volumes_removed "$(ls $Q/xb)"; fi

# bulkheadd stopping stops its domains (kill_all); a monitor killed
# outright leaves its domain, which the next bulkheadd destroys (init).
# The registry process: its comm is bulkheadd (the monitor's is bh-monitor).
main_pid() {
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = bulkheadd ] && echo "${p#/proc/}"
	done
}
restart_bulkheadd() {
	bulkheadd >>/var/log/bulkhead/bulkheadd.log 2>&1 &
	n=0
	until qvm-ls >/dev/null 2>&1 || [ "$n" -ge 300 ]; do sleep 0.1; n=$((n + 1)); done
}
gone() {
	n=0
	while [ -n "$(main_pid)" ] && [ "$n" -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
	[ -z "$(main_pid)" ]
}
check start_for_stop qvm-start xa || give_up xa
kill -TERM "$(main_pid)"
if gone && ! xl list xa >/dev/null 2>&1; then pass stop_kills_domains; else fail stop_kills_domains "$(xl list | tail -n +2 | tr '\n' ' ')"; fi
restart_bulkheadd
check start_for_crash qvm-start xa || give_up xa
mon=$(for p in /proc/[0-9]*; do [ "$(cat "$p/comm" 2>/dev/null)" = bh-monitor ] && echo "${p#/proc/}"; done)
kill -KILL $(main_pid) $mon
gone
if xl list xa >/dev/null 2>&1; then pass crash_leaves_domain; else fail crash_leaves_domain "xa gone with the monitor"; fi
restart_bulkheadd
# The new monitor destroys it at init, which may end after the registry
# process answers.
n=0
while xl list xa >/dev/null 2>&1 && [ "$n" -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
if xl list xa >/dev/null 2>&1; then fail stale_destroyed "xa still listed 30 s after bulkheadd restarted"; else pass stale_destroyed; fi
check_out halted_after_restart Halted qvm-ls xa
exit 0
