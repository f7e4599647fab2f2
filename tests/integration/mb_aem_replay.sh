#!/usr/bin/env bash
# Freshness and tampering: a blob sealed before the newest one is refused
# as a replay (by the tool, and by the TPM's PolicyNV when the blob's
# counter field is forged); a blob whose PCR values are forged to match a
# changed boot chain is refused by the TPM; a blob of another TPM, a
# corrupt and a truncated blob are refused in one line each.  No
# transient handle is left after any of them.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/swtpm.sh"
. "$(dirname "$0")/../lib/aem.sh"
R=$BULKHEAD_ROOT
swtpm_start "$R/tpm"
tpm_extend 8 ab

note "two seals: the first blob is now a replay"
echo 'first secret' | expect_ok "$AEM" seal --pcrs 8 "$R/old" >/dev/null
cp "$R/old" "$R/old.copy"
echo 'second secret' | expect_ok "$AEM" seal --pcrs 8 "$R/new" >/dev/null
aem_reboot "$R/tpm"
tpm_extend 8 ab
[ "$("$AEM" unseal "$R/new" 2>/dev/null)" = "second secret" ] || fail "the newest blob does not unseal"
aem_expect_fail '^bulkhead-aem: REPLAYED BLOB: this blob was sealed at freshness counter 2 but the TPM.s counter is 3' \
	"$AEM" unseal "$R/old"
swtpm_no_transients replay

note "the TPM itself refuses the old blob with its counter field forged"
blob_poke "$R/old" $BLOB_OFF_COUNTER 0000000000000003
aem_expect_fail '^bulkhead-aem: REFUSED BY THE TPM: the policy' "$AEM" unseal "$R/old"
swtpm_no_transients "forged counter"

note "the TPM itself refuses a blob whose PCR values are forged to a changed chain"
aem_reboot "$R/tpm"
tpm_extend 8 ee
aem_expect_fail 'BOOT CHAIN CHANGED: SHA-256 PCR 8 differs' "$AEM" unseal "$R/new"
cp "$R/new" "$R/forged"
blob_poke "$R/forged" $((BLOB_OFF_PCRS + 8 * 32)) "$("$TPM_HELPER" pcr 8)"
aem_expect_fail '^bulkhead-aem: REFUSED BY THE TPM: the policy' "$AEM" unseal "$R/forged"
swtpm_no_transients "forged PCRs"

note "a reseal after a refused one: the counter moved only for the new blob"
aem_reboot "$R/tpm"
tpm_extend 8 ab
echo 'third secret' | expect_ok "$AEM" seal --pcrs 8 "$R/new" >/dev/null
[ ! -e "$R/new.new" ] || fail "seal left its temporary blob"
[ "$("$AEM" unseal "$R/new" 2>/dev/null)" = "third secret" ] || fail "the resealed blob does not unseal"

note "a deleted and recreated counter does not revive an old blob"
cp "$R/new" "$R/before-delete"
nv_undefine "$R/tpm" 0100ae01
echo 'after delete' | expect_ok "$AEM" seal --pcrs 8 "$R/after" >/dev/null
aem_expect_fail 'REPLAYED BLOB' "$AEM" unseal "$R/before-delete"
now=$(python3 -c 'import sys; print(open(sys.argv[1], "rb").read()[16:24].hex())' "$R/after")
cp "$R/before-delete" "$R/revived"
blob_poke "$R/revived" $BLOB_OFF_COUNTER "$now"
aem_expect_fail '^bulkhead-aem: REFUSED BY THE TPM' "$AEM" unseal "$R/revived"
[ "$("$AEM" unseal "$R/after" 2>/dev/null)" = "after delete" ] || fail "the blob sealed after the delete does not unseal"
swtpm_no_transients "recreated counter"
cp "$R/after" "$R/new"

note "corrupt, truncated and foreign blobs: one line each, nothing unsealed"
cp "$R/new" "$R/bad"
blob_poke "$R/bad" 0 58
aem_expect_fail 'bad magic' "$AEM" unseal "$R/bad"
head -c 100 "$R/new" >"$R/short"
aem_expect_fail 'wrong length' "$AEM" unseal "$R/short"
cp "$R/new" "$R/bad"
blob_poke "$R/bad" 900 ff
aem_expect_fail 'corrupt sealed blob' "$AEM" unseal "$R/bad"
aem_expect_fail 'No such file' "$AEM" unseal "$R/none"
swtpm_start "$R/tpm2"
tpm_extend 8 ab
aem_expect_fail 'no freshness counter' "$AEM" unseal "$R/new"
echo 'other' | expect_ok "$AEM" seal --pcrs 8 "$R/other" >/dev/null
aem_expect_fail 'claims freshness counter 6 but the TPM.s counter is 2: it was not sealed by this TPM' \
	"$AEM" unseal "$R/new"
# Four more seals bring this TPM's counter to the first TPM's blob's
# value: the TPM itself then refuses the foreign sealed object.
for i in 1 2 3 4; do
	echo 'other' | expect_ok "$AEM" seal --pcrs 8 "$R/other" >/dev/null
done
aem_expect_fail 'the TPM refuses this blob.s sealed object' "$AEM" unseal "$R/new"
swtpm_no_transients foreign

note "usage errors exit 2 and touch nothing"
for args in "" "seal" "unseal" "unseal a b" "seal --pcrs 24 x" "seal --pcrs 3-1 x" "seal --nv-index 0x81000000 x" \
	"seal --nv-index 0x0100AE01 x" "seal --bogus x" "seal --pin --pin x" "authorize x" "keygen a" \
	"authorize --key k --pcr-values f --log l x" "unseal --pin x" "pcrs x"; do
	# shellcheck disable=SC2086  # the arguments are words
	"$AEM" $args </dev/null >/dev/null 2>"$R/usage.err"; rc=$?
	[ "$rc" -eq 2 ] || fail "bulkhead-aem $args: exit $rc, want 2: $(cat "$R/usage.err")"
done
[ ! -e x ] && [ ! -e "$R/x" ] || fail "a usage error wrote a file"
echo ok
