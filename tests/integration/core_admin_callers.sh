#!/usr/bin/env bash
# Who may call bulkheadd's Admin API, decided by the connecting process's
# uid (SO_PEERCRED), never by the request: root has it all;
# qrexec-policyd's uid only the calls policyd makes (SystemInfo, starting
# a call's target, disposables: create, start, kill, remove); any other
# uid is closed unanswered.  And qrexec-policyd itself runs under that
# uid with CAP_FOWNER alone (its root runner aside).
. "$(dirname "$0")/../lib/common.sh"
command -v python3 >/dev/null || skip "python3 not installed"
POLICYD=$((0x3E000001))
start_bulkheadd
expect_ok qvm-create --label red work >/dev/null
expect_ok qvm-create --label green dvm >/dev/null
expect_ok qvm-prefs dvm template_for_dispvms True >/dev/null

python3 - "$BULKHEAD_ROOT/run/bulkhead/admin.sock" "$POLICYD" <<'PY' || fail "admin callers"
import os, socket, sys
path, policyd = sys.argv[1], int(sys.argv[2])

def call_as(uid, data, gid=None):
    """The reply to data sent by a process running as uid (b"" if none,
    b"EACCES" if the socket's mode kept it out)."""
    gid = uid if gid is None else gid
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            if uid != 0:
                os.setgroups([]); os.setresgid(gid, gid, gid); os.setresuid(uid, uid, uid)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(10)
            s.connect(path)
            s.sendall(data); s.shutdown(socket.SHUT_WR)
            out = b""
            while True:
                b = s.recv(65536)
                if not b:
                    break
                out += b
            os.write(w, out)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except PermissionError:
            os.write(w, b"EACCES")
        os._exit(0)
    os.close(w)
    out = b""
    while True:
        b = os.read(r, 65536)
        if not b:
            break
        out += b
    os.waitpid(pid, 0)
    return out

def ok(uid, data):
    r = call_as(uid, data)
    if not r.startswith(b"\x30\x00"):
        print("uid", uid, data, "not served:", r[:120]); sys.exit(1)

def denied(uid, data, why):
    r = call_as(uid, data)
    if not (r.startswith(b"\x32\x00PermissionDenied\x00") and why in r):
        print("uid", uid, data, "not denied:", r[:160]); sys.exit(1)

# root: everything
ok(0, b"dom0\0admin.vm.List\0dom0\0\0")
# policyd: what it uses
ok(policyd, b"dom0\0admin.bulkhead.SystemInfo\0dom0\0\0")
# ... and nothing else, whatever the request says
for req in (b"dom0\0admin.vm.List\0dom0\0\0",
            b"dom0\0admin.vm.Create.AppVM\0dom0\0\0name=evil label=red",
            b"dom0\0admin.vm.property.Set\0work\0netvm\0",
            b"dom0\0admin.vm.Shutdown\0work\0\0",
            b"dom0\0admin.property.Set\0dom0\0default_dispvm\0work"):
    denied(policyd, req, b"qrexec-policyd may not call")
# disposables: created, killed and removed; kill and remove nothing else
ok(policyd, b"dom0\0admin.vm.Create.DispVM\0dom0\0dvm\0name=disp7 label=red")
denied(policyd, b"dom0\0admin.vm.Kill\0work\0\0", b"only on a disposable")
denied(policyd, b"dom0\0admin.vm.Remove\0work\0\0", b"only on a disposable")
denied(policyd, b"dom0\0admin.vm.Remove\0dvm\0\0", b"only on a disposable")
ok(policyd, b"dom0\0admin.vm.Remove\0disp7\0\0")
# any other uid: kept out by the socket's mode (0660 root:policyd) ...
for uid in (4242, 0x3E000002, 0x3E010003):
    r = call_as(uid, b"dom0\0admin.vm.List\0dom0\0\0")
    if r != b"EACCES":
        print("uid", uid, "not kept out:", r[:80]); sys.exit(1)
# ... and, in policyd's group but not policyd, closed unanswered by bulkheadd
r = call_as(4242, b"dom0\0admin.vm.List\0dom0\0\0", gid=policyd)
if r != b"":
    print("uid 4242 in policyd's group answered:", r[:80]); sys.exit(1)
PY
out=$(qvm-ls) || fail "qvm-ls"
echo "$out" | grep -q '^work ' || fail "work gone: $out"
echo "$out" | grep -q '^disp7 ' && fail "disp7 not removed: $out"
grep -q "admin connection from uid 4242 refused" "$BULKHEAD_ROOT/bulkheadd.log" || fail "refusal not logged"
[ "$(stat -c '%u %g %a' "$BULKHEAD_ROOT/run/bulkhead/admin.sock")" = "0 $POLICYD 660" ] ||
	fail "admin.sock: $(stat -c '%u %g %a' "$BULKHEAD_ROOT/run/bulkhead/admin.sock")"

# qrexec-policyd: the process serving this root, not its runner (a child
# that stays root for dom0 services and the prompt).
main=
for p in $(grep -lsa "BULKHEAD_ROOT=$BULKHEAD_ROOT" /proc/[0-9]*/environ | cut -d/ -f3); do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = qrexec-policyd ] || continue
	pp=$(awk '/^PPid:/ {print $2}' "/proc/$p/status")
	[ "$(cat "/proc/$pp/comm" 2>/dev/null)" = qrexec-policyd ] || main=$p
done
[ -n "$main" ] || skip "qrexec-policyd is not running (not built?)"
st=/proc/$main/status
grep -q "^Uid:[[:space:]]*$POLICYD[[:space:]]$POLICYD[[:space:]]$POLICYD[[:space:]]$POLICYD" "$st" || fail "policyd uid: $(grep ^Uid "$st")"
grep -q "^Gid:[[:space:]]*$POLICYD[[:space:]]$POLICYD[[:space:]]$POLICYD" "$st" || fail "policyd gid: $(grep ^Gid "$st")"
# CAP_FOWNER (3) and nothing else; seccomp; no_new_privs.
for c in CapEff CapPrm CapBnd; do
	grep -q "^$c:[[:space:]]*0000000000000008$" "$st" || fail "policyd $(grep "^$c" "$st")"
done
for c in CapInh CapAmb; do
	grep -q "^$c:[[:space:]]*0000000000000000$" "$st" || fail "policyd $(grep "^$c" "$st")"
done
grep -q '^Seccomp:[[:space:]]*2$' "$st" || fail "policyd $(grep Seccomp "$st")"
grep -q '^Groups:[[:space:]]*$' "$st" || fail "policyd $(grep Groups "$st")"
stop_bulkheadd || fail "bulkheadd did not stop"
echo "admin callers: all checks passed"
