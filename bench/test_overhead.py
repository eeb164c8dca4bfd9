#!/usr/bin/env python3
"""Side-by-side wall time and peak memory of `cancelflow test ./... -- -count=1 [FLAGS]`
and `go test -count=1 [FLAGS] ./...` on a third-party module's own test suite, fetched
from the module proxy (issue 15 item 6, issue 19 item 6). Runs are interleaved (go,
cancelflow[, baseline], go, cancelflow, ...) after one warm-up of each, so build-cache
state and machine noise hit both alike. Peak memory is that of the whole process tree
(the command, go, the compilers and linkers, the test binaries), summed over the tree
every 50 ms from /proc. A measurement, not a test: nothing asserts.

usage: bench/test_overhead.py [--baseline OTHER_CANCELFLOW_BIN] CANCELFLOW_BIN [MODULE@VERSION] [RUNS] [GO TEST FLAGS...]
       default github.com/sourcegraph/conc@v0.3.0 (pools and streams with contexts; five small test
       packages, so the per-package cost of the go command shows), 7 runs. Also measured:
       golang.org/x/net@v0.62.0 with -short (35 test packages, one 99 MB trace: http2),
       golang.org/x/sync@v0.25.0 (errgroup, semaphore), github.com/jackc/puddle/v2@v2.2.3.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def tree_rss_kb(root):
    """The summed VmRSS of `root` and its descendants, from /proc."""
    children, rss = {}, {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            with open(f"/proc/{pid}/statm") as f:
                rss[int(pid)] = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
            children.setdefault(ppid, []).append(int(pid))
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def timed(cmd, cwd):
    """Wall seconds, exit status, stderr and the peak RSS (MB) of the process tree."""
    t = time.monotonic()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def poll():
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_kb(p.pid))
            done.wait(0.05)

    poller = threading.Thread(target=poll)
    poller.start()
    _, err = p.communicate()
    elapsed = time.monotonic() - t
    done.set()
    poller.join()
    return elapsed, p.returncode, err, peak[0] / 1024


def main(argv):
    args = argv[1:]
    baseline = None
    if len(args) >= 2 and args[0] == "--baseline":
        baseline = os.path.realpath(args[1])
        args = args[2:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    cf = os.path.realpath(args[0])
    mod = args[1] if len(args) > 1 else "github.com/sourcegraph/conc@v0.3.0"
    runs = int(args[2]) if len(args) > 2 else 7
    flags = args[3:]
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
        cmds = {"go test": ["go", "test", "-count=1"] + flags + ["./..."],
                "cancelflow test": [cf, "test", "-q", "./...", "--", "-count=1"] + flags}
        if baseline:
            cmds["baseline"] = [baseline, "test", "-q", "./...", "--", "-count=1"] + flags
        for name, cmd in cmds.items():  # warm the build cache
            t, rc, err, mb = timed(cmd, src)
            print(f"warm-up {name}: {t:.2f} s, exit {rc}, peak {mb:.0f} MB", flush=True)
            if rc not in (0, 1):
                sys.stderr.write(err)
                return 1
        wall = {name: [] for name in cmds}
        peak = {name: [] for name in cmds}
        for i in range(runs):
            line = []
            for name, cmd in cmds.items():
                t, _, _, mb = timed(cmd, src)
                wall[name].append(t)
                peak[name].append(mb)
                line.append(f"{name} {t:.2f} s {mb:.0f} MB")
            print(f"run {i + 1}: " + ", ".join(line), flush=True)
        print(f"\n{info['Path']}@{info['Version']} {' '.join(flags)}, {runs} interleaved runs, {os.cpu_count()} CPUs, "
              f"load {os.getloadavg()[0]:.1f}")
        mg = statistics.median(wall["go test"])
        for name in cmds:
            m = statistics.median(wall[name])
            print(f"{name:16} wall min {min(wall[name]):6.2f} s  median {m:6.2f} s  ratio (median/median) {m / mg:.2f}x"
                  f"  (min/min {min(wall[name]) / min(wall['go test']):.2f}x)   peak tree RSS median "
                  f"{statistics.median(peak[name]):.0f} MB, max {max(peak[name]):.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
