#!/usr/bin/env python3
"""Every command's peak memory and output size on adversarial trace shapes (issue 14).

    check_bounds.py CANCELFLOW TRACE...

For each trace, runs analyze, analyze --json, html, perfetto, pprof and check,
and measures each process's peak RSS with wait4 (the kernel's ru_maxrss of
that child alone). Fails when a peak exceeds 512 MB, the HTML file 16 MB or
the Perfetto file 64 MB, or a command fails (exit other than 0, or 1 for
findings). Prints one line per run with time, RSS and output size.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

MAX_RSS_MB = 512
MAX_HTML = 16 << 20
MAX_PERFETTO = 64 << 20

cancelflow, traces = sys.argv[1], sys.argv[2:]
failures = []


def measure(args, stdout_path):
    # analyze --json streams about 1 GB on these shapes: its size is not bounded (it is the data), its memory is.
    if stdout_path is None:
        stdout_path = os.devnull
    with open(stdout_path, "wb") as out:
        start = time.monotonic()
        p = subprocess.Popen([cancelflow] + args, stdout=out, stderr=subprocess.PIPE)
        err = p.stderr.read()
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        return p.returncode, ru.ru_maxrss / 1024.0, time.monotonic() - start, err


with tempfile.TemporaryDirectory() as tmp:
    for trace in traces:
        name = os.path.basename(trace)
        outputs = {"html": os.path.join(tmp, "r.html"), "perfetto": os.path.join(tmp, "r.pftrace"),
                   "pprof": os.path.join(tmp, "r.pb.gz")}
        runs = [("analyze", ["analyze", trace], None), ("analyze --json", ["analyze", "--json", trace], None),
                ("html", ["html", trace, "-o", outputs["html"]], outputs["html"]),
                ("perfetto", ["perfetto", trace, "-o", outputs["perfetto"]], outputs["perfetto"]),
                ("pprof", ["pprof", trace, "-o", outputs["pprof"]], outputs["pprof"]),
                ("check", ["check", trace], None)]
        for what, args, out_file in runs:
            stdout_path = None if what == "analyze --json" else os.path.join(tmp, "stdout")
            rc, rss, secs, err = measure(args, stdout_path)
            size = os.path.getsize(out_file or stdout_path) if (out_file or stdout_path) else 0
            shown = f"{size / 1e6:8.2f} MB" if stdout_path or out_file else "(streamed)"
            print(f"{name:24} {what:15} exit {rc}  {secs:6.2f} s  peak RSS {rss:7.1f} MB  output {shown}", flush=True)
            if rc not in (0, 1):
                failures.append(f"{name}: {what} exit {rc}: {err[-300:]!r}")
            if rss > MAX_RSS_MB:
                failures.append(f"{name}: {what} peak RSS {rss:.0f} MB > {MAX_RSS_MB} MB")
            if what == "html" and size > MAX_HTML:
                failures.append(f"{name}: HTML {size} bytes > 16 MB")
            if what == "perfetto" and size > MAX_PERFETTO:
                failures.append(f"{name}: Perfetto {size} bytes > 64 MB")
            # Each cap that is hit is said: every shape hits one of the Perfetto caps (tracks, cancels, bytes),
            # and the HTML data says what it left out when there are more cancellations than the page lists.
            if what == "perfetto" and rc in (0, 1):
                with open(stdout_path, "rb") as f:
                    if b"caps hit:" not in f.read():
                        failures.append(f"{name}: perfetto hit a cap but its summary line does not say so")
            if what == "html" and rc in (0, 1):
                with open(out_file, "rb") as f:
                    page = f.read()
                start = page.find(b'id="cf-data">') + len(b'id="cf-data">')
                data = json.loads(page[start:page.find(b"</script>", start)])
                if data["summary"]["cancellations"] > len(data["cancellations"]) and "truncated" not in data:
                    failures.append(f"{name}: the HTML data left cancellations out without saying so")

if failures:
    print("FAIL bounds:", file=sys.stderr)
    for f in failures:
        print("  " + f, file=sys.stderr)
    sys.exit(1)
print("ok: every command within 512 MB, HTML within 16 MB, Perfetto within 64 MB")
