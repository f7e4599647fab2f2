#!/usr/bin/env bash
# bulkhead-aem over bulkhead-measure's boot chain (PCRs 11-15): sealed
# after a measured boot, the secret comes back after a reboot with the
# same components; a changed kernel, initramfs, kernel command line or
# dom0 binary makes unseal refuse, naming the PCR and the measurement
# that changed (against the reference log kept with the blob); an extend
# behind the log's back and a missing log are told apart.  No transient
# handle is left.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/swtpm.sh"
. "$(dirname "$0")/../lib/aem.sh"
R=$BULKHEAD_ROOT
B=$R/boot
MEASURE=$BULKHEAD_BUILD/bin/bulkhead-measure
LOG=$R/run/bulkhead/measured-boot/eventlog
mkdir -p "$B/dom0-bin" "$B/policy"
printf 'xen image v1\n' >"$B/xen.gz"
printf 'dom0_mem=2G\n' >"$B/xen.cmdline"
printf 'kernel image v1\n' >"$B/vmlinuz"
printf 'root=/dev/mapper/root ro quiet\n' >"$B/cmdline"
printf 'initramfs v1\n' >"$B/initrd.img"
printf 'bulkheadd v1\n' >"$B/dom0-bin/bulkheadd"
printf 'qrexec-daemon v1\n' >"$B/dom0-bin/qrexec-daemon"
printf 'qubes.Filecopy * @anyvm @anyvm ask\n' >"$B/policy/30-user.policy"

# A boot: the TPM reset (clean reboot), run/ emptied, the chain measured.
boot() {
	aem_reboot "$R/tpm"
	rm -f "$LOG"
	expect_ok "$MEASURE" boot --xen "$B/xen.gz" --xen-cmdline "$B/xen.cmdline" --kernel "$B/vmlinuz" \
		--kernel-cmdline "$B/cmdline" --initramfs "$B/initrd.img" --dom0-binaries "$B/dom0-bin" \
		--policy "$B/policy" >/dev/null
}

swtpm_start "$R/tpm"
boot
note "seal after a measured boot; unseal after a reboot into the same chain"
echo 'seven swans' | expect_ok "$AEM" seal "$R/blob" >/dev/null
[ -s "$R/blob.log" ] || fail "no reference log kept with the blob"
swtpm_no_transients seal
boot
[ "$("$AEM" unseal "$R/blob" 2>/dev/null)" = "seven swans" ] || fail "same chain does not unseal"
swtpm_no_transients unseal

# changed WHAT PCR FILE KIND NAME: boot with FILE changed, expect the
# reason: the PCR, and the one measurement KIND NAME that changed.
changed() {
	local what=$1 pcr=$2 file=$3 kind=$4 name=$5 err
	note "a changed $what"
	cp "$file" "$R/saved"
	printf 'evil\n' >>"$file"
	boot
	err=$(aem_expect_fail "^bulkhead-aem: BOOT CHAIN CHANGED: SHA-256 PCR $pcr differs" "$AEM" unseal "$R/blob")
	printf '%s\n' "$err" | grep -q "^bulkhead-aem: CHANGED measurement: $kind $name (PCR $pcr): sha256 sealed" ||
		fail "the $what is not named: $err"
	[ "$(printf '%s\n' "$err" | grep -c 'measurement:')" -eq 1 ] || fail "more than the $what named: $err"
	printf "%s\n" "$err"
	swtpm_no_transients "changed $what"
	mv "$R/saved" "$file"
}
changed kernel 12 "$B/vmlinuz" kernel "$B/vmlinuz"
changed initramfs 13 "$B/initrd.img" initramfs "$B/initrd.img"
changed "kernel command line" 12 "$B/cmdline" kernel-cmdline "$B/cmdline"
changed "dom0 binary" 14 "$B/dom0-bin/qrexec-daemon" dom0-binaries "$B/dom0-bin"

note "back to the sealed chain: the secret again"
boot
[ "$("$AEM" unseal "$R/blob" 2>/dev/null)" = "seven swans" ] || fail "restored chain does not unseal"

note "an extend behind the log's back is not blamed on a component"
boot
tpm_extend 13 66
aem_expect_fail 'event log of this boot does not explain PCR 13' "$AEM" unseal "$R/blob"

note "without this boot's log the PCR is still named"
boot
printf 'kernel image v2\n' >"$B/vmlinuz"
boot
rm -f "$LOG"
aem_expect_fail 'cannot name the measurement' "$AEM" unseal "$R/blob"

note "an altered reference log is not believed"
boot
cp "$R/blob.log" "$R/blob.log.good"
python3 - "$R/blob.log" <<'PY' || fail "edit reference log"
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
b[16 + 2 * 168 + 8] ^= 1   # the digest of the third record (the kernel)
open(sys.argv[1], 'wb').write(b)
PY
aem_expect_fail 'reference log .* does not give the sealed value of PCR 12: it was altered' "$AEM" unseal "$R/blob"
mv "$R/blob.log.good" "$R/blob.log"

note "an update approved offline from the new chain's event log"
printf 'kernel image v1\n' >"$B/vmlinuz"
boot
expect_ok "$AEM" keygen "$R/auth.key" "$R/auth.pub" >/dev/null
echo 'seven swans' | expect_ok "$AEM" seal --authority "$R/auth.pub" "$R/blob" >/dev/null
expect_ok "$AEM" authorize --key "$R/auth.key" --log "$R/blob.log" "$R/blob" >/dev/null
[ "$("$AEM" unseal "$R/blob" 2>/dev/null)" = "seven swans" ] || fail "approved blob does not unseal"
# The authority measures the updated components on a reference machine
# (here a second swtpm) and approves the log that gives.
printf 'kernel image v3\n' >"$B/vmlinuz"
swtpm_start "$R/reference-tpm"
expect_ok "$MEASURE" boot --log "$R/v3.log" --xen "$B/xen.gz" --xen-cmdline "$B/xen.cmdline" \
	--kernel "$B/vmlinuz" --kernel-cmdline "$B/cmdline" --initramfs "$B/initrd.img" \
	--dom0-binaries "$B/dom0-bin" --policy "$B/policy" >/dev/null
swtpm_use "$R/tpm"
expect_ok "$AEM" authorize --key "$R/auth.key" --log "$R/v3.log" "$R/blob" >/dev/null
cmp -s "$R/v3.log" "$R/blob.log" || fail "the approved log is not the blob's reference log"
boot
[ "$("$AEM" unseal "$R/blob" 2>/dev/null)" = "seven swans" ] || fail "blob approved for v3 does not unseal under v3"
note "a change after the update is named against the approved chain"
printf 'initramfs v3-evil\n' >"$B/initrd.img"
boot
aem_expect_fail 'CHANGED measurement: initramfs .* \(PCR 13\)' "$AEM" unseal "$R/blob"
note "an event log cannot approve a PCR it does not cover"
echo 'x' | expect_ok "$AEM" seal --pcrs 8,12 --authority "$R/auth.pub" "$R/blob8" >/dev/null
aem_expect_fail 'PCR 8, which no event log of bulkhead-measure covers' \
	"$AEM" authorize --key "$R/auth.key" --log "$R/v3.log" "$R/blob8"
swtpm_no_transients
echo ok
