#!/usr/bin/env bash
# Local backend volumes: clone copies every persistent volume and shifts
# ownership to the new qube's uid range, copying symlinks as symlinks and
# keeping hard links; remove deletes the qube's tree without following
# the qube's symlinks out of it; a DispVM gets a fresh, re-owned copy of
# its source's private volume that is gone at shutdown.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/local.sh"
Q=$BULKHEAD_ROOT/var/lib/bulkhead/qubes
vmm_serve
vm_ok create host-base 1 TemplateVM
vm_ok create src 2 AppVM
vm_ok start src 2 AppVM --template host-base 1
in_qube src 1000 sh -c 'echo data > /home/user/f && ln /home/user/f /home/user/hard && ln -s /etc/shadow /home/user/evil &&
	mkdir -p /home/user/d/e && echo deep > /home/user/d/e/g && mkfifo /home/user/fifo && chmod 4755 /home/user/d/e/g' ||
	fail "populate src"
in_qube src 0 sh -c 'echo tool > /usr/local/bin/t && chown 1234:4321 /usr/local/bin/t' || fail "populate /usr/local"
vm_ok shutdown src
vm_ok wait src 30

note "clone shifts ownership"
vm_ok clone src 2 AppVM dst 7 AppVM
b2=$(host_base 2) b7=$(host_base 7)
[ "$(stat -c %u:%g "$Q/src/private/home/user/f")" = "$((b2 + 1000)):$((b2 + 1000))" ] || fail "source owner"
[ "$(stat -c %u:%g "$Q/dst/private/home/user/f")" = "$((b7 + 1000)):$((b7 + 1000))" ] || fail "clone owner of f"
[ "$(stat -c %u:%g "$Q/dst/private/home/user")" = "$((b7 + 1000)):$((b7 + 1000))" ] || fail "clone owner of home"
[ "$(stat -c %u:%g "$Q/dst/private")" = "$b7:$b7" ] || fail "clone owner of the volume root"
[ "$(stat -c %u:%g "$Q/dst/private/usrlocal/bin/t")" = "$((b7 + 1234)):$((b7 + 4321))" ] || fail "clone owner of t"
[ "$(stat -c %h "$Q/dst/private/home/user/f")" = 2 ] || fail "hard link not kept"
[ -L "$Q/dst/private/home/user/evil" ] || fail "symlink not copied as a symlink"
[ "$(readlink "$Q/dst/private/home/user/evil")" = /etc/shadow ] || fail "symlink target"
[ -p "$Q/dst/private/home/user/fifo" ] || fail "fifo"
[ "$(stat -c %a "$Q/dst/private/home/user/d/e/g")" = 4755 ] || fail "mode (set-id bits) not kept"
[ "$(cat "$Q/dst/private/home/user/d/e/g")" = deep ] || fail "content"
vm_ok start dst 7 AppVM --template host-base 1
[ "$(in_qube dst 1000 stat -c %U:%G /home/user/f)" = user:user ] || fail "clone's file not the clone's user inside"
[ "$(in_qube dst 1000 cat /home/user/f)" = data ] || fail "clone content inside"
vm_ok kill dst
vm clone src 2 AppVM dst 7 AppVM && fail "clone over an existing qube"

note "cloning a template copies its root layer, re-owned"
vm_ok start host-base 1 TemplateVM
in_qube host-base 0 sh -c 'echo v > /usr/bin/tpl-x && mkdir /opt/o && chown user /opt/o && rm -f /etc/hostname' || fail "template writes"
vm_ok kill host-base
vm_ok clone host-base 1 TemplateVM tpl2 8 TemplateVM
b1=$(host_base 1) b8=$(host_base 8)
[ "$(stat -c %u "$Q/tpl2/layer/usr/bin/tpl-x")" = "$b8" ] || fail "layer file owner"
[ "$(stat -c %u "$Q/tpl2/layer/root/opt/o")" = "$((b8 + 1000))" ] || fail "layer dir owner"
[ -c "$Q/tpl2/layer/root/etc/hostname" ] || fail "whiteout not copied"
vm_ok start tpl2 8 TemplateVM
[ "$(in_qube tpl2 0 cat /usr/bin/tpl-x)" = v ] || fail "cloned template content"
in_qube tpl2 0 test -e /etc/hostname && fail "whiteout not honoured in the clone"
vm_ok kill tpl2
vm_ok create app2 9 AppVM
vm_ok start app2 9 AppVM --template tpl2 8
[ "$(in_qube app2 0 cat /usr/bin/tpl-x)" = v ] || fail "AppVM of the cloned template"
[ "$(in_qube app2 0 stat -c %U /opt/o)" = user ] || fail "AppVM of the cloned template: owner"
vm_ok kill app2

note "a DispVM gets a fresh copy of its source's private volume"
vm_ok create disp1 10 DispVM
vm_ok start disp1 10 DispVM --template host-base 1 --private src 2
[ "$(in_qube disp1 1000 cat /home/user/f)" = data ] || fail "DispVM: source file"
[ "$(in_qube disp1 1000 stat -c %U /home/user/f)" = user ] || fail "DispVM: owner inside"
[ "$(stat -c %u "$Q/disp1/disp-private/home/user/f")" = "$(( $(host_base 10) + 1000 ))" ] || fail "DispVM: owner on host"
in_qube disp1 1000 sh -c 'echo changed > /home/user/f && echo new > /home/user/n' || fail "DispVM write"
vm_ok shutdown disp1
vm_ok wait disp1 30
[ -e "$Q/disp1/disp-private" ] && fail "DispVM private volume left after shutdown"
[ "$(cat "$Q/src/private/home/user/f")" = data ] || fail "DispVM changed its source"
vm_ok start disp1 10 DispVM --template host-base 1 --private src 2
in_qube disp1 1000 test -e /home/user/n && fail "DispVM state survived"
vm_ok kill disp1
[ -e "$Q/disp1/disp-private" ] && fail "DispVM private volume left after kill"

note "remove does not follow the qube's symlinks"
mkdir -p "$BULKHEAD_ROOT/outside/dir" && echo precious > "$BULKHEAD_ROOT/outside/dir/file"
ln -s "$BULKHEAD_ROOT/outside/dir" "$Q/dst/private/home/user/link-out"
ln -s "$BULKHEAD_ROOT/outside/dir/file" "$Q/dst/private/link-file"
vm_ok remove dst 7 AppVM
[ -e "$Q/dst" ] && fail "dst left"
[ "$(cat "$BULKHEAD_ROOT/outside/dir/file")" = precious ] || fail "remove followed a symlink"
vm remove src 2 AppVM || fail "remove src"
vm start src 2 AppVM --template host-base 1 && fail "removed qube started"
echo ok
