#!/bin/sh
# dom0 script (tests/xen/boot.sh): the image itself, without Bulkhead's
# Xen backend: Xen's toolstack answers, bulkheadd is up, and a PV domain
# made by hand with `xl create` from the qube image boots to its init and
# shuts down cleanly.  `tests/xen/boot.sh tests/xen/smoke.sh`.
. /bhtest/lib.sh
check xl_info xl info
check_out bulkheadd_up dom0 qvm-ls
cat >/bhtest/smoke.cfg <<'CFG'
name = "smoke"
type = "pv"
kernel = "/usr/lib/bulkhead/xen/qube-vmlinux.gz"
ramdisk = "/usr/lib/bulkhead/xen/qube.cpio.gz"
extra = "console=hvc0 loglevel=4"
memory = 128
vcpus = 1
on_poweroff = "destroy"
on_crash = "destroy"
CFG
check xl_create xl create /bhtest/smoke.cfg
con=/var/log/xen/console/guest-smoke.log
n=600
until grep -q 'qube: smoke' "$con" 2>/dev/null || [ "$n" -eq 0 ]; do sleep 0.1; n=$((n - 1)); done
if grep -q 'qube: smoke' "$con"; then pass qube_boots; else fail qube_boots "no 'qube: smoke' in $con"; show "$con"; fi
check xl_shutdown xl shutdown -w smoke
if xl list smoke >/dev/null 2>&1; then fail qube_gone "smoke still listed"; xl destroy smoke; else pass qube_gone; fi
