#!/usr/bin/env bash
# Malformed and hostile Admin API requests: each is refused (ProtocolError
# or closed), the daemon keeps serving, and the registry does not change.
. "$(dirname "$0")/../lib/common.sh"
command -v python3 >/dev/null || skip "python3 not installed"
start_bulkheadd
expect_ok qvm-create --label red work >/dev/null
reg=$BULKHEAD_ROOT/var/lib/bulkhead/qubes.registry
before=$(sha256sum <"$reg")

python3 - "$BULKHEAD_ROOT/run/bulkhead/admin.sock" <<'PY' || fail "hostile requests"
import socket, sys, time
path = sys.argv[1]

def call(data, shut=True, wait=10):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(wait)
    s.connect(path)
    try:
        s.sendall(data)
        if shut:
            s.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            b = s.recv(65536)
            if not b:
                return out
            out += b
    except (BrokenPipeError, ConnectionResetError):
        return b""
    finally:
        s.close()

def refused(data, exc=b"ProtocolError"):
    r = call(data)
    ok = r == b"" or (r.startswith(b"\x32\x00" + exc + b"\x00"))
    if not ok:
        print("not refused:", data[:60], "->", r[:80]); sys.exit(1)

cases = [
    b"", b"dom0", b"dom0\0admin.vm.List", b"dom0\0admin.vm.List\0dom0",
    b"dom0\0admin.vm.List\0dom0\0",                       # arg without NUL
    b"dom0\0admin.vm.Nope\0dom0\0\0",                     # unknown method
    b"dom0\0vm.List\0dom0\0\0",
    b"dom0\0admin.vm.List\0../../etc\0\0",
    b"dom0\0admin.vm.property.Set\0work\0memory\0" + b"9" * 70000,   # oversize
    b"dom0\0admin.vm.property.Get\0work\0\0",               # missing arg
    b"dom0\0admin.vm.List\0dom0\0x\0",                     # unexpected arg
    b"dom0\0admin.vm.Start\0work\0\0payload",               # unexpected payload
    b"dom0\0admin.vm.Create.AppVM\0dom0\0\0name=x label=red extra",
    b"dom0\0admin.vm.Create.AppVM\0dom0\0\0name=x\nlabel=red",
    b"dom0\0admin.vm.property.Get\0work\0a b\0",
    b"dom0\0admin.label.List\0work\0\0",                   # must go to dom0
    b"\xff\xfe\0admin.vm.List\0dom0\0\0",
]
for c in cases:
    refused(c)
# A qube may not call the Admin API directly.
refused(b"work\0admin.vm.List\0dom0\0\0", b"PermissionDenied")
# Unknown qube / property: their own exception types.
refused(b"dom0\0admin.vm.Start\0nosuch\0\0", b"QubesVMNotFoundError")
refused(b"dom0\0admin.vm.property.Get\0work\0nosuch\0", b"QubesNoSuchPropertyError")
# A stalled client is dropped after the request timeout, not served forever.
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path); s.sendall(b"dom0\0admin")
s.settimeout(15); t = time.time()
assert s.recv(10) == b"", "stalled client got data"
assert time.time() - t < 12, "stalled client not dropped in time"
s.close()
# A flood of idle connections does not stop service for long.
idle = []
for i in range(40):
    try:
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.connect(path); idle.append(c)
    except OSError:
        pass
for c in idle: c.close()
# Service resumes once the flood is gone (within a few seconds).
deadline = time.time() + 5
while True:
    try:
        r = call(b"dom0\0admin.vm.List\0dom0\0\0")
        break
    except BlockingIOError:
        assert time.time() < deadline, "service did not resume after the flood"
        time.sleep(0.05)
assert r.startswith(b"\x30\x00") and b"work class=AppVM" in r, r
PY

[ "$(sha256sum <"$reg")" = "$before" ] || fail "registry changed"
kill -0 "$BH_DAEMON_PID" || fail "bulkheadd died"
qvm-ls --raw-list | grep -qx work || fail "service lost"
echo ok
