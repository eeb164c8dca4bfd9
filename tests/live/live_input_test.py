#!/usr/bin/env python3
"""Live input end to end: `cancelflow analyze|html|check URL` on a running Go
service (tests/live/liveserver, net/http/pprof on loopback) with a planted leak
and an ignored cancellation, and the error cases.

Checks:
  - analyze --seconds 1 --json URL: the planted leak is a leaked-goroutine
    finding `proven` by the service's leak profile (joined), the ignored
    cancellation is found, the run takes about 1 s (printed), the report's
    trace path is the URL; --keep-trace writes the trace (a Go trace that
    analyzes as a file);
  - html -o FILE URL and check --json FILE URL work (check exits 1: findings);
  - a service without the leak profile (built without the GOEXPERIMENT):
    analyzed on trace evidence, the report says why there is no profile;
  - errors (exit 2, one line on stderr naming the URL, no --json/--html/
    --keep-trace file left): a refused port, a server slower than --timeout,
    HTTP 500 (status in the message), a body that is not a trace, a 404 on
    the trace ("is net/http/pprof registered?").

usage: live_input_test.py CANCELFLOW_BIN OUT_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import time

from livelib import Expect, FakePprof, Server, build_servers, free_port

expect = Expect("live_input")


def run(bin_, *args, timeout=60):
    t0 = time.monotonic()
    p = subprocess.run([bin_, *args], capture_output=True, text=True, timeout=timeout)
    return p, time.monotonic() - t0


def main(argv):
    bin_, out = os.path.realpath(argv[1]), os.path.realpath(argv[2])
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    with_profile, without_profile = build_servers(os.path.join(os.path.dirname(out), "liveserver-bin"))

    with Server(with_profile, "-leak", "-ignore") as srv:
        time.sleep(0.3)  # some leaks exist before the window
        kept = os.path.join(out, "kept.trace")
        p, secs = run(bin_, "analyze", "--seconds", "1", "--json", "--keep-trace", kept, srv.url)
        print(f"live_input: analyze --seconds 1 {srv.url}: exit {p.returncode} in {secs:.2f} s")
        expect(p.returncode == 0, f"analyze exit {p.returncode}: {p.stderr}")
        expect(secs < 3.0, f"analyze --seconds 1 took {secs:.2f} s")
        doc = json.loads(p.stdout or "{}")
        lp = doc.get("data_quality", {}).get("leak_profile") or {}
        expect(lp.get("leaked_joined", 0) > 0, f"leak profile not joined: {lp}")
        expect(doc.get("data_quality", {}).get("leak_profile_missing") is None, "profile said missing")
        leaks = [f for f in doc.get("findings", []) if f["rule"] == "leaked-goroutine"]
        expect(any(f["certainty"] == "proven" and "leakyFetch" in json.dumps(f) for f in leaks),
               f"no proven leak at leakyFetch: {[(f['rule'], f['certainty']) for f in leaks]}")
        expect(any(f["rule"] == "ignored-cancel" and "exportWorker" in json.dumps(f) for f in doc.get("findings", [])),
               "the ignored cancellation at exportWorker was not found")
        expect(srv.url in json.dumps(doc.get("trace", doc.get("input", ""))) or srv.url in p.stdout,
               "the report does not name the URL")
        expect(os.path.exists(kept) and open(kept, "rb").read(5) == b"go 1.", "--keep-trace wrote no trace")
        expect(not [f for f in os.listdir(out) if ".tmp-" in f], "a temporary file was left")
        p, _ = run(bin_, "analyze", "--no-leak-profile", kept)
        expect(p.returncode == 0 and "leaked-goroutine" in p.stdout, f"the kept trace does not analyze: {p.stderr}")

        html = os.path.join(out, "live.html")
        p, secs = run(bin_, "html", "--seconds", "1", "-o", html, srv.url)
        expect(p.returncode == 0 and os.path.getsize(html) > 1000, f"html exit {p.returncode}: {p.stderr}")
        expect(os.path.exists(html) and "leakyFetch" in open(html, encoding="utf-8", errors="replace").read(),
               "the HTML report does not show the leak")
        cj = os.path.join(out, "check.json")
        p, secs = run(bin_, "check", "--seconds", "1", "--json", cj, srv.url)
        expect(p.returncode == 1, f"check exit {p.returncode}, want 1 (findings): {p.stderr}")
        expect(os.path.exists(cj) and "leakyFetch" in open(cj).read(), "check --json lacks the leak")

    with Server(without_profile, "-leak") as srv:
        time.sleep(0.3)
        p, _ = run(bin_, "analyze", "--seconds", "1", "--json", srv.url)
        expect(p.returncode == 0, f"no-profile analyze exit {p.returncode}: {p.stderr}")
        doc = json.loads(p.stdout or "{}")
        dq = doc.get("data_quality", {})
        expect(dq.get("leak_profile") is None, "a profile was joined from a server without one")
        expect("404" in str(dq.get("leak_profile_missing")), f"leak_profile_missing: {dq.get('leak_profile_missing')}")
        expect("no leak profile" in p.stderr, f"stderr does not say so: {p.stderr!r}")
        expect(all(f["certainty"] != "proven" for f in doc.get("findings", [])), "proven without a profile")
        p, _ = run(bin_, "analyze", "--seconds", "1", srv.url)
        expect("leak profile none:" in p.stdout, "the text report does not say there is no profile")

    fake = FakePprof()
    cases = [
        ("refused", f"http://127.0.0.1:{free_port()}/debug/pprof/", ["cannot connect"], []),
        ("timeout", fake.url("slow"), ["timed out"], ["--timeout", "1"]),
        ("500", fake.url("500"), ["HTTP 500", "something broke"], []),
        ("not a trace", fake.url("html"), ["not a Go execution trace"], []),
        ("404", fake.url("404"), ["HTTP 404", "is net/http/pprof registered?"], []),
    ]
    try:
        for name, url, want, extra in cases:
            for cmd in ("analyze", "html", "check"):
                outs = {"keep": os.path.join(out, f"err-{cmd}.trace"), "out": os.path.join(out, f"err-{cmd}.out")}
                args = [cmd, "--seconds", "1", "--keep-trace", outs["keep"], *extra]
                if cmd == "html":
                    args += ["-o", outs["out"]]
                if cmd == "check":
                    args += ["--json", outs["out"], "--sarif", outs["out"] + ".sarif"]
                p, secs = run(bin_, *args, url)
                lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
                if cmd == "check":  # check adds its summary line after the error
                    lines = [ln for ln in lines if not ln.startswith("cancelflow check:")]
                expect(p.returncode == 2, f"{name} {cmd}: exit {p.returncode}, want 2")
                expect(len(lines) == 1, f"{name} {cmd}: {len(lines)} stderr lines: {p.stderr!r}")
                expect(all(w in p.stderr for w in want) and url.split("/debug")[0] in p.stderr,
                       f"{name} {cmd}: stderr {p.stderr!r} lacks {want} or the URL")
                expect(cmd == "check" or p.stdout == "", f"{name} {cmd}: wrote stdout {p.stdout[:100]!r}")
                left = [f for f in os.listdir(out) if f.startswith("err-")]
                if cmd == "check":  # check writes its (empty) reports for what it could analyze, as for a bad file
                    left = [f for f in left if not f.startswith("err-check.out")]
                expect(not left, f"{name} {cmd}: left {left}")
                for f in os.listdir(out):
                    if f.startswith("err-"):
                        os.remove(os.path.join(out, f))
                if name == "timeout":
                    expect(secs < 1 + 1 + 3, f"timeout case took {secs:.1f} s")
                print(f"live_input: {name} {cmd}: exit {p.returncode} in {secs:.2f} s: {lines[-1] if lines else ''}")
    finally:
        fake.close()
    return expect.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
