#!/usr/bin/env python3
"""Drives bulkhead-ask's terminal prompt through a pseudo-terminal for
tests/integration/prompt_tty.sh.  Each case runs the prompt on a fresh
pty (as $BULKHEAD_ASK_TTY, or as the controlling terminal /dev/tty),
answers its questions, and checks the exit status and stdout.
Usage: tty-driver.py PATH-TO-bulkhead-ask.  Exit 0 when every case
passes; otherwise the first failure is printed and the exit is 1."""
import fcntl
import os
import pty
import select
import subprocess
import sys
import termios
import time

ASK = sys.argv[1]
ARGS = ["work", "red", "qubes.Filecopy+", "-", "personal", "vault"]
ARGS_DEF = ["work", "red", "qubes.Filecopy+", "vault", "personal", "vault"]


class Failed(Exception):
    pass


def base_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "BULKHEAD_ASK_TTY", "BULKHEAD_ASK_TIMEOUT", "COLORTERM", "NO_COLOR")}
    env["TERM"] = "dumb"
    env["BULKHEAD_ASK_TIMEOUT"] = "30"
    env.update(extra)
    return env


class Prompt:
    """The prompt on a new pty.  ctty: the pty is its controlling
    terminal (it finds it as /dev/tty); else it gets the slave's path in
    $BULKHEAD_ASK_TTY and has no controlling terminal at all."""

    def __init__(self, args, ctty=False, pretyped=b"", **env):
        self.master, slave = pty.openpty()
        self.seen = b""
        if pretyped:
            os.write(self.master, pretyped)   # typed before the prompt shows
            time.sleep(0.1)
        env = base_env(**env)
        if ctty:
            def setup():
                os.setsid()
                fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            self.p = subprocess.Popen([ASK] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, env=env, preexec_fn=setup, pass_fds=(slave,))
        else:
            env["BULKHEAD_ASK_TTY"] = os.ttyname(slave)
            self.p = subprocess.Popen([ASK] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, env=env, start_new_session=True)
        # The parent keeps the slave open too: with no slave open (before
        # the prompt opens it), reading the master fails with EIO.
        self.slave = slave

    def expect(self, text, timeout=10.0):
        text = text.encode()
        end = time.monotonic() + timeout
        while text not in self.seen:
            left = end - time.monotonic()
            if left <= 0:
                raise Failed("never saw %r; terminal shows %r" % (text, self.seen[-400:]))
            r, _, _ = select.select([self.master], [], [], left)
            if r:
                try:
                    data = os.read(self.master, 4096)
                except OSError:
                    data = b""
                if not data:
                    raise Failed("terminal closed before %r; it showed %r" % (text, self.seen[-400:]))
                self.seen += data
        # Consume up to the match, so the same text can be expected again.
        self.seen = self.seen[self.seen.index(text) + len(text):]
        self.shown = getattr(self, "shown", b"") + text

    def send(self, text):
        os.write(self.master, text.encode())

    def answer(self, question, text):
        self.expect(question)
        time.sleep(0.05)   # after the prompt has flushed its input queue
        self.send(text)

    def finish(self, timeout=10.0):
        try:
            out, err = self.p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.communicate()
            raise Failed("the prompt did not exit")
        self.rest = b""
        while True:
            r, _, _ = select.select([self.master], [], [], 0.05)
            if not r:
                break
            try:
                data = os.read(self.master, 4096)
            except OSError:
                break
            if not data:
                break
            self.rest += data
        os.close(self.master)
        os.close(self.slave)
        return self.p.returncode, out.decode(), err.decode()


def check(name, got, want_rc, want_out):
    rc, out, err = got
    if rc != want_rc or out != want_out:
        raise Failed("%s: exit %d, stdout %r (stderr %r); expected exit %d, stdout %r"
                     % (name, rc, out, err, want_rc, want_out))
    print("ok: %s -> exit %d%s" % (name, rc, ", %r" % out if out else ""))


def allow_cases():
    p = Prompt(ARGS)
    p.answer("Target [1-2, Enter: deny]: ", "2\n")
    p.answer("Scope [1-4, Enter: 1, n: deny]: ", "2\n")
    p.answer("N, calls [2-1000]: ", "7\n")
    p.answer("Allow work -> vault, scope calls:7? [y/N]: ", "y\n")
    check("yes, the next 7 calls", p.finish(), 0, "vault calls:7\n")

    p = Prompt(ARGS, ctty=True)
    p.answer("Target [1-2, Enter: deny]: ", "1\n")
    p.answer("Scope [", "3\n")
    p.answer("T, minutes [1-1440]: ", "30\n")
    p.answer("[y/N]: ", "yes\n")
    check("yes, 30 minutes (on /dev/tty)", p.finish(), 0, "personal minutes:30\n")

    p = Prompt(ARGS_DEF)
    p.answer("Target [1-2, Enter: vault, n: deny]: ", "\n")
    p.answer("Scope [", "4\n")
    p.answer("Allow work -> vault, scope always? [y/N]: ", "y\n")
    check("yes, until revoked, DEFAULT by Enter", p.finish(), 0, "vault always\n")

    p = Prompt(ARGS)
    p.answer("Target [", "1\n")
    p.answer("Scope [", "\n")
    p.answer("Allow work -> personal, scope once? [y/N]: ", "y\n")
    check("yes, this call only (Enter)", p.finish(), 0, "personal once\n")

    # Wrong answers are asked again (at most three times per question).
    p = Prompt(ARGS)
    p.answer("Target [", "3\n")
    p.answer("not an answer here; try again", "")
    p.answer("Target [", "x\n")
    p.answer("Target [", "2\n")
    p.answer("Scope [", "2\n")
    p.answer("N, calls [2-1000]: ", "1\n")
    p.answer("N, calls [2-1000]: ", "1001\n")
    p.answer("N, calls [2-1000]: ", "1000\n")
    p.answer("[y/N]: ", "y\n")
    check("wrong answers asked again, N = 1000", p.finish(), 0, "vault calls:1000\n")


def deny_cases():
    p = Prompt(ARGS)
    p.answer("Target [", "2\n")
    p.answer("Scope [", "1\n")
    p.answer("[y/N]: ", "n\n")
    check("no", p.finish(), 1, "")

    p = Prompt(ARGS_DEF)
    p.answer("Target [", "\n")
    p.answer("Scope [", "4\n")
    p.answer("[y/N]: ", "\n")
    check("Enter at the last question (default: no)", p.finish(), 1, "")

    p = Prompt(ARGS)
    p.expect("Target [1-2, Enter: deny]: ")
    with open("/proc/%d/status" % p.p.pid) as f:
        status = f.read()
    if "Seccomp:\t2" not in status or "NoNewPrivs:\t1" not in status:
        raise Failed("no seccomp filter while asking: %r" % status)
    p.send("\n")
    check("Enter with no DEFAULT (asked under seccomp)", p.finish(), 1, "")

    p = Prompt(ARGS_DEF)
    p.answer("Target [", "n\n")
    check("n at the target", p.finish(), 1, "")

    p = Prompt(ARGS)
    for _ in range(3):
        p.answer("Target [", "0\n")
    check("three wrong answers", p.finish(), 1, "")

    p = Prompt(ARGS)
    p.answer("Target [", "1\n")
    p.answer("Scope [", "3\n")
    p.answer("T, minutes [1-1440]: ", "1441\n")
    p.answer("T, minutes [1-1440]: ", "01\n")
    p.answer("T, minutes [1-1440]: ", "-5\n")
    check("T out of range three times", p.finish(), 1, "")

    # Typed ahead, before the prompt showed: an allow, discarded; then Enter.
    p = Prompt(ARGS, pretyped=b"1\n1\ny\n")
    p.answer("Target [1-2, Enter: deny]: ", "\n")
    check("type-ahead ignored (tcflush)", p.finish(), 1, "")

    p = Prompt(ARGS, BULKHEAD_ASK_TIMEOUT="1")
    p.expect("Target [")
    t = time.monotonic()
    check("no answer within the timeout", p.finish(), 1, "")
    if time.monotonic() - t > 5:
        raise Failed("the timeout took too long")

    p = Prompt(ARGS)
    p.expect("Target [")
    p.send("1")
    os.close(p.master)   # the terminal hangs up mid-answer
    os.close(p.slave)
    out = p.p.communicate(timeout=10)[0].decode()
    rc = p.p.returncode
    if rc != 1 or out:
        raise Failed("hangup: exit %d, stdout %r" % (rc, out))
    print("ok: terminal hung up -> exit 1")


def display_cases():
    p = Prompt(ARGS, TERM="xterm", COLORTERM="truecolor")
    p.expect("From:     ")
    p.expect("\x1b[1;38;2;204;0;0mwork\x1b[0m (label red)")
    p.answer("Target [", "\n")
    check("label in its 24-bit color", p.finish(), 1, "")

    p = Prompt(["w", "blue", "my.Svc+some.arg", "-", "dom0", "@dispvm:dvm"], TERM="xterm")
    p.expect("\x1b[1;34mw\x1b[0m (label blue)")
    p.expect("Service:  my.Svc\r\nArgument: some.arg\r\n")
    p.expect("  1) dom0\r\n  2) @dispvm:dvm\r\n")
    p.answer("Target [", "\n")
    check("label in an ANSI color, service and argument apart", p.finish(), 1, "")

    p = Prompt(ARGS)   # TERM=dumb: not one escape sequence
    p.answer("Target [", "\n")
    rc, out, err = p.finish()
    if b"\x1b" in p.shown + p.seen + p.rest:
        raise Failed("escape sequences on a dumb terminal")
    print("ok: no colors on TERM=dumb")

    p = Prompt(ARGS, DISPLAY=":31999")
    p.answer("Target [", "2\n")
    p.answer("Scope [", "\n")
    p.answer("[y/N]: ", "y\n")
    rc, out, err = p.finish()
    check("no X server on $DISPLAY: asked on the terminal", (rc, out, err), 0, "vault once\n")
    if "asking on the terminal" not in err or err.count("\n") != 1:
        raise Failed("fallback note: %r" % err)


def no_terminal_cases():
    env = base_env()
    r = subprocess.run([ASK] + ARGS, stdin=subprocess.DEVNULL, capture_output=True, env=env,
                       start_new_session=True, timeout=10)
    if r.returncode != 1 or r.stdout or r.stderr.decode().count("\n") != 1 or \
            "no terminal" not in r.stderr.decode():
        raise Failed("no terminal: %r" % (r,))
    print("ok: no terminal -> exit 1, %r" % r.stderr.decode().strip())
    env["BULKHEAD_ASK_TTY"] = "/dev/null"
    r = subprocess.run([ASK] + ARGS, stdin=subprocess.DEVNULL, capture_output=True, env=env,
                       start_new_session=True, timeout=10)
    if r.returncode != 1 or r.stdout or "not a terminal" not in r.stderr.decode():
        raise Failed("not a terminal: %r" % (r,))
    print("ok: BULKHEAD_ASK_TTY=/dev/null -> exit 1, %r" % r.stderr.decode().strip())


try:
    allow_cases()
    deny_cases()
    display_cases()
    no_terminal_cases()
except Failed as e:
    print("FAIL: %s" % e, file=sys.stderr)
    sys.exit(1)
print("all tty cases passed")
