#!/usr/bin/env python3
"""`cancelflow test` prints what `go test` prints: both run on the fixture module
tests/gate/fidelity (failing, skipping, parallel, panicking tests, subtests, logs,
os.Exit, a timeout), without and with -v, and their stdout is compared line by
line, as are the per-package outputs cancelflow keeps (--keep-traces).

Normalized on both sides, and nothing else:
  - durations: "(0.00s)" in reports and the timeout's running-tests list, the
    time on "ok"/"FAIL" package lines, a benchmark's ns/op (with its padding);
  - in tracebacks, the hex numbers (argument words, PCs, offsets) and goroutine
    ids, which differ between two runs of go test itself;
  - cancelflow's own lines, dropped from its output: "    cancelflow: " under a
    package (findings) and "cancelflow: " (the findings summary).

usage: fidelity.py CANCELFLOW_BIN SOURCE_DIR OUT_DIR
"""
import difflib
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks  # noqa: E402

checks = Checks("fidelity")
expect = checks.expect
OWN = re.compile(r"^(    )?cancelflow: ")
NORMALIZE = [
    (re.compile(r"\((\d+(\.\d+)?(ns|µs|ms|s|m|h))+\)"), "(D)"),
    (re.compile(r"^(ok  |FAIL)\t(\S+)\t\d+\.\d+s"), r"\1\t\2\tD"),
    (re.compile(r"0x[0-9a-f]+\??"), "0x?"),
    (re.compile(r"goroutine \d+"), "goroutine N"),
    (re.compile(r" +\d+(\.\d+)? ns/op"), " T ns/op"),  # right-aligned: the padding moves with the digits
]


def normalize(text, own):
    out = []
    for line in text.splitlines():
        if own and OWN.match(line):
            continue
        for pattern, repl in NORMALIZE:
            line = pattern.sub(repl, line)
        out.append(line)
    return out




def run(cmd, cwd, env):
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    print(f"$ {' '.join(cmd)}  -> {p.returncode}")
    return p


def compare(what, want, got):
    if want == got:
        return True
    diff = "\n".join(difflib.unified_diff(want, got, "go test", "cancelflow test", lineterm=""))
    expect(False, f"{what}: output differs from go test's:\n{diff}")
    return False


def package_blocks(lines):
    """go test's output split per package: each block ends with its ok/FAIL/? line."""
    blocks, cur = {}, []
    for line in lines:
        cur.append(line)
        m = re.match(r"^(ok  |FAIL|\?   )\t(\S+)(\t|$| )", line)
        if m:
            blocks[m.group(2)] = cur
            cur = []
    return blocks


def main(argv):
    bin_, src, out = os.path.realpath(argv[1]), argv[2], os.path.realpath(argv[3])
    shutil.rmtree(out, ignore_errors=True)
    mod = os.path.join(out, "mod")
    shutil.copytree(os.path.join(src, "tests", "gate", "fidelity"), mod)
    env = dict(os.environ, GOFLAGS="-mod=mod", GITHUB_ACTIONS="", GOTOOLCHAIN="local")

    cases = [
        ("./...", ["./..."], ["-count=1"]),
        ("./... -v", ["./..."], ["-count=1", "-v"]),
        # Alone, with a short -timeout (the package's test sleeps a minute).
        ("timeout", ["./timeout"], ["-count=1", "-tags", "fidelity_timeout", "-timeout=1s"]),
        ("timeout -v", ["./timeout"], ["-count=1", "-tags", "fidelity_timeout", "-timeout=1s", "-v"]),
        # Benchmarks: go test streams the output, so a passing package's lines show too.
        ("bench", ["./pass", "./fail"], ["-count=1", "-run=^$", "-bench=.", "-benchtime=100x"]),
        ("bench -v", ["./pass", "./fail"], ["-count=1", "-run=^$", "-bench=.", "-benchtime=100x", "-v"]),
    ]
    for name, pkgs, flags in cases:
        kept = os.path.join(out, "kept-" + re.sub(r"\W+", "_", name))
        g = run(["go", "test"] + flags + pkgs, mod, env)
        c = run([bin_, "test", "--keep-traces", kept] + pkgs + ["--"] + flags, mod, env)
        rc = 0 if name.startswith("bench") else 1
        expect(g.returncode == rc and c.returncode == rc, f"{name}: exit {c.returncode} (go test {g.returncode}), want {rc}")
        want, got = normalize(g.stdout, False), normalize(c.stdout, True)
        # The comparison has something to compare: failures, and with -v every test's lines.
        failure = ("panic: test timed out after 1s" if name.startswith("timeout") else
                   "BenchmarkDouble-" if name.startswith("bench") else "--- FAIL: ")
        expect(any(l.startswith(failure) for l in want), f"{name}: go test printed no {failure!r}")
        if "-v" in flags and not name.startswith("bench"):
            expect(any(l.startswith("=== RUN   ") for l in want), f"{name}: go test -v printed no === RUN")
        compare(name, want, got)
        # What cancelflow keeps per package is what go test showed for it.
        for pkg, block in package_blocks(want).items():
            if block[-1].startswith("?"):
                continue
            path = os.path.join(kept, pkg.replace("/", "_") + ".output")
            if not os.path.exists(path):
                expect(False, f"{name}: no kept output {path}")
                continue
            raw = open(path, encoding="utf-8", errors="replace").read()
            expect("\x16" not in raw, f"{name}: {path} holds test2json's ^V markers")
            compare(f"{name}: kept {os.path.basename(path)}", block, normalize(raw, False))

    return checks.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
