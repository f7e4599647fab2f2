"""Each long-running process: the privilege steps its code takes, and the
seccomp table it installs (read from seccomp-dump, audit/seccomp_dump.c,
which prints the compiled tables).

The privilege steps are found as calls in the process's own files: the
calls are few and fixed (lib/privdrop.h, lib/sandbox.h, chroot), and each
is shown with its source line, so a reader checks the claim at a glance.
"""
import os
import re
import subprocess

import cscan

# (process, program, side, started by, files that set it up, seccomp
# table or None).  The files are where its main and its sandbox function
# live; "started by" is how the code starts it (execv in
# core/vmm_monitor.c and qrexec/policyd/runner.c; qube-init in a qube).
PROCESSES = [
    ("bulkheadd: registry process", "bulkheadd", "dom0", "the administrator (or init)",
     ["core/bulkheadd.c", "core/bulkheadd_seccomp.c"], "bulkheadd_seccomp"),
    ("bulkheadd: VMM monitor", "bulkheadd", "dom0", "bulkheadd, forked before its sandbox",
     ["core/bulkheadd.c", "core/vmm_monitor.c"], None),
    ("capd", "capd", "dom0", "the VMM monitor", ["capd/capd.c"], "capd_seccomp"),
    ("qrexec-daemon (one per qube)", "qrexec-daemon", "dom0", "the VMM monitor",
     ["qrexec/daemon/qrexec-daemon.c"], "daemon_seccomp"),
    ("qrexec-policyd", "qrexec-policyd", "dom0", "the VMM monitor",
     ["qrexec/policyd/qrexec-policyd.c"], "policyd_seccomp"),
    ("bulkhead-ask (the prompt)", "bulkhead-ask", "dom0", "qrexec-policyd's runner (forked before its sandbox)",
     ["capd/prompt/bulkhead-ask.c", "capd/prompt/ask_x11.c", "capd/prompt/ask_tty.c",
      "capd/prompt/ask_seccomp.c"], "ask_seccomp"),
    ("qrexec-agent (in each qube)", "qrexec-agent", "qube", "qube-init, as the qube's root",
     ["qrexec/agent/agent.c", "qrexec/agent/exec.c", "qrexec/agent/vm.c"], None),
]

STEPS = ["geteuid", "chroot", "privdrop_to", "privdrop_keep", "sandbox_keep_caps", "sandbox_drop_all_caps",
         "sandbox_install"]


def read_dump(path):
    """{table: [(syscall, arg, value, why)]}, {uid name: int} from
    seccomp-dump's output."""
    out = subprocess.run([path], check=True, capture_output=True, text=True).stdout
    tables, uids = {}, {}
    for line in out.splitlines():
        f = line.split("\t")
        if f[0] == "rule":
            tables.setdefault(f[1], []).append((f[2], int(f[3]), f[4], f[5]))
        elif f[0] == "uid":
            uids[f[1]] = int(f[2], 16)
    return tables, uids


def steps(root, files):
    """[(file, line, step, squeezed source line, args text)] in file order."""
    found = []
    for path in files:
        with open(os.path.join(root, path), encoding="utf-8") as f:
            text = f.read()
        code = cscan.blank_directives(cscan.blank(text))
        shown = cscan.blank(text, keep_strings=True).split("\n")
        for off, name, member, args, end in cscan.find_calls(code, STEPS):
            if member:
                continue
            line = cscan.line_of(text, off)
            argtext = [cscan.squeeze(text[a:b]) for a, b in args]
            found.append((path, line, name, cscan.squeeze(shown[line - 1]), argtext, text))
    return found


def _caps(text, var):
    """The CAP_* names in `var[] = { ... }` in text."""
    m = re.search(r"\b" + re.escape(var) + r"\s*\[\s*\]\s*=\s*\{([^}]*)\}", text)
    return re.findall(r"CAP_\w+", m.group(1)) if m else []


def _uid(expr, uids):
    m = re.match(r"BH_UID_QREXEC_DAEMON\((\w+)\)$", expr)
    if m and "BH_UID_QREXEC_DAEMON_BASE" in uids:
        return "%#x + %s (BH_UID_QREXEC_DAEMON)" % (uids["BH_UID_QREXEC_DAEMON_BASE"], m.group(1))
    if expr in uids:
        return "%#x (%s)" % (uids[expr], expr)
    return expr


def summary(found, uids):
    """What the steps amount to, in words: (runs as, capabilities, other).
    When privdrop_to or privdrop_keep is there, its checks decide the
    capabilities; a conditional other path shows in the quoted lines."""
    runs_as, caps, other = [], [], []
    for _, _, name, _, args, text in found:
        if name == "geteuid":
            runs_as.append("uid 0 (refuses to start as any other)")
        elif name in ("privdrop_to", "privdrop_keep"):
            runs_as.append("then uid " + _uid(args[0], uids))
            if name == "privdrop_keep":
                kept = _caps(text, args[2])
                caps.append("only " + (", ".join(kept) if kept else "those in " + args[2]) +
                            " (privdrop_keep checks the sets hold exactly these)")
        elif name == "sandbox_keep_caps":
            kept = _caps(text, args[0])
            caps.append("only " + ", ".join(kept) if kept else "only those in " + args[0])
        elif name == "sandbox_drop_all_caps":
            caps.append("none")
        elif name == "chroot":
            other.append("chroot(%s)" % args[0])
    if any(step[2] == "privdrop_to" for step in found):
        caps = ["none (privdrop_to checks every set is empty)"]
    if not runs_as or runs_as[0].startswith("then"):
        runs_as.insert(0, "the uid it is started with")
    if not caps:
        caps.append("all it is started with (no drop in its code)")
    return ", ".join(runs_as), "; ".join(dict.fromkeys(caps)), ", ".join(other)


def filter_text(arg, value):
    return "" if arg < 0 else "arg%d == %s" % (arg, value)
