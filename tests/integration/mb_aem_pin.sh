#!/usr/bin/env bash
# bulkhead-aem with a PIN (PolicyAuthValue): the right PIN unseals after a
# reboot; a wrong one is refused with the tries left; a changed boot chain
# is reported before the PIN is asked, so it costs no try; the third wrong
# PIN trips swtpm's dictionary-attack lockout, which is explained, and
# then even the right PIN is refused.  A secret of the maximum length
# comes back whole.  No transient handle is left.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/swtpm.sh"
. "$(dirname "$0")/../lib/aem.sh"
R=$BULKHEAD_ROOT
swtpm_start "$R/tpm"
tpm_extend 9 ab

note "a secret of the maximum length (128 bytes) comes back whole"
long=$(printf 'x%.0s' $(seq 127))Z
printf '%s\n' "$long" | expect_ok "$AEM" seal --pcrs 8-10 "$R/long" >/dev/null
out=$("$AEM" unseal "$R/long" 2>/dev/null) || fail "unseal of the 128-byte secret failed"
[ "$out" = "$long" ] || fail "the 128-byte secret came back as '$out'"
swtpm_no_transients "long secret"

note "seal with a PIN, unseal with it after a reboot"
printf 'purple elephant\n1234\n' | expect_ok "$AEM" seal --pin --pcrs 8-10 "$R/blob" >/dev/null
swtpm_no_transients seal
aem_reboot "$R/tpm"
tpm_extend 9 ab
out=$(echo 1234 | "$AEM" unseal "$R/blob" 2>/dev/null) || fail "unseal with the right PIN failed"
[ "$out" = "purple elephant" ] || fail "unsealed '$out'"
swtpm_no_transients unseal

note "a wrong PIN: refused, tries left named"
aem_expect_fail '^bulkhead-aem: wrong PIN: 2 tries left' sh -c "echo 9999 | '$AEM' unseal '$R/blob'"
swtpm_no_transients "wrong PIN"

note "a changed boot chain is named before any PIN is read: no try spent"
aem_reboot "$R/tpm"
tpm_extend 9 ee
aem_expect_fail 'BOOT CHAIN CHANGED: SHA-256 PCR 9 differs' sh -c "echo 9999 | '$AEM' unseal '$R/blob'"
aem_reboot "$R/tpm"
tpm_extend 9 ab
# The failure count survives a reboot (it is in NV): one try left now.
aem_expect_fail '^bulkhead-aem: wrong PIN: 1 try left' sh -c "echo 9998 | '$AEM' unseal '$R/blob'"

note "the third wrong PIN trips the lockout, which is explained"
aem_expect_fail 'wrong PIN, and that was the last try: the TPM is now in dictionary-attack lockout' \
	sh -c "echo 9997 | '$AEM' unseal '$R/blob'"
err=$(aem_expect_fail 'dictionary-attack lockout after 3 wrong PINs' sh -c "echo 1234 | '$AEM' unseal '$R/blob'")
case $err in *"says nothing about the boot chain"*) ;; *) fail "lockout not told apart from a boot-chain change: $err" ;; esac
swtpm_no_transients lockout

note "PIN input is checked: empty, too long, not printable"
aem_expect_fail 'PIN: empty' sh -c "printf '\n' | '$AEM' unseal '$R/blob'"
aem_expect_fail 'PIN: line too long' sh -c "printf '%040d\n' 0 | '$AEM' unseal '$R/blob'"
aem_expect_fail 'secret: not printable' sh -c "printf 'a\tb\n1\n' | '$AEM' seal --pin '$R/blob2'"
[ ! -e "$R/blob2" ] || fail "a refused seal wrote a blob"
swtpm_no_transients
echo ok
