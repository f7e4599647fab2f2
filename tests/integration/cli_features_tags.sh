#!/usr/bin/env bash
# qvm-features and qvm-tags against the real bulkheadd.  Starts no qube.
. "$(dirname "$0")/../lib/common.sh"

[ -x "$BIN/bulkheadd" ] || skip "bulkheadd not built yet"
start_bulkheadd
expect_ok qvm-create -l red work >/dev/null

state() { qvm-features work; qvm-tags work | sort; qvm-ls --format json; }
# refused CMD...: exit 1 with one line, features and tags unchanged.
refused() {
	local before after err
	before=$(state) || fail "state before $*"
	err=$(expect_fail 1 "$@") || exit 1
	after=$(state) || fail "state after $*"
	[ "$before" = "$after" ] || fail "refused '$*' changed work: $(diff <(echo "$before") <(echo "$after"))"
	printf '%s\n' "$err"
}

note "features"
[ -z "$(qvm-features work)" ] || fail "a new qube has features: $(qvm-features work)"
expect_ok qvm-features work gui 1 >/dev/null
expect_ok qvm-features work service.cups '' >/dev/null
expect_ok qvm-features work os-description 'Debian 12 (with spaces)' >/dev/null
[ "$(qvm-features work gui)" = 1 ] || fail "get gui"
[ "$(qvm-features work os-description)" = 'Debian 12 (with spaces)' ] || fail "get description"
[ -z "$(qvm-features work service.cups)" ] || fail "empty value"
expect_ok qvm-features work gui 0 >/dev/null
[ "$(qvm-features work gui)" = 0 ] || fail "overwrite gui"
list=$(qvm-features work)
[ "$(printf '%s\n' "$list" | wc -l)" -eq 3 ] || fail "listing: $list"
want=$(printf '%-14s  %s\n' gui 0 os-description 'Debian 12 (with spaces)' service.cups '' | sort)
[ "$(printf '%s\n' "$list" | sort)" = "$want" ] || fail "listing format: $list"
long=$(head -c 1023 /dev/zero | tr '\0' x)
expect_ok qvm-features work long "$long" >/dev/null
[ "$(qvm-features work long)" = "$long" ] || fail "1023-byte value"
expect_ok qvm-features work long --unset >/dev/null
expect_ok qvm-features -D work service.cups >/dev/null
[ "$(qvm-features work | wc -l)" -eq 2 ] || fail "after unset: $(qvm-features work)"
refused qvm-features work no-such >/dev/null
refused qvm-features work no-such -D >/dev/null
refused qvm-features work long "${long}x" >/dev/null
refused qvm-features work gui $'two\nlines' >/dev/null
refused qvm-features work '.dot' 1 >/dev/null
refused qvm-features nosuch >/dev/null
refused qvm-features nosuch gui 1 >/dev/null

note "tags"
[ -z "$(qvm-tags work)" ] || fail "a new qube has tags: $(qvm-tags work)"
expect_ok qvm-tags work add project-x backup_daily >/dev/null
expect_ok qvm-tags work set extra >/dev/null
[ "$(qvm-tags work list | sort | tr '\n' ' ')" = "backup_daily extra project-x " ] ||
	fail "tag list: $(qvm-tags work list)"
[ "$(qvm-tags work | sort | tr '\n' ' ')" = "backup_daily extra project-x " ] || fail "default action"
[ "$(qvm-tags work list project-x)" = project-x ] || fail "list TAG"
refused qvm-tags work list nope | grep -q nope || fail "list missing TAG message"
expect_ok qvm-tags work del extra >/dev/null
expect_ok qvm-tags work unset backup_daily >/dev/null
[ "$(qvm-tags work)" = project-x ] || fail "after del: $(qvm-tags work)"
refused qvm-tags work del nope >/dev/null
refused qvm-tags work add 'bad tag' >/dev/null
refused qvm-tags work add ok-tag 'b@d' >/dev/null
refused qvm-tags nosuch add t >/dev/null
refused qvm-tags nosuch >/dev/null
echo ok
