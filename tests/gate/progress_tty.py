#!/usr/bin/env python3
"""Progress on a terminal (issue 15, item 7): a command that runs longer than
CANCELFLOW_PROGRESS_AFTER_MS (default 1000) shows one updating status line on
stderr when stderr is a terminal, clears it before exiting, and prints nothing
extra when stderr is not a terminal. stdout never gets any of it.

usage: progress_tty.py CANCELFLOW SOURCE_DIR WORKDIR
"""
import os
import pty
import re
import select
import shutil
import subprocess
import sys

STATUS = re.compile(rb"\r\x1b\[Kcancelflow: ([^\r\n]*)")
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def run(argv, tty, env_extra=None, cwd=None):
    """Runs argv with stderr on a new pty (tty=True) or a pipe; returns (rc, stdout, stderr)."""
    env = dict(os.environ, **(env_extra or {}))
    if not tty:
        p = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return p.returncode, p.stdout, p.stderr
    master, slave = pty.openpty()
    out_r, out_w = os.pipe()
    p = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out_w, stderr=slave)
    os.close(slave)
    os.close(out_w)
    out, err = b"", b""
    fds = [master, out_r]
    while fds:
        ready, _, _ = select.select(fds, [], [], 120)
        if not ready:
            p.kill()
            break
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the pty's other end closed
                chunk = b""
            if not chunk:
                fds.remove(fd)
                os.close(fd)
            elif fd == master:
                err += chunk
            else:
                out += chunk
    return p.wait(), out, err


def main(argv):
    cf, src, work = argv[1], argv[2], argv[3]
    os.makedirs(work, exist_ok=True)
    trace = os.path.join(work, "wake-one.trace")
    if not os.path.exists(trace):  # ~40k cancellations: a few hundred thousand events
        subprocess.run(["go", "run", "./cmd/bounds", "-shape", "wake-one", "-n", "40000", "-o", trace],
                       cwd=os.path.join(src, "tests/corpus/progs"), check=True,
                       env=dict(os.environ, GOTOOLCHAIN="local", GOFLAGS="-mod=mod"))
    now = {"CANCELFLOW_PROGRESS_AFTER_MS": "0"}

    for args in (["analyze", trace], ["html", trace, "-o", os.path.join(work, "r.html")],
                 ["pprof", trace, "-o", os.path.join(work, "r.pb.gz")]):
        name = args[0]
        rc, out, err = run([cf] + args, tty=True, env_extra=now)
        shown = STATUS.findall(err)
        check(rc in (0, 1) and shown and all(re.fullmatch(rb"(timeline: )?\d+ of \d+ MB read", s) for s in shown),
              f"{name} on a terminal shows 'N of M MB read' ({len(shown)} updates, exit {rc}): {shown[-1:]!r}")
        if name == "html":  # and again while it reads the trace a second time for the timeline
            check(any(s.startswith(b"timeline: ") for s in shown), "html shows the timeline's read too")
        check(err.endswith(b"\r\x1b[K"), f"{name} clears its status line before exiting")
        check(b"\r" not in out and b"\x1b" not in out, f"{name}: nothing of it reaches stdout")
        rc, out, err = run([cf] + args, tty=False, env_extra=now)
        check(rc in (0, 1) and not STATUS.search(err) and b"\x1b" not in err,
              f"{name} with stderr not a terminal prints no progress (stderr: {err[:80]!r})")
    # The default: nothing before a second has passed (this trace takes less).
    rc, out, err = run([cf, "analyze", os.path.join(src, "examples/traces/blocked-send.trace")], tty=True)
    check(not STATUS.search(err), "a short command shows no progress")

    # cancelflow test: packages done of the total.
    mod = os.path.join(work, "mod")
    if not os.path.exists(mod):
        shutil.copytree(os.path.join(src, "tests/gate/testmod"), mod)
    rc, out, err = run([cf, "test", "-q", "./..."], tty=True, env_extra=dict(now, GOFLAGS="-mod=mod"), cwd=mod)
    shown = STATUS.findall(err)
    check(rc in (0, 1) and any(re.fullmatch(rb"\d+/\d+ packages tested", s) for s in shown),
          f"cancelflow test on a terminal shows packages done of the total (exit {rc}): {shown[-2:]!r}")
    check(b"\x1b" not in out, "cancelflow test: nothing of it reaches stdout")

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
