#!/usr/bin/env bash
# Calls to @dispvm and @dispvm:NAME: each goes to a new disposable qube
# made from the disposable template for that call only, and removed when
# the call ends.
. "$(dirname "$0")/../lib/common.sh"
command -v nsenter >/dev/null || skip "nsenter (util-linux) not installed"
pol=$BULKHEAD_ROOT/etc/qubes/policy.d
mkdir -p "$pol"
cat >"$pol/30-test.policy" <<'P'
test.Disp   *  work  @dispvm       allow
test.Disp   *  work  @dispvm:dvm   allow
test.Plain  *  work  @dispvm:dvm   allow
P
start_bulkheadd
expect_ok qvm-create --label red work >/dev/null
expect_ok qvm-create --label green dvm >/dev/null
expect_ok qvm-create --label blue plain >/dev/null
expect_ok qvm-prefs dvm template_for_dispvms True >/dev/null
expect_ok qvm-prefs work default_dispvm dvm >/dev/null
# The service lives in dvm's persistent /usr/local: every disposable
# starts from a copy of it.
expect_ok qvm-start dvm >/dev/null
in_qube dvm 0 sh -c 'mkdir -p /usr/local/etc/qubes-rpc && cd /usr/local/etc/qubes-rpc &&
  printf "#!/bin/sh\n[ -e \"\$HOME/mark\" ] && echo dirty; echo \"\$(hostname) from \$QREXEC_REMOTE_DOMAIN\"; cat; touch \"\$HOME/mark\"\n" >test.Disp &&
  chmod +x test.Disp' || fail "installing the service"
expect_ok qvm-shutdown --wait dvm >/dev/null
expect_ok qvm-start work >/dev/null
call() { in_qube work 1000 /usr/lib/bulkhead/bin/qrexec-client-vm "$@"; }
before=$(qvm-ls | wc -l)

note "@dispvm: the source's default_dispvm; a new disposable serves the call"
out=$(echo input | call @dispvm test.Disp) || fail "call to @dispvm failed"
first=$(printf '%s\n' "$out" | head -1 | cut -d' ' -f1)
case $first in disp[0-9]*) ;; *) fail "not served by a disposable: '$out'" ;; esac
[ "$out" = "$(printf '%s from work\ninput' "$first")" ] || fail "output '$out'"
grep -q "work -> @dispvm:dvm: the call goes to the new disposable $first" \
	"$BULKHEAD_ROOT/var/log/bulkhead/qrexec-policyd.log" || fail "the disposable is not logged"

note "it is removed when the call ends"
for _ in $(seq 50); do qvm-ls | grep -q "^$first " || break; sleep 0.1; done
qvm-ls | grep -q "^$first " && fail "$first still exists after its call"
[ "$(qvm-ls | wc -l)" = "$before" ] || fail "qubes left behind: $(qvm-ls)"

note "@dispvm:dvm: another disposable, from a fresh copy (the first one's change is gone)"
out=$(call @dispvm:dvm test.Disp </dev/null) || fail "call to @dispvm:dvm failed"
second=$(printf '%s\n' "$out" | head -1 | cut -d' ' -f1)
case $second in disp[0-9]*) ;; *) fail "not served by a disposable: '$out'" ;; esac
[ "$out" = "$second from work" ] || fail "not a fresh disposable: '$out'"
for _ in $(seq 50); do qvm-ls | grep -q "^$second " || break; sleep 0.1; done
qvm-ls | grep -q "^$second " && fail "$second still exists after its call"

note "a template that is not a disposable template is refused, and nothing is made"
expect_ok qvm-prefs --default work default_dispvm >/dev/null
expect_ok qvm-prefs dvm template_for_dispvms False >/dev/null
call @dispvm:dvm test.Plain </dev/null 2>/dev/null; [ $? -eq 126 ] || fail "not refused"
[ "$(qvm-ls | wc -l)" = "$before" ] || fail "qubes left behind: $(qvm-ls)"
echo ok
