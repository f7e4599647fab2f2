#!/usr/bin/env bash
# Local backend: /home, /rw and /usr/local persist across a restart; the
# volatile layer (anything else an AppVM writes, /tmp) does not.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/local.sh"
vmm_serve
vm_ok create host-base 1 TemplateVM
vm_ok create work 2 AppVM
vm_ok start work 2 AppVM --template host-base 1

in_qube work 1000 sh -c 'echo keep > /home/user/x' || fail "write /home"
in_qube work 0 sh -c 'printf "#!/bin/sh\necho tool\n" > /usr/local/bin/mytool && chmod 755 /usr/local/bin/mytool' ||
	fail "write /usr/local"
in_qube work 0 sh -c 'echo rw > /rw/config-file' || fail "write /rw"
in_qube work 0 sh -c 'echo gone > /var/tmp/y && echo gone > /etc/z && echo gone > /tmp/t && mkdir /opt/app' ||
	fail "write volatile"
in_qube work 0 sh -c 'echo gone > /usr/bin/volatile-bin' || fail "write /usr/bin in an AppVM"
[ "$(in_qube work 0 cat /etc/z)" = gone ] || fail "volatile write not visible while running"

vm_restart work 2 AppVM --template host-base 1
[ "$(in_qube work 1000 cat /home/user/x)" = keep ] || fail "/home lost"
[ "$(in_qube work 1000 /usr/local/bin/mytool)" = tool ] || fail "/usr/local lost"
[ "$(in_qube work 1000 cat /rw/config-file)" = rw ] || fail "/rw lost"
for f in /var/tmp/y /etc/z /tmp/t /opt/app /usr/bin/volatile-bin; do
	in_qube work 0 test -e "$f" && fail "volatile $f survived a restart"
done
[ "$(stat -c %u:%g "$BULKHEAD_ROOT/var/lib/bulkhead/qubes/work/private/home/user/x")" = \
	"$(( $(host_base 2) + 1000 )):$(( $(host_base 2) + 1000 ))" ] || fail "owner of /home/user/x on the host"
[ "$(stat -c %u "$BULKHEAD_ROOT/var/lib/bulkhead/qubes/work/private/usrlocal/bin/mytool")" = "$(host_base 2)" ] ||
	fail "owner of /usr/local/bin/mytool on the host"

note "the qube's /rw/home is /home: deleting it is survived"
in_qube work 0 sh -c 'rm -rf /home/user' || fail "rm /home/user"
vm_restart work 2 AppVM --template host-base 1
in_qube work 0 test -d /home || fail "/home missing"

note "a symlink planted in the private volume does not steer the mounts"
vm_ok shutdown work
vm_ok wait work 30
priv=$BULKHEAD_ROOT/var/lib/bulkhead/qubes/work/private
rm -rf "$priv/usrlocal" && ln -s /etc "$priv/usrlocal"
vm start work 2 AppVM --template host-base 1 && fail "started with /usr/local a symlink to host /etc"
case $VMM_REPLY in "err 40 "* | "err 20 "*) ;; *) fail "expected ELOOP or ENOTDIR, got: $VMM_REPLY" ;; esac
grep -q 'start failed at private volume' "$BULKHEAD_ROOT/var/log/bulkhead/qubes/work.log" || fail "failure not in the console log"
note "a failed start leaves nothing behind"
vm_ok status work
case $VMM_REPLY in "ok Halted "*) ;; *) fail "status after a failed start: $VMM_REPLY" ;; esac
[ -e "$BULKHEAD_ROOT/run/bulkhead/qubes/work.pid" ] && fail "pid file after a failed start"
[ -e "$(cg_dir pids work)" ] && fail "cgroup after a failed start"
vm start work 2 AppVM --template nosuch 5 && fail "started on a missing template"
rm -f "$priv/usrlocal"
vm_ok start work 2 AppVM --template host-base 1
in_qube work 0 test -e /usr/local/passwd && fail "host /etc showed up"
vm_ok kill work
echo ok
