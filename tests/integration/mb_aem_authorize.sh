#!/usr/bin/env bash
# Updates with an offline authority (PolicyAuthorize): a blob sealed to an
# authority key unseals only once approved; after an update the authority
# approves the new PCR values (without the secret, without the TPM), the
# blob then unseals under the new boot chain, and neither the old approval
# nor a blob sealed directly to the old PCRs does.  A forged approval, a
# wrong key and an approval moved to another blob are refused; a reseal
# revokes every older approval.  No transient handle is left.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/swtpm.sh"
. "$(dirname "$0")/../lib/aem.sh"
R=$BULKHEAD_ROOT
swtpm_start "$R/tpm"
expect_ok "$AEM" keygen "$R/auth.key" "$R/auth.pub" >/dev/null
[ "$(stat -c %a "$R/auth.key")" = 600 ] || fail "private key not mode 0600"
expect_fail 1 "$AEM" keygen "$R/auth.key" "$R/x.pub" >/dev/null
tpm_extend 9 ab   # "kernel v1"

note "sealed to the authority: nothing unseals before an approval"
echo 'cobalt heron' | expect_ok "$AEM" seal --pcrs 8-10 --authority "$R/auth.pub" "$R/blob" >/dev/null
echo 'direct secret' | expect_ok "$AEM" seal --pcrs 8-10 "$R/direct" >/dev/null
aem_expect_fail 'no approval yet' "$AEM" unseal "$R/blob"
# The direct blob was sealed after: it is the newest, so seal the
# authority blob again to make it the one in use.
echo 'cobalt heron' | expect_ok "$AEM" seal --pcrs 8-10 --authority "$R/auth.pub" "$R/blob" >/dev/null
expect_ok "$AEM" authorize --key "$R/auth.key" "$R/blob" >/dev/null
[ "$("$AEM" unseal "$R/blob" 2>/dev/null)" = "cobalt heron" ] || fail "approved blob does not unseal"
cp "$R/blob" "$R/blob.v1"
swtpm_no_transients "first approval"

note "the authority approves the values of kernel v2, offline, from a PCR file"
zero=$(printf '0%.0s' $(seq 64))
v2=$(python3 -c 'import hashlib; print(hashlib.sha256(bytes(32) + bytes.fromhex("cd" * 32)).hexdigest())')
printf '8 %s\n9 %s\n10 %s\n' "$zero" "$v2" "$zero" >"$R/v2.pcrs"
expect_ok env BULKHEAD_ROOT="$R/no-tpm-here" "$AEM" authorize --key "$R/auth.key" --pcr-values "$R/v2.pcrs" \
	"$R/blob" >/dev/null
aem_expect_fail 'BOOT CHAIN CHANGED: SHA-256 PCR 9 differs' "$AEM" unseal "$R/blob"

note "after the update and a reboot: the new approval unseals, the old ones do not"
aem_reboot "$R/tpm"
tpm_extend 9 cd   # "kernel v2"
[ "$("$AEM" unseal "$R/blob" 2>/dev/null)" = "cobalt heron" ] || fail "blob approved for v2 does not unseal under v2"
aem_expect_fail 'BOOT CHAIN CHANGED: SHA-256 PCR 9 differs' "$AEM" unseal "$R/blob.v1"
swtpm_no_transients update

note "the TPM refuses the old approval with its PCR values forged to v2"
cp "$R/blob.v1" "$R/forged"
blob_poke "$R/forged" $((BLOB_OFF_PCRS + 9 * 32)) "$v2"
aem_expect_fail 'not signed by its authority key' "$AEM" unseal "$R/forged"
swtpm_no_transients forged

note "approvals are refused for the wrong key and for a blob without authority"
expect_ok "$AEM" keygen "$R/evil.key" "$R/evil.pub" >/dev/null
aem_expect_fail 'not the authority key this blob was sealed to' \
	"$AEM" authorize --key "$R/evil.key" --pcr-values "$R/v2.pcrs" "$R/blob"
aem_expect_fail 'sealed without an authority key' "$AEM" authorize --key "$R/auth.key" "$R/direct"
printf '8 %s\n9 %s\n' "$zero" "$v2" >"$R/short.pcrs"
aem_expect_fail 'does not give every PCR' "$AEM" authorize --key "$R/auth.key" --pcr-values "$R/short.pcrs" "$R/blob"
printf '8 %s\n11 %s\n' "$zero" "$v2" >"$R/other.pcrs"
aem_expect_fail 'line 2' "$AEM" authorize --key "$R/auth.key" --pcr-values "$R/other.pcrs" "$R/blob"

note "a reseal revokes every older approval: the old blob is a replay"
cp "$R/blob" "$R/blob.v2"
echo 'new heron' | expect_ok "$AEM" seal --pcrs 8-10 --authority "$R/auth.pub" "$R/blob" >/dev/null
expect_ok "$AEM" authorize --key "$R/auth.key" "$R/blob" >/dev/null
[ "$("$AEM" unseal "$R/blob" 2>/dev/null)" = "new heron" ] || fail "resealed blob does not unseal"
aem_expect_fail 'REPLAYED BLOB' "$AEM" unseal "$R/blob.v2"
# An approval taken from the old blob into the new one is for another
# counter value (policyRef): the TPM refuses it.
python3 - "$R/blob.v2" "$R/blob" <<'PY' || fail "approval transplant"
import sys
old, new = open(sys.argv[1], 'rb').read(), bytearray(open(sys.argv[2], 'rb').read())
new[860:924] = old[860:924]   # AEM_OFF_SIG_R .. AEM_OFF_SIG_S + 32
open(sys.argv[2], 'wb').write(new)
PY
aem_expect_fail 'not signed by its authority key' "$AEM" unseal "$R/blob"
swtpm_no_transients
echo ok
