#!/usr/bin/env python3
"""qrexec-policyd's share of children per sender, from outside
(tests/integration/qrexec_fairness.sh; qrexec/policyd/admission.h).

usage: policyd-share.py SOCKET SHARE OTHER_UID

As root: SHARE connections held open without a request (each has a
child, waiting for the request until POLICYREQ_TIMEOUT_MS, 5 s), then
one more with a bad request: it must wait (no child reads it: no EOF
within 1 s) while a sender of another uid is served at once; and once
the held ones close, it must be served (not refused).  While the
children wait, none of them may hold policyd's listening socket (a
child forked without a spare closes what it inherited, the requests
waiting their turn included).  The held phase must fit in the
children's 5 s: a run that was slower is retried.
Prints one line per finding; exits 0 if all hold."""
import os
import socket
import sys
import time

BAD_REQUEST = b"\xff" * 16          # not a policy_req: refused by its child
HELD_BUDGET_S = 4.0                  # of the children's 5 s wait


def connect(path):
    """Connected, waiting while policyd's backlog is full (EAGAIN)."""
    end = time.monotonic() + 10
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        try:
            s.connect(path)
            return s
        except BlockingIOError:
            s.close()
            if time.monotonic() > end:
                raise
            time.sleep(0.005)


def send_bad(s):
    s.sendall(BAD_REQUEST)
    s.shutdown(socket.SHUT_WR)


def eof_within(s, seconds):
    """True if the peer closed s within seconds (anything read first is
    ignored)."""
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return False
        s.settimeout(left)
        try:
            if s.recv(4096) == b"":
                return True
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True


def listener_holders(path):
    """The pids with an fd on the socket listening at path."""
    inodes = set()
    with open("/proc/net/unix") as f:
        next(f)
        for line in f:
            fields = line.split()
            # Flags 00010000: accepting connections (a listener).
            if len(fields) == 8 and fields[7] == path and fields[3] == "00010000":
                inodes.add("socket:[%s]" % fields[6])
    pids = set()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            for fd in os.listdir("/proc/%s/fd" % pid):
                if os.readlink("/proc/%s/fd/%s" % (pid, fd)) in inodes:
                    pids.add(int(pid))
        except OSError:
            continue                # gone meanwhile, or not ours to read
    return pids


def served_as(path, uid, seconds):
    """In a child with uid: a bad request gets its answer (EOF) in time."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgid(uid)
            os.setuid(uid)
            s = connect(path)
            send_bad(s)
            os._exit(0 if eof_within(s, seconds) else 1)
        except Exception as e:  # noqa: BLE001 -- any failure is the finding
            print("other sender: %s" % e)
            os._exit(2)
    return os.waitpid(pid, 0)[1] == 0


def attempt(path, share, other_uid):
    t0 = time.monotonic()
    held = [connect(path) for _ in range(share)]
    extra = connect(path)
    send_bad(extra)
    waited = not eof_within(extra, 1.0)
    holders = listener_holders(path)
    other = served_as(path, other_uid, 3.0)
    if time.monotonic() - t0 > HELD_BUDGET_S:
        for s in held + [extra]:
            s.close()
        return None
    for s in held:
        s.close()
    later = eof_within(extra, 10.0)
    extra.close()
    return waited, other, later, holders


def main():
    path, share, other_uid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    for _ in range(3):
        r = attempt(path, share, other_uid)
        if r is not None:
            break
        print("the held phase took over %.0f s (a loaded host): again" % HELD_BUDGET_S)
        time.sleep(6)               # the slow run's children time out
    else:
        print("inconclusive: too slow three times")
        return 1
    waited, other, later, holders = r
    print("processes holding policyd's listening socket while %d children wait: %d" % (share, len(holders)))
    print("request %d of one sender: %s" % (share + 1, "waits" if waited else "served at once"))
    print("another sender meanwhile: %s" % ("served" if other else "not served within 3 s"))
    print("request %d once its sender's others ended: %s" % (share + 1, "served" if later else "not served"))
    return 0 if waited and other and later and len(holders) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
