"""The untrusted_ naming lint (CONVENTIONS.md, "Trust boundaries are
visible in the names").

Every read in dom0 code, that is every call of a function in READS, must
land in a buffer whose name says it is untrusted (an untrusted_* variable
or field anywhere in the destination's access path: untrusted_buf + n,
&untrusted_req, c->untrusted_in + c->inlen), or sit in a proved
*_parse.c, or be listed in audit/untrusted-allow.txt with the reason it
is not a trust boundary.  The lint cannot tell a qube's socket from the
kernel's signalfd; the allowlist is where a person says which is which,
one reviewed line per call.

Allowlist lines: `FILE | CALL | REASON`, CALL as it is written in FILE
(comments dropped) with its whitespace squeezed (one entry covers every identical call in
that file).  An entry that matches nothing is an error too: the list
cannot hold stale exemptions.
"""
import os
import re

import cscan

# Functions that read bytes from outside the process into memory, and the
# index of their destination argument.  None: the destination is another
# fd (the bytes never enter our memory), so only the allowlist can clear
# the call.
READS = {
    # the kernel's
    "read": 1, "pread": 1, "pread64": 1, "readv": 1, "preadv": 1, "preadv2": 1,
    "recv": 1, "recvfrom": 1, "recvmsg": 1, "recvmmsg": 1,
    "readlink": 1, "readlinkat": 2,
    "splice": None, "tee": None, "copy_file_range": None, "sendfile": None,
    # stdio's
    "fread": 0, "fgets": 0, "getline": 0, "getdelim": 0,
    # Bulkhead's own (lib/io.h, lib/vchan.h, capd/audit/auditlog_int.h)
    "read_exact_deadline": 1, "read_to_eof_deadline": 1, "read_small_file": 1,
    "vchan_read": 1, "vchan_recv": 1, "audit_read_small": 2,
    # measured-boot/'s reader of files on the boot medium (mbfile.h)
    "mb_read_regular": 1,
    # Xen's (lib/vchan_xen.c)
    "libxenvchan_read": 1, "libxenvchan_recv": 1,
}

ALLOWLIST = "audit/untrusted-allow.txt"


class Read:
    """One read call: where, what, and how it was cleared."""

    def __init__(self, path, line, call, dest, verdict, reason=""):
        self.path, self.line, self.call, self.dest = path, line, call, dest
        self.verdict = verdict      # "untrusted" | "parser" | "allowed" | "violation"
        self.reason = reason


class Result:
    def __init__(self):
        self.reads = []
        self.errors = []            # allowlist problems: "FILE:LINE: message"

    def violations(self):
        return [r for r in self.reads if r.verdict == "violation"]

    def count(self, verdict):
        return sum(1 for r in self.reads if r.verdict == verdict)


def load_allowlist(root):
    """{(file, squeezed call): [reason, allowlist line, used]}; errors."""
    entries, errors = {}, []
    path = os.path.join(root, ALLOWLIST)
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            # CALL may hold " | " itself (flags): FILE is the first field,
            # REASON the last.
            first = line.split(" | ", 1)
            parts = [first[0]] + (first[1].rsplit(" | ", 1) if len(first) == 2 else [])
            parts = [p.strip() for p in parts]
            if len(parts) != 3 or not all(parts):
                errors.append("%s:%d: expected 'FILE | CALL | REASON'" % (ALLOWLIST, n))
                continue
            key = (parts[0], cscan.squeeze(parts[1]))
            if key in entries:
                errors.append("%s:%d: duplicate entry" % (ALLOWLIST, n))
                continue
            entries[key] = [parts[2], n, False]
    return entries, errors


def dest_names(expr):
    """The identifiers naming the memory a destination expression points
    at: its access path before any arithmetic, casts and & dropped, index
    and call arguments ignored (untrusted_buf + n -> untrusted_buf;
    &s->untrusted_req -> s, untrusted_req)."""
    e = expr.strip()
    while True:
        stripped = re.sub(r"^\(\s*(?:const\s+)?(?:struct\s+)?\w+(?:\s+\w+)*\s*\**\s*\)", "", e).lstrip("&* \t\n")
        if stripped == e:
            break
        e = stripped
    path, depth = [], 0
    i = 0
    while i < len(e):
        c = e[i]
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif depth == 0 and (c in "+?|" or (c == "-" and not e.startswith("->", i))):
            break
        elif depth == 0:
            path.append(c)
        i += 1
    return re.findall(r"[A-Za-z_]\w*", "".join(path))


def check_file(root, path, allow, result):
    with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
        text = f.read()
    code = cscan.blank_directives(cscan.blank(text))
    shown = cscan.blank(text, keep_strings=True)
    # A call through a struct member (v->ops->read) counts as the read it
    # is named after: the text shown starts at the member's name.
    for off, name, _, args, end in cscan.find_calls(code, READS):
        call = cscan.squeeze(shown[off:end])
        idx = READS[name]
        dest = cscan.squeeze(shown[args[idx][0]:args[idx][1]]) if idx is not None and idx < len(args) else ""
        line = cscan.line_of(text, off)
        entry = allow.get((path, call))
        if idx is not None and any(n.startswith("untrusted_") for n in dest_names(dest)):
            verdict, reason = "untrusted", ""
        elif path.endswith("_parse.c"):
            verdict, reason = "parser", "in a proved parser"
        elif entry is not None:
            verdict, reason = "allowed", entry[0]
        else:
            verdict, reason = "violation", ""
        if verdict == "allowed":
            entry[2] = True
        result.reads.append(Read(path, line, call, dest, verdict, reason))


def run(root, files):
    """Lints files (paths relative to root).  Returns a Result."""
    result = Result()
    allow, result.errors = load_allowlist(root)
    for path in files:
        check_file(root, path, allow, result)
    for (path, call), (_, n, used) in sorted(allow.items(), key=lambda kv: kv[1][1]):
        if not used:
            result.errors.append("%s:%d: no read in %s needs this entry (remove it): %s" % (ALLOWLIST, n, path, call))
    return result
