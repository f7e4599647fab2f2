"""The banned-functions lint (CONVENTIONS.md, "Avoid"), over every C file
Bulkhead ships (dom0 and qube side alike).  VLAs are left to the
compiler (-Wvla -Werror, set once in the Makefile).
"""
import os
import re

import cscan

# Each with what to use instead.
BANNED = {
    "strcpy": "unbounded copy: snprintf, or memcpy with a checked length",
    "stpcpy": "unbounded copy: snprintf, or memcpy with a checked length",
    "strcat": "unbounded append: snprintf into the remaining space",
    "sprintf": "unbounded format: snprintf, checking the result",
    "vsprintf": "unbounded format: vsnprintf, checking the result",
    "gets": "unbounded read: fgets or a read with a length",
    "strtok": "hidden global state: strchr/strcspn over a bounded string",
    "atoi": "no error report: strtoul/strtol with end pointer and range checks",
    "atol": "no error report: strtoul/strtol with end pointer and range checks",
    "atoll": "no error report: strtoull/strtoll with end pointer and range checks",
    "atof": "no error report: strtod with end pointer checks",
    "system": "a shell command string (QSB-038): fork and execv an argv",
    "popen": "a shell command string (QSB-038): pipe, fork and execv an argv",
    "alloca": "unbounded stack allocation: a fixed-size buffer or malloc",
    "tmpnam": "name race: mkstemp/mkdtemp",
    "tempnam": "name race: mkstemp/mkdtemp",
    "mktemp": "name race: mkstemp/mkdtemp",
    "scanf": "unbounded %s and silent partial matches: a parser",
    "fscanf": "unbounded %s and silent partial matches: a parser",
    "sscanf": "unbounded %s and silent partial matches: a parser",
    "vscanf": "unbounded %s and silent partial matches: a parser",
    "vfscanf": "unbounded %s and silent partial matches: a parser",
    "vsscanf": "unbounded %s and silent partial matches: a parser",
}

# A libc call replaced by a macro is a mock done with the preprocessor
# (CONVENTIONS.md: "mocks done with #define read fake_read").
MOCKED = r"read|write|recv|recvmsg|send|sendmsg|open|openat|close|socket|connect|accept|accept4|poll|" \
         r"malloc|calloc|realloc|free|fork|execv|execve|kill"
MOCK_RE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+(" + MOCKED + r")\b", re.M)


def run(root, files):
    """[(file, line, message)] for every banned call or mocking #define."""
    found = []
    for path in files:
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            text = f.read()
        blanked = cscan.blank(text)
        for off, name, member, _, _ in cscan.find_calls(cscan.blank_directives(blanked), BANNED):
            if not member:
                found.append((path, cscan.line_of(text, off), "%s(): %s" % (name, BANNED[name])))
        for m in MOCK_RE.finditer(blanked):
            found.append((path, cscan.line_of(text, m.start()),
                          "#define %s: a libc call mocked by the preprocessor; use an interface" % m.group(1)))
    return sorted(found)
