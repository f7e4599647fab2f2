#!/usr/bin/env bash
# Local backend: a TemplateVM's root can install into /usr/bin and /opt (its
# persistent layer, over the host's read-only /usr); its AppVMs see the
# change at their next start, read-only; an AppVM cannot change the
# template's layer; a StandaloneVM keeps its own root.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/local.sh"
vmm_serve
vm_ok create host-base 1 TemplateVM
vm_ok create work 2 AppVM
vm_ok create solo 3 StandaloneVM
layer=$BULKHEAD_ROOT/var/lib/bulkhead/qubes/host-base/layer

note "the AppVM runs before the template changes"
vm_ok start work 2 AppVM --template host-base 1
in_qube work 0 test -e /opt/app/version && fail "file exists before the template wrote it"
vm_ok shutdown work
vm_ok wait work 30

note "template root writes to /usr/bin, /opt, /etc and over a host file"
vm_ok start host-base 1 TemplateVM
in_qube host-base 0 sh -c 'mkdir -p /opt/app && echo v1 > /opt/app/version' || fail "template: /opt"
in_qube host-base 0 sh -c 'printf "#!/bin/sh\necho installed\n" > /usr/bin/tpl-tool && chmod 755 /usr/bin/tpl-tool' ||
	fail "template: /usr/bin"
in_qube host-base 0 sh -c 'echo "tplconf=1" > /etc/tpl.conf' || fail "template: /etc"
in_qube host-base 0 sh -c 'cp /usr/bin/true /usr/bin/tpl-true-copy && rm /usr/bin/tpl-true-copy' || fail "template: rm"
in_qube host-base 0 sh -c 'mkdir -p /usr/share/doc/tpl && echo doc > /usr/share/doc/tpl/README' || fail "template: /usr/share"
in_qube host-base 0 sh -c 'chown user:user /opt/app/version' || fail "template: chown"
[ -f "$layer/usr/bin/tpl-tool" ] || fail "the template's /usr/bin write is not in its layer"
[ -f "$layer/root/opt/app/version" ] || fail "the template's /opt write is not in its layer"
[ -e /usr/bin/tpl-tool ] && fail "the template wrote the host's /usr/bin"
[ "$(stat -c %u "$layer/usr/bin/tpl-tool")" = "$(host_base 1)" ] || fail "layer file not owned by the template's root"
[ "$(stat -c %u "$layer/root/opt/app/version")" = "$(( $(host_base 1) + 1000 ))" ] || fail "chown in the template"
host_true=$(stat -c %U /usr/bin/true)
[ "$(in_qube host-base 0 stat -c %U /usr/bin/true)" = root ] || fail "host /usr not shown as root-owned"
[ "$host_true" = root ] || fail "host file owner changed"
vm_ok shutdown host-base
vm_ok wait host-base 30

note "the AppVM sees the change at its next start"
vm_ok start work 2 AppVM --template host-base 1
[ "$(in_qube work 1000 cat /opt/app/version)" = v1 ] || fail "/opt change not seen"
[ "$(in_qube work 1000 tpl-tool)" = installed ] || fail "/usr/bin change not seen"
[ "$(in_qube work 1000 cat /etc/tpl.conf)" = tplconf=1 ] || fail "/etc change not seen"
[ "$(in_qube work 1000 stat -c %U:%G /opt/app/version)" = user:user ] || fail "template's ownership not mapped"
[ "$(in_qube work 1000 stat -c %U /usr/bin/tpl-tool)" = root ] || fail "template's root not mapped"
[ "$(in_qube work 0 hostname)" = work ] || fail "hostname"

note "the AppVM cannot change the template's layer"
in_qube work 0 sh -c 'echo tampered > /opt/app/version && echo bad > /usr/bin/tpl-tool && rm -f /etc/tpl.conf' ||
	fail "AppVM writes over template files (volatile) failed"
[ "$(cat "$layer/root/opt/app/version")" = v1 ] || fail "AppVM changed the template's /opt"
grep -q installed "$layer/usr/bin/tpl-tool" || fail "AppVM changed the template's /usr/bin"
[ -f "$layer/root/etc/tpl.conf" ] || fail "AppVM deleted from the template's layer"
vm_restart work 2 AppVM --template host-base 1
[ "$(in_qube work 1000 cat /opt/app/version)" = v1 ] || fail "AppVM's change to a template file persisted"

note "a StandaloneVM has its own root layer"
vm_ok start solo 3 StandaloneVM
in_qube solo 0 test -e /opt/app/version && fail "StandaloneVM sees the template's layer"
in_qube solo 0 sh -c 'echo mine > /usr/bin/solo-tool' || fail "StandaloneVM: /usr/bin"
vm_ok kill solo
vm_ok start solo 3 StandaloneVM
[ "$(in_qube solo 0 cat /usr/bin/solo-tool)" = mine ] || fail "StandaloneVM root write lost"
in_qube work 0 test -e /usr/bin/solo-tool && fail "AppVM sees the StandaloneVM's root"

vm_ok kill solo
vm_ok kill work
echo ok
