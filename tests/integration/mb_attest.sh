#!/usr/bin/env bash
# bulkhead-attest against swtpms: enrol the AK, quote with a nonce, verify;
# a wrong nonce, a forged or altered log, a tampered quote and a quote
# from another TPM (a second swtpm) are each refused with their reason;
# no transient handle is left.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/swtpm.sh"
b=$BULKHEAD_ROOT/boot
q=$BULKHEAD_ROOT/quote
mkdir -p "$b/policy.d"
head -c 40000 /dev/urandom >"$b/vmlinuz"
echo "root=/dev/xvda ro" >"$b/cmdline"
echo "a * @anyvm @anyvm deny" >"$b/policy.d/10.policy"
n1=00112233445566778899aabbccddeeff
n2=ffeeddccbbaa99887766554433221100

swtpm_start "$BULKHEAD_ROOT/tpm1"
expect_ok bulkhead-measure boot --kernel "$b/vmlinuz" --kernel-cmdline "$b/cmdline" --policy "$b/policy.d" >/dev/null

note "enrolment: the AK public, the same each time"
expect_ok bulkhead-attest ak --out "$BULKHEAD_ROOT/ak1.pub" >/dev/null
expect_ok bulkhead-attest ak --out "$BULKHEAD_ROOT/ak1.again" >/dev/null
cmp -s "$BULKHEAD_ROOT/ak1.pub" "$BULKHEAD_ROOT/ak1.again" || fail "the AK changed between two enrolments"
swtpm_no_transients "bulkhead-attest ak"

note "quote and verify"
expect_ok bulkhead-attest quote --nonce "$n1" --out "$q" >/dev/null
swtpm_no_transients "bulkhead-attest quote"
for f in quote.attest quote.sig ak.pub eventlog; do [ -s "$q/$f" ] || fail "quote has no $f"; done
out=$(expect_ok bulkhead-attest verify --ak "$BULKHEAD_ROOT/ak1.pub" --nonce "$n1" --in "$q")
case $out in "ok: "*"3 measurements"*) ;; *) fail "verify: $out" ;; esac

note "a wrong nonce is refused"
err=$(expect_fail 1 bulkhead-attest verify --ak "$BULKHEAD_ROOT/ak1.pub" --nonce "$n2" --in "$q")
case $err in *"nonce is not the one asked for"*) ;; *) fail "wrong nonce: $err" ;; esac

note "a forged log is refused (one digest bit, then a record dropped)"
cp -r "$q" "$BULKHEAD_ROOT/forged"
python3 - "$BULKHEAD_ROOT/forged/eventlog" <<'PY'
import sys
p = sys.argv[1]; d = bytearray(open(p, "rb").read())
d[16 + 8] ^= 0x80
open(p, "wb").write(d)
PY
err=$(expect_fail 1 bulkhead-attest verify --ak "$BULKHEAD_ROOT/ak1.pub" --nonce "$n1" --in "$BULKHEAD_ROOT/forged")
case $err in *"event log does not match the quoted PCRs"*) ;; *) fail "forged log: $err" ;; esac
head -c $((16 + 2 * 168)) "$q/eventlog" >"$BULKHEAD_ROOT/forged/eventlog"
err=$(expect_fail 1 bulkhead-attest verify --ak "$BULKHEAD_ROOT/ak1.pub" --nonce "$n1" --in "$BULKHEAD_ROOT/forged")
case $err in *"event log does not match"*) ;; *) fail "shortened log: $err" ;; esac

note "an extend behind the log's back shows in the next quote"
expect_ok "$TPM_HELPER" extend 13 "$(printf 'ee%.0s' $(seq 32))" >/dev/null
expect_ok bulkhead-attest quote --nonce "$n2" --out "$BULKHEAD_ROOT/q2" >/dev/null
err=$(expect_fail 1 bulkhead-attest verify --ak "$BULKHEAD_ROOT/ak1.pub" --nonce "$n2" --in "$BULKHEAD_ROOT/q2")
case $err in *"event log does not match the quoted PCRs"*) ;; *) fail "extend behind the log: $err" ;; esac

note "an altered quote is refused"
cp "$q/eventlog" "$BULKHEAD_ROOT/forged/eventlog"
python3 - "$BULKHEAD_ROOT/forged/quote.attest" <<'PY'
import sys
p = sys.argv[1]; d = bytearray(open(p, "rb").read())
d[-1] ^= 1                          # the last byte of the PCR digest
open(p, "wb").write(d)
PY
err=$(expect_fail 1 bulkhead-attest verify --ak "$BULKHEAD_ROOT/ak1.pub" --nonce "$n1" --in "$BULKHEAD_ROOT/forged")
case $err in *"signature does not verify"*) ;; *) fail "altered quote: $err" ;; esac

note "a quote from another TPM is refused, whatever AK it names"
swtpm_start "$BULKHEAD_ROOT/tpm2"
mkdir -p "$BULKHEAD_ROOT/run2"
expect_ok bulkhead-measure boot --log "$BULKHEAD_ROOT/run2/eventlog" --kernel "$b/vmlinuz" \
	--kernel-cmdline "$b/cmdline" --policy "$b/policy.d" >/dev/null
expect_ok bulkhead-attest quote --nonce "$n1" --out "$BULKHEAD_ROOT/other" --log "$BULKHEAD_ROOT/run2/eventlog" >/dev/null
swtpm_no_transients "bulkhead-attest quote on the second TPM"
cmp -s "$BULKHEAD_ROOT/other/ak.pub" "$BULKHEAD_ROOT/ak1.pub" && fail "two TPMs gave the same AK"
err=$(expect_fail 1 bulkhead-attest verify --ak "$BULKHEAD_ROOT/ak1.pub" --nonce "$n1" --in "$BULKHEAD_ROOT/other")
case $err in *"another AK than the enrolled one"*) ;; *) fail "other TPM: $err" ;; esac
cp "$BULKHEAD_ROOT/ak1.pub" "$BULKHEAD_ROOT/other/ak.pub"   # it claims the enrolled AK
err=$(expect_fail 1 bulkhead-attest verify --ak "$BULKHEAD_ROOT/ak1.pub" --nonce "$n1" --in "$BULKHEAD_ROOT/other")
case $err in *"signature does not verify"*) ;; *) fail "other TPM naming our AK: $err" ;; esac

note "bad nonces and inputs"
err=$(expect_fail 1 bulkhead-attest quote --nonce 0011 --out "$BULKHEAD_ROOT/x")
case $err in *"--nonce"*) ;; *) fail "short nonce: $err" ;; esac
expect_fail 1 bulkhead-attest verify --ak "$BULKHEAD_ROOT/ak1.pub" --nonce "${n1}zz" --in "$q" >/dev/null
expect_fail 1 bulkhead-attest verify --ak "$q/eventlog" --nonce "$n1" --in "$q" >/dev/null
rm "$BULKHEAD_ROOT/forged/quote.sig"
expect_fail 1 bulkhead-attest verify --ak "$BULKHEAD_ROOT/ak1.pub" --nonce "$n1" --in "$BULKHEAD_ROOT/forged" >/dev/null
# A FIFO or a symlink in a quote directory is refused, not waited on or followed.
mkfifo "$BULKHEAD_ROOT/forged/quote.sig"
err=$(expect_fail 1 timeout 10 bulkhead-attest verify --ak "$BULKHEAD_ROOT/ak1.pub" --nonce "$n1" --in "$BULKHEAD_ROOT/forged")
case $err in *"quote.sig: not a regular file"*) ;; *) fail "FIFO: $err" ;; esac
rm "$BULKHEAD_ROOT/forged/quote.sig" "$BULKHEAD_ROOT/forged/eventlog"
cp "$q/quote.sig" "$BULKHEAD_ROOT/forged/"
cp "$q/quote.attest" "$BULKHEAD_ROOT/forged/"
ln -s "$q/eventlog" "$BULKHEAD_ROOT/forged/eventlog"
err=$(expect_fail 1 bulkhead-attest verify --ak "$BULKHEAD_ROOT/ak1.pub" --nonce "$n1" --in "$BULKHEAD_ROOT/forged")
case $err in *"eventlog: a symlink, not followed"*) ;; *) fail "symlinked log: $err" ;; esac
swtpm_use "$BULKHEAD_ROOT/tpm1"
swtpm_no_transients
echo ok
