#!/usr/bin/env python3
"""Side-by-side wall time of `cancelflow test ./... -- -count=1` and
`go test -count=1 ./...` on a third-party module's own test suite, fetched
from the module proxy (issue 15, item 6). Runs are interleaved (go, cancelflow,
go, cancelflow, ...) after one warm-up of each, so build-cache state and
machine noise hit both alike. A measurement, not a test: nothing asserts.

usage: bench/test_overhead.py CANCELFLOW_BIN [MODULE@VERSION] [RUNS]
       default github.com/sourcegraph/conc@v0.3.0 (pools and streams with contexts; five small test
       packages, so the per-package cost of the go command shows), 7 runs. Also measured:
       golang.org/x/sync@v0.25.0 (errgroup, semaphore), github.com/jackc/puddle/v2@v2.2.3.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd, cwd):
    t = time.monotonic()
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return time.monotonic() - t, p.returncode, p.stderr


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cf = os.path.realpath(argv[1])
    mod = argv[2] if len(argv) > 2 else "github.com/sourcegraph/conc@v0.3.0"
    runs = int(argv[3]) if len(argv) > 3 else 7
    info = json.loads(subprocess.check_output(["go", "mod", "download", "-json", mod]))
    work = tempfile.mkdtemp(prefix="cf-overhead-")
    try:
        src = os.path.join(work, "mod")
        shutil.copytree(info["Dir"], src)
        for root, dirs, files in os.walk(src):  # the module cache is read-only
            os.chmod(root, 0o755)
            for f in files:
                os.chmod(os.path.join(root, f), 0o644)
        subprocess.run(["go", "mod", "download"], cwd=src, check=True)
        go = ["go", "test", "-count=1", "./..."]
        cft = [cf, "test", "-q", "./...", "--", "-count=1"]
        for cmd in (go, cft):  # warm the build cache
            t, rc, err = timed(cmd, src)
            print(f"warm-up {cmd[0]} {cmd[1]}: {t:.2f} s, exit {rc}")
            if rc not in (0, 1):
                sys.stderr.write(err)
                return 1
        tg, tc = [], []
        for i in range(runs):
            t, _, _ = timed(go, src)
            tg.append(t)
            t, _, _ = timed(cft, src)
            tc.append(t)
            print(f"run {i + 1}: go test {tg[-1]:.2f} s, cancelflow test {tc[-1]:.2f} s")
        mg, mc = statistics.median(tg), statistics.median(tc)
        print(f"\n{info['Path']}@{info['Version']}, {runs} interleaved runs, {os.cpu_count()} CPUs")
        print(f"go test -count=1 ./...                    min {min(tg):.2f} s  median {mg:.2f} s")
        print(f"cancelflow test ./... -- -count=1         min {min(tc):.2f} s  median {mc:.2f} s")
        print(f"ratio (median / median): {mc / mg:.2f}x   (min / min: {min(tc) / min(tg):.2f}x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
