#!/usr/bin/env bash
# The measured-boot TPM layer (measured-boot/tpm.c) against a swtpm: TCTI
# file handling, PCR extend/read and reset on reboot, the owner primary,
# and no transient handle left behind.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/swtpm.sh"
H=$TPM_HELPER
etc=$BULKHEAD_ROOT/etc/bulkhead

note "no tpm-tcti file: the default device, named in one error line"
mkdir -p "$etc"
err=$(expect_fail 1 env BULKHEAD_ROOT="$BULKHEAD_ROOT/none" "$H" pcr 0)
case $err in *device:/dev/tpmrm0*) ;; *) fail "default TCTI not named: $err" ;; esac

note "malformed tpm-tcti files are refused with one line"
for bad in '' 'swtpm:path=/x y' $'swtpm:path=/a\nswtpm:path=/b' 'swtpm:path=/x;rm' \
	"$(printf 'device:/%0300d' 0)"; do
	printf '%s' "$bad" >"$etc/tpm-tcti"
	err=$(expect_fail 1 "$H" pcr 0)
	case $err in *tpm-tcti*) ;; *) fail "no file named for '$bad': $err" ;; esac
done

note "response codes: session/parameter number masked, then mapped"
while read -r rc want; do
	got=$("$H" rc "$rc") || fail "tpm-helper rc $rc failed"
	[ "$got" = "$want" ] || fail "rc $rc: got '$got', want '$want'"
done <<'RC'
0 0 ok
99d 0x9d policy
9d 0x9d policy
128 0x128 policy
98e 0x8e auth
aa2 0xa2 auth
921 0x921 lockout
902 0x902 slots
903 0x903 slots
14a 0x14a nv
99f 0x9f integrity
1c4 0x84 other
a000a 0xa000a comm
7000a 0x7000a comm
7000d 0x7000d other
RC

swtpm_start "$BULKHEAD_ROOT/tpm"
zero=$(printf '0%.0s' $(seq 64))
d=$(printf 'ab%.0s' $(seq 32))
[ "$("$H" pcr 12)" = "$zero" ] || fail "PCR 12 not zero on a fresh TPM"
expect_ok "$H" extend 12 "$d" >/dev/null
want=$(python3 -c 'import hashlib,sys; print(hashlib.sha256(bytes(32)+bytes.fromhex(sys.argv[1])).hexdigest())' "$d")
[ "$("$H" pcr 12)" = "$want" ] || fail "PCR 12 after one extend is not SHA-256(0^32 || d)"
[ "$("$H" pcr 11)" = "$zero" ] || fail "extend of PCR 12 changed PCR 11"

note "a simulated reboot resets the PCRs"
swtpm_reboot "$BULKHEAD_ROOT/tpm"
[ "$("$H" pcr 12)" = "$zero" ] || fail "PCR 12 survived a reboot"

note "owner primary: loaded as one transient object, then flushed"
expect_ok "$H" primary >/dev/null
swtpm_no_transients "primary"
expect_fail 2 "$H" extend 24 "$d" >/dev/null
expect_fail 2 "$H" extend 12 abc >/dev/null
swtpm_no_transients
echo "ok"
