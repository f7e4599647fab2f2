#!/usr/bin/env python3
"""Answers one dialogue of bulkhead-ask's terminal prompt, for tests that
run the prompt through the whole stack (a qube's call, qrexec-policyd,
its runner, bulkhead-ask).

    ask-tty.py LINK [EXPECT SEND]...

Makes a pseudo-terminal and points the symlink LINK at it (bulkheadd was
started with BULKHEAD_ASK_TTY=LINK), prints "ready", then for each pair
waits (30 s at most) for EXPECT in what the prompt writes and sends SEND
("\\n" in either is a newline).  Exit 0 when every pair went through, 1
(with the reason and what the prompt wrote on stderr) otherwise."""
import os
import pty
import select
import sys
import time

link, pairs = sys.argv[1], sys.argv[2:]
if len(pairs) % 2:
    sys.exit("ask-tty.py: EXPECT and SEND come in pairs")
master, slave = pty.openpty()
tmp = link + ".tmp"
try:
    os.unlink(tmp)
except FileNotFoundError:
    pass
os.symlink(os.ttyname(slave), tmp)
os.rename(tmp, link)
print("ready", flush=True)
seen = b""
for i in range(0, len(pairs), 2):
    want = pairs[i].replace("\\n", "\n").encode()
    deadline = time.monotonic() + 30
    while want not in seen:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([master], [], [], left)[0]:
            sys.exit("ask-tty.py: no %r from the prompt; it wrote %r" % (want, seen))
        seen += os.read(master, 4096)
    seen = seen[seen.index(want) + len(want):]
    os.write(master, pairs[i + 1].replace("\\n", "\n").encode())
# Let the prompt read the last answer before the terminal goes.
time.sleep(0.5)
