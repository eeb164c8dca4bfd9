#!/usr/bin/python3
"""Source lines as evidence (docs/findings.md, "Source lines"): analyzes
leaks.trace (main.go, built with -trimpath) once with the module's source at
hand (the trace inside this module) and once without it (a copy elsewhere).

With the source: waitForShutdown, blocked forever on <-ctx.Done() of
context.Background(), is one detached-context finding (not also a leak) that
says its creator passed context.Background(); pump's select already has a
ctx.Done() case, so its hint is to stop it, not to add one; serve waits in
Accept, so its hint is to close the server, not to set a deadline.
Without the source: waitForShutdown is a proven leaked-goroutine (blocked
forever) and pump gets the wait kind's hint; the Accept hint comes from the
stack and stays.

usage: check.py CANCELFLOW
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))


def findings(cancelflow, trace, cwd):
    p = subprocess.run([cancelflow, "analyze", "--json", trace], capture_output=True, text=True, cwd=cwd,
                       timeout=120)
    if p.returncode not in (0, 1):
        sys.exit("analyze exited %d: %s" % (p.returncode, p.stderr))
    out = {}
    for f in json.loads(p.stdout)["findings"]:
        assert f["start_func"] not in out, "two findings for %s (one bug, one finding)" % f["start_func"]
        out[f["start_func"]] = f
    return out


def main():
    cancelflow = sys.argv[1]
    errors = []

    def expect(cond, what):
        print(("ok   " if cond else "FAIL ") + what)
        if not cond:
            errors.append(what)

    with_src = findings(cancelflow, os.path.join(here, "leaks.trace"), here)
    w = with_src.get("main.waitForShutdown", {})
    expect(w.get("rule") == "detached-context", "with source: waitForShutdown is detached-context")
    expect("context.Background() passed at main.main (main.go:" in w.get("message", ""),
           "with source: it says the creator passed context.Background()")
    expect("<-x.Done()" in w.get("evidence", ""), "with source: the evidence names the source line")
    p = with_src.get("main.pump", {})
    expect(p.get("rule") == "leaked-goroutine" and "already has a ctx.Done() case" in p.get("hint", ""),
           "with source: pump's hint says its select has a Done case already")
    expect("also select on <-ctx.Done()" not in p.get("hint", ""), "with source: pump is not told to add one")
    s = with_src.get("main.serve", {})
    expect("Accept" in s.get("hint", "") and "deadline" not in s.get("hint", ""),
           "serve's hint is to close the server, not a deadline")

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(os.path.join(here, "leaks.trace"), tmp)
        no_src = findings(cancelflow, os.path.join(tmp, "leaks.trace"), tmp)
    w = no_src.get("main.waitForShutdown", {})
    expect(w.get("rule") == "leaked-goroutine" and w.get("certainty") == "proven",
           "without source: waitForShutdown is a proven leak (blocked forever)")
    p = no_src.get("main.pump", {})
    expect("also select on <-ctx.Done()" in p.get("hint", ""), "without source: pump gets the select hint")
    s = no_src.get("main.serve", {})
    expect("Accept" in s.get("hint", ""), "without source: the Accept hint comes from the stack")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
