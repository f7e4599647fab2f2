#!/usr/bin/env bash
# The qvm-* tools against the real bulkheadd: qubes of every class created
# with labels and properties, qvm-ls table and JSON, qvm-prefs and
# qubes-prefs get/set/reset, clone and remove; every refusal exits 1 with
# one line and leaves the registry exactly as it was.  Starts no qube.
. "$(dirname "$0")/../lib/common.sh"

[ -x "$BIN/bulkheadd" ] || skip "bulkheadd not built yet"
start_bulkheadd

# Everything the tools can see of the registry.
snapshot() {
	local q
	qvm-ls --format json || return 1
	qubes-prefs || return 1
	for q in $(qvm-ls --raw-list); do
		echo "== $q"
		qvm-prefs "$q" && qvm-features "$q" && qvm-tags "$q" | sort || return 1
	done
}

# refused CMD...: exit 1, one line (printed), registry unchanged.
refused() {
	local before after err
	before=$(snapshot) || fail "snapshot failed before $*"
	err=$(expect_fail 1 "$@") || exit 1
	case $err in "$1: "*) ;; *) fail "$*: message does not start with '$1: ': $err" ;; esac
	after=$(snapshot) || fail "snapshot failed after $*"
	[ "$before" = "$after" ] ||
		fail "refused '$*' changed the registry: $(diff <(echo "$before") <(echo "$after"))"
	printf '%s\n' "$err"
}

# pref_line NAME D|- VALUE: the exact qvm-prefs listing line.
pref_line() { printf '%-24s %s %s\n' "$1" "$2" "$3"; }

# json_get QUBE KEY: a member of qvm-ls's JSON object for QUBE.
json_get() {
	qvm-ls --format json | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    if o["name"] == sys.argv[1]:
        v = o[sys.argv[2]]
        print("null" if v is None else v)' "$1" "$2"
}

note "a fresh root"
[ "$(qvm-ls --raw-list)" = "$(printf 'dom0\nhost-base')" ] || fail "fresh root: $(qvm-ls --raw-list)"
[ "$(qubes-prefs default_template)" = host-base ] || fail "default_template"
case $(qubes-prefs backend) in local|xen) ;; *) fail "backend: $(qubes-prefs backend)" ;; esac
[ "$(json_get dom0 class)" = AdminVM ] || fail "dom0 class"
[ "$(json_get dom0 label)" = black ] || fail "dom0 label"
[ "$(json_get dom0 template)" = null ] || fail "dom0 template"
[ "$(json_get host-base class)" = TemplateVM ] || fail "host-base class"
qubes-prefs | grep -q "^$(pref_line default_template - host-base)\$" ||
	qubes-prefs | grep -q "^$(pref_line default_template D host-base)\$" || fail "qubes-prefs listing: $(qubes-prefs)"

note "create one of each class"
expect_ok qvm-create --class TemplateVM --label black tpl >/dev/null
expect_ok qvm-create --template tpl --label red -P memory=800 --property vcpus=1 work >/dev/null
expect_ok qvm-create -l blue plain >/dev/null
expect_ok qvm-create -C StandaloneVM -l green sa >/dev/null
expect_ok qvm-create -l purple -P template_for_dispvms=True dvm >/dev/null
expect_ok qvm-create -C DispVM -t dvm -l orange disp1 >/dev/null
expect_ok qvm-create -l yellow -P provides_network=True sys-net >/dev/null
[ "$(qvm-ls --raw-list | tr '\n' ' ')" = "disp1 dom0 dvm host-base plain sa sys-net tpl work " ] ||
	fail "after create: $(qvm-ls --raw-list)"

note "qvm-ls"
qvm-ls --format json | python3 -m json.tool >/dev/null || fail "qvm-ls JSON does not parse"
qvm-ls --format json | python3 -c '
import json, sys
want = {
    "work":  ("AppVM", "red", "tpl"),
    "plain": ("AppVM", "blue", "host-base"),
    "tpl":   ("TemplateVM", "black", None),
    "sa":    ("StandaloneVM", "green", None),
    "dvm":   ("AppVM", "purple", "host-base"),
    "disp1": ("DispVM", "orange", "dvm"),
    "sys-net": ("AppVM", "yellow", "host-base"),
}
vms = json.load(sys.stdin)
assert [v["name"] for v in vms] == sorted(v["name"] for v in vms), "not sorted"
for v in vms:
    assert set(v) == {"name", "state", "class", "label", "template", "netvm"}, v
    assert v["state"] == "Halted" or v["class"] == "AdminVM", v
    if v["name"] in want:
        assert (v["class"], v["label"], v["template"]) == want[v["name"]], v
assert [v for v in vms if v["name"] == "sys-net"][0]["netvm"] is None
' || fail "qvm-ls JSON content: $(qvm-ls --format json)"
table=$(qvm-ls)
printf '%s\n' "$table" | head -n 1 | grep -Eq '^NAME +STATE +CLASS +LABEL +TEMPLATE +NETVM$' ||
	fail "table header: $table"
[ "$(printf '%s\n' "$table" | wc -l)" -eq 10 ] || fail "table rows: $table"
printf '%s\n' "$table" | grep -Eq '^work +Halted +AppVM +red +tpl +' || fail "work row: $table"
printf '%s\n' "$table" | grep -Eq '^sys-net +Halted +AppVM +yellow +host-base +-$' || fail "sys-net row: $table"
printf '%s\n' "$table" | grep -Eq '^tpl +Halted +TemplateVM +black +- ' || fail "tpl row: $table"
[ "$(qvm-ls work plain | wc -l)" -eq 3 ] || fail "qvm-ls NAME..."
[ "$(qvm-ls --raw-list sa)" = sa ] || fail "qvm-ls --raw-list NAME"
[ "$(qvm-ls --format json work | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 1 ] ||
	fail "qvm-ls --format json NAME"
refused qvm-ls work nosuch >/dev/null

note "qvm-prefs"
[ "$(qvm-prefs work memory)" = 800 ] || fail "memory given at creation"
[ "$(qvm-prefs work vcpus)" = 1 ] || fail "vcpus given at creation"
[ "$(qvm-prefs work template)" = tpl ] || fail "template"
[ "$(qvm-prefs work label)" = red ] || fail "label"
[ "$(qvm-prefs work class)" = AppVM ] || fail "class"
[ "$(qvm-prefs plain template)" = host-base ] || fail "default template"
prefs=$(qvm-prefs work)
printf '%s\n' "$prefs" | grep -qx "$(pref_line memory - 800)" || fail "listing memory: $prefs"
printf '%s\n' "$prefs" | grep -qx "$(pref_line maxmem D 4000)" || fail "listing maxmem: $prefs"
printf '%s\n' "$prefs" | grep -qx "$(pref_line name - work)" ||
	printf '%s\n' "$prefs" | grep -qx "$(pref_line name D work)" || fail "listing name: $prefs"
for p in name class qid label template netvm memory maxmem vcpus autostart shutdown_timeout; do
	printf '%s\n' "$prefs" | grep -q "^$p " || fail "listing lacks $p: $prefs"
done
expect_ok qvm-prefs work memory 1000 >/dev/null
[ "$(qvm-prefs work memory)" = 1000 ] || fail "set memory"
expect_ok qvm-prefs work memory -D >/dev/null
[ "$(qvm-prefs work memory)" = 400 ] || fail "reset memory"
qvm-prefs work | grep -qx "$(pref_line memory D 400)" || fail "reset memory is not a default"
for v in yes ON True 1 tRuE; do
	expect_ok qvm-prefs work autostart "$v" >/dev/null
	[ "$(qvm-prefs work autostart)" = True ] || fail "autostart $v"
	expect_ok qvm-prefs work autostart False >/dev/null
done
for v in no Off false 0; do
	expect_ok qvm-prefs work autostart True >/dev/null
	expect_ok qvm-prefs work autostart "$v" >/dev/null
	[ "$(qvm-prefs work autostart)" = False ] || fail "autostart $v"
done
expect_ok qvm-prefs work autostart --default >/dev/null
expect_ok qvm-prefs work netvm sys-net >/dev/null
[ "$(qvm-prefs work netvm)" = sys-net ] || fail "set netvm"
[ "$(json_get work netvm)" = sys-net ] || fail "qvm-ls netvm"
expect_ok qvm-prefs work netvm none >/dev/null
[ -z "$(qvm-prefs work netvm)" ] || fail "netvm none"
qvm-prefs work | grep -qx "$(pref_line netvm - '')" || fail "netvm none is set, not default"
expect_ok qvm-prefs work netvm sys-net >/dev/null
expect_ok qvm-prefs work netvm '' >/dev/null
[ -z "$(qvm-prefs work netvm)" ] || fail "netvm ''"
expect_ok qvm-prefs work netvm sys-net >/dev/null
expect_ok qvm-prefs work label green >/dev/null
[ "$(json_get work label)" = green ] || fail "label in qvm-ls"
expect_ok qvm-prefs work default_user alice >/dev/null
[ "$(qvm-prefs work default_user)" = alice ] || fail "default_user"

note "qubes-prefs"
expect_ok qubes-prefs default_template tpl >/dev/null
[ "$(qubes-prefs default_template)" = tpl ] || fail "set default_template"
expect_ok qubes-prefs default_template host-base >/dev/null
expect_ok qubes-prefs default_netvm sys-net >/dev/null
[ "$(qubes-prefs default_netvm)" = sys-net ] || fail "default_netvm"
expect_ok qubes-prefs default_netvm none >/dev/null
[ -z "$(qubes-prefs default_netvm)" ] || fail "default_netvm none"
expect_ok qubes-prefs -D default_netvm >/dev/null
[ "$(qubes-prefs | wc -l)" -eq 4 ] || fail "qubes-prefs listing: $(qubes-prefs)"

note "refusals leave the registry unchanged"
refused qvm-create -l red work | grep -q work || fail "duplicate message"
refused qvm-create -l red dom0 >/dev/null
refused qvm-create -l red host-base >/dev/null
refused qvm-create -l red -P nosuch=1 new1 >/dev/null
refused qvm-create -l red -P memory=10 new1 >/dev/null
refused qvm-create -l red -P memory=abc new1 >/dev/null
refused qvm-create -l red -P memory=0400 new1 >/dev/null
refused qvm-create -l red -P autostart=yes new1 >/dev/null
refused qvm-create -l red -P netvm=plain new1 >/dev/null
refused qvm-create -l red -P qid=77 new1 >/dev/null
refused qvm-create -l red -t work new1 >/dev/null
refused qvm-create -l red -t nosuch new1 >/dev/null
refused qvm-create -C DispVM -t work -l red new1 >/dev/null
refused qvm-create -C TemplateVM -l red -P template_for_dispvms=True new1 >/dev/null
refused qvm-create --label pink new1 >/dev/null
refused qvm-create -l red 'b@d' >/dev/null
refused qvm-create -l red new1-dm >/dev/null
refused qvm-prefs work nosuch | grep -q nosuch || fail "unknown property message"
refused qvm-prefs work nosuch 1 >/dev/null
refused qvm-prefs work nosuch -D >/dev/null
refused qvm-prefs work memory 10 >/dev/null
refused qvm-prefs work memory 99999999 >/dev/null
refused qvm-prefs work memory abc >/dev/null
refused qvm-prefs work memory '' >/dev/null
refused qvm-prefs work vcpus 0 >/dev/null
refused qvm-prefs work autostart maybe | grep -q "bool" || fail "bool message"
refused qvm-prefs work label pink >/dev/null
refused qvm-prefs work name other >/dev/null
refused qvm-prefs work qid 5 >/dev/null
refused qvm-prefs work class StandaloneVM >/dev/null
refused qvm-prefs work netvm plain >/dev/null
refused qvm-prefs work netvm nosuch >/dev/null
refused qvm-prefs sys-net netvm sys-net >/dev/null
refused qvm-prefs work template plain >/dev/null
refused qvm-prefs work default_user 'Bad User' >/dev/null
refused qvm-prefs tpl template host-base >/dev/null
refused qvm-prefs nosuch | grep -q nosuch || fail "unknown qube message"
refused qvm-prefs dom0 memory 800 >/dev/null
refused qvm-prefs dom0 label red >/dev/null
refused qvm-remove -f tpl >/dev/null
refused qvm-remove -f host-base >/dev/null
refused qvm-remove -f sys-net >/dev/null
refused qvm-remove -f dvm >/dev/null
refused qvm-remove -f dom0 >/dev/null
refused qvm-remove -f nosuch >/dev/null
refused qvm-clone work tpl >/dev/null
refused qvm-clone work dom0 >/dev/null
refused qvm-clone nosuch new1 >/dev/null
refused qvm-clone dom0 new1 >/dev/null
refused qubes-prefs default_template work >/dev/null
refused qubes-prefs default_template nosuch >/dev/null
refused qubes-prefs default_netvm plain >/dev/null
refused qubes-prefs backend xen >/dev/null
refused qubes-prefs nosuch >/dev/null

note "clone and remove"
expect_ok qvm-features work gui 1 >/dev/null
expect_ok qvm-tags work add project >/dev/null
expect_ok qvm-clone work work2 >/dev/null
diff <(qvm-prefs work | grep -Ev '^(name|qid) ') <(qvm-prefs work2 | grep -Ev '^(name|qid) ') ||
	fail "clone's properties differ"
[ "$(qvm-features work2 gui)" = 1 ] || fail "clone's features"
[ "$(qvm-tags work2 list project)" = project ] || fail "clone's tags"
[ "$(qvm-prefs work2 qid)" != "$(qvm-prefs work qid)" ] || fail "clone's qid"
expect_ok qvm-remove -f work2 >/dev/null
expect_ok qvm-remove --force disp1 >/dev/null
expect_ok qvm-remove -f dvm >/dev/null
qvm-ls --raw-list | grep -Eqx 'work2|disp1|dvm' && fail "removed qubes still listed"

note "the registry survives a restart"
before=$(snapshot) || fail "snapshot"
stop_bulkheadd || fail "bulkheadd did not stop"
start_bulkheadd
after=$(snapshot) || fail "snapshot"
[ "$before" = "$after" ] || fail "registry changed across a restart: $(diff <(echo "$before") <(echo "$after"))"
echo ok
