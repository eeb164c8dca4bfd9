#!/usr/bin/env python3
"""End to end: `cancelflow test` collects the runtime's goroutine leak profile
from every test binary of the committed fixture module tests/gate/leakprofmod
(see its README) without changing it, and the leaks the runtime proves are
`proven` findings attributed to their test or subtest:

  - chanleak (no TestMain, internal test files): TestLeak and the parallel
    subtest TestParallel/leaks each leak a goroutine on a channel send;
  - xonly (no TestMain, external test package only, whose package-level
    names shadow the generated file's imports if it did not rename them);
  - ownhelper (its own TestMain, calling ctxtracetest.RunWithLeakProfile);
  - ownplain (its own TestMain without it): no profile, and the report says so;
  - examples (a runnable example, which runs on the main goroutine and prints
    who called M.Run): no TestMain added, so it passes; no profile, said so;
  - hang (-tags leakprof_hang): a test still running at -timeout: its trace is
    complete and its leaked worker proven all the same.

Also: the user's GOEXPERIMENT is kept (a test file built only under
goexperiment.jsonv2 runs), --no-leak-profile and nogoroutineleakprofile turn
collection off, what go test prints is what cancelflow test prints (ok lines),
the kept directory holds each profile beside its trace, and, when the Go
1.27.3 toolchain is in the module cache (it is not downloaded here: CI
machines may have no proxy), the same on Go 1.27 without GOEXPERIMENT.

usage: test_leakprofile.py CANCELFLOW_BIN SOURCE_DIR OUT_DIR
"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks  # noqa: E402

MOD = "example.com/cfleak"
checks = Checks("test_leakprofile")
expect = checks.expect


def run(cmd, cwd, env):
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    print(f"$ {' '.join(cmd)}  -> {p.returncode}\n{p.stdout}{p.stderr}")
    return p


def findings(doc):
    """(package, start_func) -> finding, from cancelflow's --json report."""
    out = {}
    for t in doc["traces"]:
        for f in t["analysis"]["findings"]:
            if f["rule"] == "leaked-goroutine":
                out[(t["package"].removeprefix(MOD + "/"), f["start_func"].removeprefix(MOD + "/"))] = f
    return out


def profiles(doc):
    return {t["package"].removeprefix(MOD + "/"): t["analysis"]["data_quality"].get("leak_profile") for t in doc["traces"]}


def check_run(label, bin_, mod, env, out):
    traces = os.path.join(out, f"traces-{label}")
    js = os.path.join(out, f"{label}.json")
    p = run([bin_, "test", "--keep-traces", traces, "--json", js, "--", "-count=1"], mod, env)
    expect(p.returncode == 1, f"{label}: exit status {p.returncode}, want 1 (the leaks fail the gate)")
    for pkg in ("chanleak", "examples", "ownhelper", "ownplain", "xonly"):
        expect(f"ok  \t{MOD}/{pkg}\t" in p.stdout, f"{label}: no ok line for {pkg}")
    doc = json.load(open(js))
    got = findings(doc)
    want = {
        ("chanleak", "chanleak.produce"): ("proven", ["TestLeak"]),
        # The parallel subtest's leak is its own, through the trace's creator chain.
        ("chanleak", "chanleak.Serve.func1"): ("proven", ["TestParallel/leaks"]),
        ("xonly", "xonly.Notify.func1"): ("proven", ["TestAbandon"]),
        ("ownhelper", "ownhelper.Wait.func1"): ("proven", ["TestWait"]),
        # No profile: the trace's evidence only (certain or likely by timing), never proven.
        ("ownplain", "ownplain.Wait.func1"): (None, ["TestWait"]),
    }
    for key, (certainty, tests) in want.items():
        f = got.get(key)
        expect(f is not None, f"{label}: no leaked-goroutine finding for {key}; got {sorted(got)}")
        if f:
            if certainty:
                expect(f["certainty"] == certainty, f"{label}: {key} is {f['certainty']}, want {certainty}")
            else:
                expect(f["certainty"] != "proven", f"{label}: {key} is proven without a profile")
            expect(f["tests"] == tests, f"{label}: {key} attributed to {f['tests']}, want {tests}")
    expect(len(got) == len(want), f"{label}: leaked-goroutine findings {sorted(got)}, want {sorted(want)}")
    prof = profiles(doc)
    for pkg in ("chanleak", "xonly", "ownhelper"):
        lp = prof.get(pkg)
        expect(lp is not None and lp["leaked_joined"] >= 1 and lp["form"] == "debug=2",
               f"{label}: {pkg}'s profile not joined: {lp}")
        expect(os.path.isfile(os.path.join(traces, f"example.com_cfleak_{pkg}.goroutineleak")),
               f"{label}: {pkg}'s profile not kept beside its trace")
    expect(prof.get("ownplain") is None, f"{label}: ownplain has a profile: {prof.get('ownplain')}")
    expect(prof.get("examples") is None, f"{label}: examples has a profile: {prof.get('examples')}")
    expect(f"cancelflow test: no leak profile: {MOD}/ownplain: it has its own TestMain; call "
           "ctxtracetest.RunWithLeakProfile(m)" in p.stderr, f"{label}: ownplain's missing profile not reported")
    expect(f"cancelflow test: no leak profile: {MOD}/examples: its examples run on the main goroutine" in p.stderr,
           f"{label}: examples' missing profile not reported")
    expect(p.stderr.count("no leak profile") == 2, f"{label}: other packages reported without a profile")
    # The user's module is unchanged: the overlay's file is not on disk.
    expect(not any(f.startswith("zz_cancelflow") for _, _, fs in os.walk(mod) for f in fs),
           f"{label}: the generated TestMain was written into the module")
    return p


def main(argv):
    bin_, src, out = os.path.realpath(argv[1]), os.path.realpath(argv[2]), os.path.realpath(argv[3])
    shutil.rmtree(out, ignore_errors=True)
    mod = os.path.join(out, "mod")
    shutil.copytree(os.path.join(src, "tests", "gate", "leakprofmod"), mod)
    subprocess.run(["go", "mod", "edit", "-replace", f"github.com/cancelflow/cancelflow/go={os.path.join(src, 'go')}"],
                   cwd=mod, check=True)
    base = dict(os.environ, GOFLAGS="-mod=mod", GITHUB_ACTIONS="")
    base.pop("GOEXPERIMENT", None)

    # 1. The local toolchain (Go 1.26: goroutineleakprofile is added to GOEXPERIMENT).
    version = subprocess.run(["go", "env", "GOVERSION"], cwd=mod, env=base, capture_output=True, text=True).stdout.strip()
    print("local toolchain:", version)
    check_run("local", bin_, mod, base, out)

    # What go test prints, cancelflow test prints (durations aside): the ok lines, in order.
    plain = run(["go", "test", "-count=1", "./..."], mod, base)
    via = run([bin_, "test", "-q", "--", "-count=1"], mod, base)
    strip = lambda s: [line.split("\t")[:2] for line in s.splitlines() if not line.lstrip().startswith("cancelflow: ")]
    expect(strip(plain.stdout) == strip(via.stdout), f"output differs from go test's:\n{plain.stdout}\n{via.stdout}")

    # 2. The user's own GOEXPERIMENT stays: a test built only under goexperiment.jsonv2 runs (Go 1.26 has
    #    that experiment), and the leak profile is still collected.
    if version.startswith("go1.26"):
        p = run([bin_, "test", "--json", os.path.join(out, "jsonv2.json"), "./chanleak", "--", "-count=1", "-v",
                 "-run", "TestJSONv2|TestLeak"], mod, dict(base, GOEXPERIMENT="jsonv2"))
        expect("--- PASS: TestJSONv2" in p.stdout, "GOEXPERIMENT=jsonv2 was not kept: TestJSONv2 did not run")
        lp = profiles(json.load(open(os.path.join(out, "jsonv2.json")))).get("chanleak")
        expect(lp is not None and lp["leaked_joined"] == 1, f"GOEXPERIMENT=jsonv2: profile {lp}")

    # A test binary stopped by -timeout: the generated TestMain writes the profile and stops the trace just
    # before testing's alarm ends the process, so the trace is complete and the leak proven at the timeout.
    js = os.path.join(out, "hang.json")
    p = run([bin_, "test", "--json", js, "./hang", "--", "-count=1", "-tags", "leakprof_hang", "-timeout=2s"], mod, base)
    expect(p.returncode == 1 and "panic: test timed out after 2s" in p.stdout, "hang: want go test's timeout failure")
    doc = json.load(open(js))
    quality = doc["traces"][0]["analysis"]["data_quality"]
    expect(not quality.get("partial") and "cut short" not in p.stdout, f"hang: trace cut short: {quality.get('partial')}")
    f = findings(doc).get(("hang", "hang.Start.func1"))
    expect(f is not None and f["certainty"] == "proven" and f["tests"] == ["TestHang"],
           f"hang: want a proven leak of TestHang, got {f and (f['certainty'], f['tests'])}")

    # 3. Collection off: --no-leak-profile; nogoroutineleakprofile (said once); no profile, no overlay.
    for label, args, env, note in [
            ("off-flag", ["--no-leak-profile"], base, None),
            ("off-experiment", [], dict(base, GOEXPERIMENT="nogoroutineleakprofile"), "no leak profile: GOEXPERIMENT")]:
        traces = os.path.join(out, f"traces-{label}")
        js = os.path.join(out, f"{label}.json")
        p = run([bin_, "test", "--keep-traces", traces, "--json", js] + args + ["./chanleak", "--", "-count=1"], mod, env)
        # By timing alone the leaks, blocked less than grace before the binary's end, are likely: warnings.
        expect(p.returncode == 0, f"{label}: exit status {p.returncode}, want 0 (likely leaks only)")
        expect(not any(f.endswith(".goroutineleak") for f in os.listdir(traces)), f"{label}: a profile was written")
        doc = json.load(open(js))
        expect(all(lp is None for lp in profiles(doc).values()), f"{label}: a profile was joined")
        certainties = sorted(f["certainty"] for f in findings(doc).values())
        expect(certainties and set(certainties) == {"likely"}, f"{label}: want likely leaks only, got {certainties}")
        if note:
            expect(p.stderr.count("no leak profile") == 1 and note in p.stderr, f"{label}: want one note {note!r}")
        else:
            expect("no leak profile" not in p.stderr, f"{label}: unexpected note")

    # 4. Go 1.27: the profile is on without GOEXPERIMENT. Only from the module cache (GOPROXY=off).
    probe = subprocess.run(["go", "version"], cwd=mod, env=dict(base, GOTOOLCHAIN="go1.27.3", GOPROXY="off"),
                           capture_output=True, text=True)
    if probe.returncode == 0 and "go1.27.3" in probe.stdout:
        check_run("go1.27.3", bin_, mod, dict(base, GOTOOLCHAIN="go1.27.3", GOPROXY="off"), out)
    else:
        print("SKIP go1.27.3: the toolchain is not in the module cache (GOTOOLCHAIN=go1.27.3 go version fetches it)")

    return checks.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
