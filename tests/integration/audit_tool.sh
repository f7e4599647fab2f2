#!/usr/bin/env bash
# bulkhead-audit against real logs (written by the audit library through
# the audit-writer test helper): verify's and show's output and exit codes
# (0 ok, 1 broken, 2 usage), the filters, hostile values shown safely, and
# each kind of tampering named with its line.
. "$(dirname "$0")/../lib/common.sh"

A=$BIN/bulkhead-audit
W=$BULKHEAD_BUILD/tests/audit-writer
[ -x "$A" ] || fail "bulkhead-audit not built"
[ -x "$W" ] || fail "audit-writer not built"
[ -f "$(dirname "$0")/../../man/bulkhead-audit.1" ] || fail "no man page for bulkhead-audit"
D=$BULKHEAD_ROOT/var/log/bulkhead/audit
T=$BULKHEAD_ROOT/work

note "help and usage errors"
out=$("$A" --help 2>"$BULKHEAD_ROOT/err") || fail "--help exited $?"
[ -s "$BULKHEAD_ROOT/err" ] && fail "--help wrote to stderr"
printf '%s\n' "$out" | head -n 1 | grep -q '^usage: bulkhead-audit verify' || fail "no usage line: $out"
usage() {
	local err
	err=$(expect_fail 2 "$A" "$@") || exit 1
	case $err in
	"bulkhead-audit: "*"; usage: bulkhead-audit "*) ;;
	*) fail "usage error of $* is not one usage line: $err" ;;
	esac
}
usage
usage frobnicate
usage verify --no-such-option
usage verify extra
usage verify --qube work
usage show --since 0x10
usage show --since 1234567890123456
usage show --event 'Bad Event'
usage show --dir
usage show --qube work --dir

note "a missing log"
err=$(expect_fail 1 "$A" verify) || exit 1
case $err in *missing*) ;; *) fail "missing log: $err" ;; esac

note "a log with hostile values"
"$W" "$D" mint source=work target=vault service=qubes.Gpg+sign request=SOCKET7 || fail "writer"
"$W" "$D" refuse source=work target=vault service=qubes.Gpg reason=denied \
	"note=$(printf 'a b\n\033[31m=%%\\"\xc3\xa9')" || fail "writer"
"$W" "$D" grant source=personal target=@dispvm service=qubes.OpenURL scope=calls:3 || fail "writer"
"$W" -n 3 "$D" redeem source=vault target=work service=qubes.Filecopy || fail "writer"
# the file holds printable ASCII and newlines only
LC_ALL=C grep -q '[^ -~]' "$D/audit.log" && fail "a raw non-printable byte in the log"
[ "$(wc -l <"$D/audit.log")" -eq 6 ] || fail "not 6 lines"

out=$(expect_ok "$A" verify) || exit 1
printf '%s\n' "$out" | grep -Eq '^ok: 6 records, head seq 6, key ed25519:[0-9a-f]{64}$' || fail "verify: $out"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "verify printed notes on a clean log: $out"
expect_ok "$A" verify --dir "$D" --pubkey "$D/audit.pub" >/dev/null || exit 1

note "show"
out=$(expect_ok "$A" show) || exit 1
[ "$(printf '%s\n' "$out" | wc -l)" -eq 6 ] || fail "show: not 6 lines: $out"
printf '%s\n' "$out" | LC_ALL=C grep -q '[^ -~]' && fail "show printed a non-printable byte"
line2=$(printf '%s\n' "$out" | sed -n 2p)
want='refuse source=work target=vault service=qubes.Gpg reason=denied note="a b\x0a\x1b[31m=%\\\"\xc3\xa9"'
case $line2 in
"#2 "????-??-??T??:??:??.???Z" $want") ;;
*) fail "show of a hostile value: [$line2], wanted [$want]" ;;
esac
printf '%s\n' "$out" | sed -n 1p | grep -q '^#1 .* mint source=work target=vault service=qubes.Gpg+sign request=SOCKET7$' ||
	fail "show line 1: $out"

count() { "$A" show "$@" | wc -l; }
[ "$(count --qube vault)" -eq 5 ] || fail "--qube vault"
[ "$(count --qube personal)" -eq 1 ] || fail "--qube personal"
[ "$(count --qube @dispvm)" -eq 1 ] || fail "--qube @dispvm"
[ "$(count --qube nobody)" -eq 0 ] || fail "--qube nobody"
[ "$(count --service qubes.Gpg)" -eq 2 ] || fail "--service qubes.Gpg (name+arg and name)"
[ "$(count --service qubes.Gpg+sign)" -eq 1 ] || fail "--service with argument"
[ "$(count --service qubes.G)" -eq 0 ] || fail "--service is not a prefix match"
[ "$(count --event redeem)" -eq 3 ] || fail "--event"
[ "$(count --since 5)" -eq 2 ] || fail "--since"
[ "$(count --since 5 --event redeem --qube vault --service qubes.Filecopy)" -eq 2 ] || fail "filters combined"
[ "$(count --since 7)" -eq 0 ] || fail "--since past the end"

# broken CMD... : exit 1, one line on stderr starting with the kind.
broken() {
	local kind=$1 err
	shift
	err=$(expect_fail 1 "$A" "$@") || exit 1
	case $err in
	"bulkhead-audit: $kind: "*) printf '%s\n' "$err" ;;
	*) fail "expected $kind from $*: $err" ;;
	esac
}
fresh() { rm -rf "$T"; cp -a "$D" "$T"; }

note "tampering"
fresh
sed -i '3s/scope=calls:3/scope=calls:9/' "$T/audit.log"
broken modified verify --dir "$T" | grep -q 'line 3 (seq 3)' || fail "modified: no line"
# show prints the records before the broken one, then fails
out=$("$A" show --dir "$T" 2>/dev/null); rc=$?
[ $rc -eq 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ] || fail "show of a broken log: rc $rc, $out"
broken modified show --dir "$T" >/dev/null

fresh
sed -i '3d' "$T/audit.log"
broken deleted verify --dir "$T" | grep -q 'line 3: seq 4 where 3 was expected: records 3..3 deleted' ||
	fail "deleted: message"

fresh
sed -n '1p;2p;2p;3,6p' "$D/audit.log" >"$T/audit.log"
broken inserted verify --dir "$T" | grep -q 'line 3' || fail "inserted: line"

fresh
awk 'NR==4{l=$0; next} {print} NR==5{print l}' "$D/audit.log" >"$T/audit.log"
broken reordered verify --dir "$T" | grep -q 'line 4' || fail "reordered: line"

fresh
head -n 5 "$D/audit.log" >"$T/audit.log"
broken truncated verify --dir "$T" | grep -q 'records 6..6 deleted' || fail "truncated one"
fresh
head -n 2 "$D/audit.log" >"$T/audit.log"
broken truncated verify --dir "$T" | grep -q 'records 3..6 deleted' || fail "truncated several"

note "heads: older, another key's, pinned public key"
O=$BULKHEAD_ROOT/other
"$W" -n 6 "$O" mint source=x || fail "writer"
fresh
cp "$O/audit.head" "$T/audit.head"
broken head-invalid verify --dir "$T" >/dev/null
cp "$D/audit.head" "$BULKHEAD_ROOT/head6"
cp -a "$D" "$BULKHEAD_ROOT/log6"
# More records past a head than the writer ever leaves (AUDIT_LAG_MAX,
# which group commit may leave after a crash): an older head put back.
LAG=$(sed -n 's/^#define AUDIT_LAG_MAX \([0-9]*\)u.*/\1/p' capd/audit/auditlog.h)
[ -n "$LAG" ] || fail "AUDIT_LAG_MAX not found"
"$W" -n $((LAG + 1)) "$D" mint source=work || fail "writer"
fresh
cp "$BULKHEAD_ROOT/head6" "$T/audit.head"
broken head-replaced verify --dir "$T" | grep -q "line $((6 + LAG + 1))" || fail "head-replaced: line"
# one record behind is what a crash leaves: accepted, and said
rm -rf "$T"; cp -a "$BULKHEAD_ROOT/log6" "$T"
"$W" "$T" mint source=work || fail "writer"
cp "$BULKHEAD_ROOT/head6" "$T/audit.head"
out=$(expect_ok "$A" verify --dir "$T") || exit 1
printf '%s\n' "$out" | grep -q '^ok: 7 records, head seq 6' || fail "lag: $out"
printf '%s\n' "$out" | grep -q '^note: the log has one record (seq 7) past the signed head' || fail "lag note: $out"
# a log whose public key was swapped with the whole log: caught by a pinned key
cp "$D/audit.pub" "$BULKHEAD_ROOT/pinned.pub"
expect_ok "$A" verify --dir "$O" >/dev/null || exit 1
broken head-invalid verify --dir "$O" --pubkey "$BULKHEAD_ROOT/pinned.pub" | grep -q "signed by another key" || fail "pinned key"
err=$(expect_fail 1 "$A" verify --pubkey "$BULKHEAD_ROOT/nonexistent.pub") || exit 1
case $err in "bulkhead-audit: bad-key: "*) ;; *) fail "missing pubkey: $err" ;; esac

note "ok"
exit 0
