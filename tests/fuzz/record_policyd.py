#!/usr/bin/env python3
"""Seeds for fuzz_policyd_decision from the qrexec tests.

Reads tests/integration/qrexec_calls.sh, qrexec_dispvm.sh and
qrexec_ask.sh: the policy each writes to policy.d and every
`call TARGET SERVICE` it makes (from the qube work, domain 2).  Each call
becomes one seed: the target fuzzer's two option bytes, the request work's
qrexec-daemon sends policyd (qrexec/lib/policyreq.h), the test's policy,
and for a policy that asks, a prompt answer the ask test gives.  A few
calls are repeated with the fakes failing (options byte 0).

    tests/fuzz/record_policyd.py OUTDIR      (tests/fuzz/record-seeds.sh)
"""
import os
import re
import struct
import sys

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SEP = b"\xff\xfe\xfd"
TESTS = ["qrexec_calls", "qrexec_dispvm", "qrexec_ask"]
# The prompt's answers in qrexec_ask.sh: the default, another offered
# target, a standing grant, and one that offers nothing.
ANSWERS = [b"personal once\n", b"vault once\n", b"personal always\n", b"nosuch once\n"]
# Options byte 0 for the failure variants (fuzz_policyd_decision.c).
FAILURES = {"refused": 0x01, "otherdom": 0x02, "nocap": 0x04, "nodom0": 0x18, "nodisp": 0x20, "noprompt": 0x80}
# Options byte 1 for the target's daemon: never serving, a ping naming
# another domain, and (with a standing grant) a derived capability the
# wait for the target left without life.
DAEMON = {"unready": 0x04, "pinglie": 0x08, "stalecap": 0x11}


def policy_of(text):
    """The test's policy: the heredoc into 30-test.policy, or the echo."""
    m = re.search(r"30-test\.policy\" <<'P'\n(.*?)^P$", text, re.S | re.M)
    if m:
        return m.group(1).encode()
    m = re.search(r"^echo '([^']*)' >\"\$pol/30-test\.policy\"", text, re.M)
    return (m.group(1) + "\n").encode() if m else b""


def request(target, service, request_id):
    svc = service.encode() + b"\0"
    return struct.pack("<32sI64s32sI", b"work", 2, target.encode(), request_id.encode(), len(svc)) + svc


def main():
    out = sys.argv[1]
    n = 0
    for test in TESTS:
        with open(os.path.join(TOP, "tests", "integration", test + ".sh")) as f:
            text = f.read()
        pol = policy_of(text)
        calls = sorted(set(re.findall(r"\bcall (@?[a-z0-9:-]+) ([A-Za-z0-9._+-]+)", text)))
        for i, (target, service) in enumerate(calls):
            req = request(target, service, str(i + 1))
            asks = b" ask" in pol
            answers = ANSWERS if asks else [b""]
            for j, ans in enumerate(answers):
                name = "%s-%s-%s%s" % (test, target.replace(":", "_").replace("@", ""), service,
                                       "-%d" % j if asks else "")
                with open(os.path.join(out, name), "wb") as f:
                    f.write(bytes([0, 0]) + req + SEP + pol + SEP + ans)
                n += 1
        # The first call again with each of the fakes failing.
        if calls:
            req = request(calls[0][0], calls[0][1], "1")
            for what, opt in FAILURES.items():
                with open(os.path.join(out, "%s-%s" % (test, what)), "wb") as f:
                    f.write(bytes([opt, 1]) + req + SEP + pol + SEP + ANSWERS[0])
                n += 1
            for what, opt in DAEMON.items():
                with open(os.path.join(out, "%s-%s" % (test, what)), "wb") as f:
                    f.write(bytes([0, opt]) + req + SEP + pol + SEP + ANSWERS[0])
                n += 1
    # A request cut short, and one from a source the facts do not know.
    with open(os.path.join(out, "trunc"), "wb") as f:
        f.write(bytes([0, 0]) + request("personal", "test.Echo", "1")[:140])
    with open(os.path.join(out, "unknown-source"), "wb") as f:
        f.write(bytes([0, 0]) + request("personal", "test.Echo", "1").replace(b"work\0\0", b"nosuch", 1))
    print("%s: %d seeds" % (out, n + 2))


if __name__ == "__main__":
    main()
