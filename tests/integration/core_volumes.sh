#!/usr/bin/env bash
# Volumes through the whole stack: qvm-clone copies a qube's private data
# re-owned for the clone's uid range; a DispVM starts from a fresh copy of
# its disposable template's private volume and keeps nothing.
. "$(dirname "$0")/../lib/common.sh"
command -v nsenter >/dev/null || skip "nsenter (util-linux) not installed"
start_bulkheadd
expect_ok qvm-create --label blue work >/dev/null
expect_ok qvm-start work >/dev/null
in_qube work 1000 sh -c 'mkdir -p /home/user/docs && echo report > /home/user/docs/q3.txt' || fail "write"
expect_ok qvm-shutdown --wait --timeout 30 work >/dev/null

note "qvm-clone copies private data, owned by the clone's own uids"
expect_ok qvm-clone work work2 >/dev/null
expect_ok qvm-start work2 >/dev/null
[ "$(in_qube work2 1000 cat /home/user/docs/q3.txt)" = report ] || fail "clone lacks the file"
[ "$(in_qube work2 1000 stat -c %U /home/user/docs/q3.txt)" = user ] || fail "clone's file not owned by user"
in_qube work2 1000 sh -c 'echo mine > /home/user/docs/q3.txt' || fail "clone cannot write its copy"
expect_ok qvm-start work >/dev/null
[ "$(in_qube work 1000 cat /home/user/docs/q3.txt)" = report ] || fail "clone wrote the original"
expect_ok qvm-kill work work2 >/dev/null

note "a DispVM starts from a fresh copy of its template's private volume"
expect_ok qvm-create --label red work-dvm >/dev/null
expect_ok qvm-prefs work-dvm template_for_dispvms true >/dev/null
expect_ok qvm-start work-dvm >/dev/null
in_qube work-dvm 1000 sh -c 'echo bookmarks > /home/user/bookmarks' || fail "write dvm template"
expect_ok qvm-shutdown --wait --timeout 30 work-dvm >/dev/null
expect_ok qvm-create --class DispVM --template work-dvm --label red disp1 >/dev/null
expect_ok qvm-start disp1 >/dev/null
[ "$(in_qube disp1 1000 cat /home/user/bookmarks)" = bookmarks ] || fail "DispVM lacks its template's data"
in_qube disp1 1000 sh -c 'echo visited > /home/user/history' || fail "write in DispVM"
expect_ok qvm-kill disp1 >/dev/null
expect_ok qvm-start disp1 >/dev/null
in_qube disp1 1000 test -e /home/user/history && fail "DispVM kept data across starts"
expect_ok qvm-kill disp1 >/dev/null
expect_ok qvm-start work-dvm >/dev/null
in_qube work-dvm 1000 test -e /home/user/history && fail "DispVM wrote its template's volume"
expect_ok qvm-kill work-dvm >/dev/null
echo ok
