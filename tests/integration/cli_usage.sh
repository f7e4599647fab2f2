#!/usr/bin/env bash
# The qvm-* tools without a daemon: --help, usage errors (exit 2, one line
# ending with the synopsis) and values refused before any call (exit 1, one
# line), and the one-line report when bulkheadd is not there.
. "$(dirname "$0")/../lib/common.sh"

tools="qvm-create qvm-start qvm-shutdown qvm-kill qvm-remove qvm-clone qvm-ls
	qvm-prefs qvm-features qvm-tags qubes-prefs"

for t in $tools; do
	[ -x "$BIN/$t" ] || fail "$t not built"
	for h in --help -h; do
		out=$("$t" $h 2>"$BULKHEAD_ROOT/err") || fail "$t $h exited $?"
		[ -s "$BULKHEAD_ROOT/err" ] && fail "$t $h wrote to stderr: $(cat "$BULKHEAD_ROOT/err")"
		printf '%s\n' "$out" | head -n 1 | grep -q "^usage: $t " || fail "$t $h: no usage line: $out"
	done
	# --help wins wherever it is, even with other operands missing.
	"$t" x --help >/dev/null || fail "$t x --help exited $?"
	[ -f "$(dirname "$0")/../../man/$t.1" ] || fail "no man page for $t"
done

# usage CMD...: exit 2 with one line "TOOL: reason; usage: TOOL synopsis".
usage() {
	local err
	err=$(expect_fail 2 "$@") || exit 1
	case $err in
	"$1: "*"; usage: $1 "*) ;;
	*) fail "usage error of $* is not one usage line: $err" ;;
	esac
}
note "usage errors"
for t in $tools; do
	usage "$t" --no-such-option
done
usage qvm-create work
usage qvm-create --label
usage qvm-create --label red
usage qvm-create --label red a b
usage qvm-create --label red --property memory work
usage qvm-create -l red -X work
usage qvm-start
usage qvm-kill
usage qvm-remove
usage qvm-remove -f
usage qvm-shutdown
usage qvm-shutdown --all work
usage qvm-shutdown --wait --timeout soon work
usage qvm-shutdown --timeout 0 work
usage qvm-shutdown --timeout
usage qvm-clone
usage qvm-clone a
usage qvm-clone a b c
usage qvm-ls --format xml
usage qvm-ls --format
usage qvm-prefs
usage qvm-prefs work memory 400 extra
usage qvm-prefs work -D
usage qvm-prefs work memory 400 -D
usage qvm-features
usage qvm-features work a b c
usage qvm-features work -D
usage qvm-features work gui 1 --unset
usage qvm-tags
usage qvm-tags work frobnicate
usage qvm-tags work add
usage qvm-tags work del
usage qvm-tags work list a b
usage qubes-prefs a b c
usage qubes-prefs -D

# refused CMD...: exit 1, one line "TOOL: reason" without a usage hint.
refused() {
	local err
	err=$(expect_fail 1 "$@") || exit 1
	case $err in
	*"; usage: "*) fail "refusal of $* looks like a usage error: $err" ;;
	"$1: "*) printf '%s\n' "$err" ;;
	*) fail "refusal of $* does not start with '$1: ': $err" ;;
	esac
}
note "refused before any call"
for bad in 'b@d' '1abc' 'none' 'default' 'Domain-0' 'x-dm' '' \
	'a234567890123456789012345678901x' 'a b' $'new\nline'; do
	refused qvm-create --label red "$bad" | grep -q "invalid qube name" ||
		fail "qvm-create accepted or misreported name '$bad'"
	refused qvm-prefs "$bad" >/dev/null
	refused qvm-start "$bad" >/dev/null
done
refused qvm-create --label pink work | grep -q "unknown label 'pink'" || fail "label message"
refused qvm-create --label red --class AdminVM work | grep -q "invalid class" || fail "class message"
refused qvm-create --label red --class Frob work >/dev/null
refused qvm-create --label red --template 'b@d' work >/dev/null
refused qvm-create --label red -P 'Memory=400' work >/dev/null
refused qvm-create --label red -P 'memory=4 00' work >/dev/null
refused qvm-create --label red -P 'name=other' work >/dev/null
refused qvm-prefs work 'Bad-Prop' >/dev/null
refused qvm-features work '.hidden' >/dev/null
refused qvm-features work gui $'bell\a' >/dev/null
refused qvm-tags work add 'no.dots' >/dev/null
refused qvm-clone work 'b@d' >/dev/null
refused qubes-prefs 'no-such!' >/dev/null
# No terminal and no --force: qvm-remove asks nobody and refuses.
refused qvm-remove work </dev/null | grep -q "use --force" || fail "qvm-remove without a tty"

note "no daemon"
for cmd in "qvm-ls" "qvm-start work" "qvm-prefs work" "qubes-prefs" "qvm-remove -f work" \
	"qvm-create -l red work" "qvm-tags work" "qvm-features work"; do
	# shellcheck disable=SC2086
	refused $cmd | grep -q "cannot reach bulkheadd" || fail "$cmd: unexpected message"
done
echo "ok"
