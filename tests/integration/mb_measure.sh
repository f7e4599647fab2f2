#!/usr/bin/env bash
# bulkhead-measure against a swtpm: measure the boot components, check the
# PCRs by an independent computation, verify; a tampered log, an extend
# behind the log's back and a changed component are each caught and named;
# malformed input is refused; no transient handle is ever left.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/swtpm.sh"
H=$TPM_HELPER
b=$BULKHEAD_ROOT/boot
log=$BULKHEAD_ROOT/run/bulkhead/measured-boot/eventlog

mkdir -p "$b/bin/sub" "$b/policy.d"
head -c 70000 /dev/urandom >"$b/xen.gz"
head -c 90000 /dev/urandom >"$b/vmlinuz"
head -c 50000 /dev/urandom >"$b/initrd.img"
echo "dom0_mem=2G console=com1" >"$b/xen-cmdline"
echo "root=/dev/mapper/dom0 ro quiet" >"$b/kernel-cmdline"
echo "#!/bin/sh" >"$b/bin/qvm-run"; echo "x" >"$b/bin/sub/capd"; chmod 755 "$b/bin/qvm-run"
echo "qubes.Filecopy * @anyvm @anyvm ask" >"$b/policy.d/30-user.policy"
echo "bulkhead-audit-pubkey ed25519 00" >"$b/audit.pub"
measure_boot() {
	bulkhead-measure boot --xen "$b/xen.gz" --xen-cmdline "$b/xen-cmdline" --kernel "$b/vmlinuz" \
		--kernel-cmdline "$b/kernel-cmdline" --initramfs "$b/initrd.img" --dom0-binaries "$b/bin" \
		--policy "$b/policy.d" --capd-public "$b/audit.pub"
}

swtpm_start "$BULKHEAD_ROOT/tpm"

note "measure: 8 components, PCRs 11-15 as computed independently"
expect_ok measure_boot >/dev/null
swtpm_no_transients "bulkhead-measure boot"
[ "$(bulkhead-measure show | wc -l)" -eq 8 ] || fail "show does not list 8 measurements"
bulkhead-measure show | grep -q "^12 kernel [0-9a-f]\{64\} $b/vmlinuz\$" || fail "show: no kernel line"
sha() { python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read().rstrip(b"\n") if sys.argv[2]=="c" else open(sys.argv[1],"rb").read()).hexdigest())' "$1" "$2"; }
ext() { python3 -c 'import hashlib,sys; print(hashlib.sha256(bytes.fromhex(sys.argv[1])+bytes.fromhex(sys.argv[2])).hexdigest())' "$1" "$2"; }
zero=$(printf '0%.0s' $(seq 64))
want12=$(ext "$(ext "$zero" "$(sha "$b/vmlinuz" f)")" "$(sha "$b/kernel-cmdline" c)")
[ "$("$H" pcr 12)" = "$want12" ] || fail "PCR 12 is not SHA-256 extends of the kernel and its command line"
want13=$(ext "$zero" "$(sha "$b/initrd.img" f)")
[ "$("$H" pcr 13)" = "$want13" ] || fail "PCR 13 is not the initramfs extend"
# The tree digest as SPEC/measured-boot.md "Measurement" defines it.
tree() {
	python3 - "$1" <<'PY'
import hashlib, os, stat, struct, sys
root = sys.argv[1]; h = hashlib.sha256()
def walk(rel):
    for name in sorted(os.listdir(os.path.join(root, rel)), key=os.fsencode):
        r = os.path.join(rel, name) if rel else name
        st = os.lstat(os.path.join(root, r)); b = r.encode()
        t = b"D" if stat.S_ISDIR(st.st_mode) else b"F"
        h.update(t + struct.pack("<I", len(b)) + b + struct.pack("<I", st.st_mode & 0o7777))
        if t == b"D":
            walk(r)
        else:
            h.update(hashlib.sha256(open(os.path.join(root, r), "rb").read()).digest())
walk("")
print(h.hexdigest())
PY
}
want14=$(ext "$zero" "$(tree "$b/bin")")
[ "$("$H" pcr 14)" = "$want14" ] || fail "PCR 14 is not the extend of the dom0 binaries' tree digest"
out=$(expect_ok bulkhead-measure verify)
case $out in "ok: 8 measurements"*) ;; *) fail "verify: $out" ;; esac
swtpm_no_transients "bulkhead-measure verify"

note "one measurement per boot"
err=$(expect_fail 1 measure_boot)
case $err in *"already measured"*) ;; *) fail "second boot measurement: $err" ;; esac
cp "$log" "$BULKHEAD_ROOT/reference"

note "a tampered log is caught and the first measurement named"
python3 - "$log" <<'PY'
import sys
p = sys.argv[1]; d = bytearray(open(p, "rb").read())
d[16 + 2 * 168 + 8] ^= 1          # record #2 (the kernel): one digest bit
open(p, "wb").write(d)
PY
err=$(expect_fail 1 bulkhead-measure verify)
case $err in *"PCR 12 does not match"*"#2 kernel $b/vmlinuz"*) ;; *) fail "tampered log: $err" ;; esac
cp "$BULKHEAD_ROOT/reference" "$log"
expect_ok bulkhead-measure verify >/dev/null

note "an extend behind the log's back is caught"
expect_ok "$H" extend 13 "$(printf 'cd%.0s' $(seq 32))" >/dev/null
err=$(expect_fail 1 bulkhead-measure verify)
case $err in *"PCR 13 does not match"*"#4 initramfs"*) ;; *) fail "extra extend: $err" ;; esac

note "reboot with a changed kernel: the log verifies, the reference names the kernel"
swtpm_reboot "$BULKHEAD_ROOT/tpm"
rm "$log"
head -c 90000 /dev/urandom >"$b/vmlinuz"
expect_ok measure_boot >/dev/null
expect_ok bulkhead-measure verify >/dev/null
err=$(expect_fail 1 bulkhead-measure verify --reference "$BULKHEAD_ROOT/reference")
case $err in *"#2 kernel $b/vmlinuz differs from the reference"*) ;; *) fail "reference: $err" ;; esac
expect_ok bulkhead-measure verify --reference "$log" >/dev/null

note "malformed logs and inputs are refused with one line"
head -c 100 "$log" >"$BULKHEAD_ROOT/short"
err=$(expect_fail 1 bulkhead-measure verify --log "$BULKHEAD_ROOT/short")
case $err in *"not whole records"*) ;; *) fail "short log: $err" ;; esac
printf 'XXEVLOG1' | dd of="$BULKHEAD_ROOT/short" conv=notrunc status=none
err=$(expect_fail 1 bulkhead-measure show --log "$BULKHEAD_ROOT/short")
case $err in *"bad header"*) ;; *) fail "bad magic: $err" ;; esac
ln -s /etc/passwd "$b/policy.d/link.policy"
err=$(expect_fail 1 bulkhead-measure boot --log "$BULKHEAD_ROOT/l2" --policy "$b/policy.d")
case $err in *"neither a file nor a directory"*) ;; *) fail "symlink in tree: $err" ;; esac
[ ! -e "$BULKHEAD_ROOT/l2" ] || fail "a refused measurement wrote a log"
rm "$b/policy.d/link.policy"
d=$BULKHEAD_ROOT/deep; p=$d
for i in $(seq 17); do p=$p/d; done
mkdir -p "$p"
err=$(expect_fail 1 bulkhead-measure boot --log "$BULKHEAD_ROOT/l2" --policy "$d")
case $err in *"deeper than 16 levels"*) ;; *) fail "deep tree: $err" ;; esac
[ ! -e "$BULKHEAD_ROOT/l2" ] || fail "a refused measurement wrote a log"

note "a permission change in the policy tree changes its measurement"
swtpm_reboot "$BULKHEAD_ROOT/tpm"
rm "$log"
expect_ok measure_boot >/dev/null
cp "$log" "$BULKHEAD_ROOT/reference2"
swtpm_reboot "$BULKHEAD_ROOT/tpm"
rm "$log"
chmod 600 "$b/policy.d/30-user.policy"
expect_ok measure_boot >/dev/null
err=$(expect_fail 1 bulkhead-measure verify --reference "$BULKHEAD_ROOT/reference2")
case $err in *"#6 policy $b/policy.d differs"*) ;; *) fail "chmod in the policy tree: $err" ;; esac

long=$BULKHEAD_ROOT/$(printf 'k%.0s' $(seq 130))
cp "$b/vmlinuz" "$long"
expect_fail 1 bulkhead-measure boot --log "$BULKHEAD_ROOT/l2" --kernel "$long" >/dev/null
bulkhead-measure boot --log "$BULKHEAD_ROOT/l2" 2>/dev/null; [ $? -eq 2 ] || fail "no component: not a usage error"
bulkhead-measure boot --kernel "$b/vmlinuz" --kernel "$b/vmlinuz" 2>/dev/null
[ $? -eq 2 ] || fail "a component twice: not a usage error"
swtpm_no_transients
echo ok
