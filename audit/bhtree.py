"""What the build says about the tree: which source files end up in which
program, and so which code is dom0-resident and which runs in qubes.

The source of truth is make's own database (`make -pqrR`, which runs
nothing): the rules the module.mk files generate through mk/rules.mk, and
the INSTALL_BIN (dom0) and INSTALL_QUBE (qube side) lists.  Headers are
followed through quoted #include lines, resolved as the compiler does with
the project's -I. -Ilib.
"""
import os
import re
import subprocess

# A build directory that cannot exist, so that make's database names
# every target under a prefix we can recognise and no stale object's .d
# file is read.
FAKE_BUILD = "/nonexistent/bh-audit-db"

# The directories whose code Bulkhead ships (tests/ and bench/ do not).
SHIPPED_DIRS = ("core", "capd", "qrexec", "lib", "measured-boot")


class Tree:
    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.vars, self.rules = _make_database(self.root)
        self.dom0_programs = _names(self.vars.get("INSTALL_BIN", ""))
        self.qube_programs = _names(self.vars.get("INSTALL_QUBE", ""))
        self._includes = {}

    def program_sources(self, target):
        """The .c files linked into a program (target as in make's
        database, e.g. FAKE_BUILD/bin/capd), libraries expanded."""
        out = set()
        for p in self.rules.get(target, []):
            if p.endswith(".a"):
                out |= self.program_sources(p)
            elif p.startswith(FAKE_BUILD + "/obj/") and p.endswith(".o"):
                out.add(p[len(FAKE_BUILD + "/obj/"):-2] + ".c")
            elif p.endswith(".c"):
                out.add(p)
        return out

    def includes(self, path):
        """Every project header path includes, directly or not."""
        seen = set()
        todo = [path]
        while todo:
            f = todo.pop()
            for h in self._direct_includes(f):
                if h not in seen:
                    seen.add(h)
                    todo.append(h)
        return seen

    def _direct_includes(self, path):
        if path not in self._includes:
            found = []
            with open(os.path.join(self.root, path), encoding="utf-8", errors="replace") as f:
                for line in f:
                    m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                    if not m:
                        continue
                    for d in (os.path.dirname(path), "", "lib"):
                        cand = os.path.normpath(os.path.join(d, m.group(1)))
                        if os.path.isfile(os.path.join(self.root, cand)):
                            found.append(cand)
                            break
            self._includes[path] = found
        return self._includes[path]

    def closure(self, programs):
        """Sources and headers of a set of programs."""
        files = set()
        for prog in programs:
            files |= self.program_sources(prog)
        for c in list(files):
            files |= self.includes(c)
        return files

    def dom0_files(self):
        """Code in dom0's installed programs: the TCB."""
        return self.closure(self.dom0_programs)

    def qube_only_files(self):
        """Code that runs only inside qubes (linked into qube programs and
        into no dom0 program)."""
        return self.closure(self.qube_programs) - self.dom0_files()

    def shipped_files(self):
        """Every .c/.h under the shipped directories: the files git tracks
        (so a colleague's untracked scratch file does not count), or, in a
        copy that is not a git checkout, every file there."""
        git = subprocess.run(["git", "ls-files", "--"] + [d + "/*.[ch]" for d in SHIPPED_DIRS],
                             cwd=self.root, capture_output=True, text=True)
        if git.returncode == 0 and os.path.isdir(os.path.join(self.root, ".git")):
            return sorted(set(git.stdout.split()))
        found = []
        for d in SHIPPED_DIRS:
            for dirpath, _, names in os.walk(os.path.join(self.root, d)):
                rel = os.path.relpath(dirpath, self.root)
                found += [os.path.join(rel, n) for n in names if n.endswith((".c", ".h"))]
        return sorted(found)

    def test_only_files(self):
        """Shipped-directory sources linked only into test helpers
        (tests/*/module.mk and vmmctl): never installed."""
        tests = _names(self.vars.get("TESTPROGS", ""))
        used = self.dom0_files() | self.closure(self.qube_programs)
        return {f for f in self.closure(tests) if f.startswith(SHIPPED_DIRS) and f not in used
                and f.endswith(".c")}

    def dom0_scope(self):
        """What the untrusted_ lint reads: shipped code that is not
        qube-only and not a test helper (so lib/vchan_xen.c, dom0 code
        under Xen that no program installs yet, is in)."""
        drop = self.qube_only_files() | self.test_only_files()
        return [f for f in self.shipped_files() if f not in drop]


def program_name(target):
    return target.rsplit("/", 1)[-1]


def _names(value):
    return [w for w in value.split() if w.startswith(FAKE_BUILD + "/")]


def _make_database(root):
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    out = subprocess.run(["make", "-pqrR", "--no-print-directory", "BUILD=" + FAKE_BUILD],
                         cwd=root, env=env, capture_output=True, text=True).stdout
    variables, rules = {}, {}
    for line in out.splitlines():
        m = re.match(r"^([A-Z_]+) :?= (.*)$", line)
        if m:
            variables[m.group(1)] = m.group(2)
            continue
        m = re.match(r"^(" + re.escape(FAKE_BUILD) + r"/[^ :]+): ?(.*)$", line)
        # "TARGET: VAR += ..." is a target-specific variable, not a rule.
        if m and not line.startswith("\t") and not re.match(r"^[A-Za-z_]+ *[+:?]?= ", m.group(2)):
            rules.setdefault(m.group(1), []).extend(m.group(2).split())
    if not variables.get("INSTALL_BIN"):
        raise SystemExit("audit: make's database has no INSTALL_BIN (is %s Bulkhead's tree?)" % root)
    return variables, rules
