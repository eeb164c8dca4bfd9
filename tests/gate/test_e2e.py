#!/usr/bin/env python3
"""End to end: `cancelflow test` on the committed fixture module
tests/gate/testmod (not instrumented; see its README): exit statuses, the
streamed go test lines, attribution to tests and subtests, the JUnit
structure (as gotestsum), SARIF against the OASIS schema, the metrics file
(promtool check metrics), --keep-traces, and `check` on the kept traces.

usage: test_e2e.py CANCELFLOW_BIN SOURCE_DIR OUT_DIR
"""
import json
import re
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks  # noqa: E402
import xml.etree.ElementTree as ET

MOD = "example.com/cftest"
checks = Checks("test_e2e")
expect = checks.expect




def run(cmd, cwd, env=None):
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    print(f"$ {' '.join(cmd)}  -> {p.returncode}\n{p.stdout}{p.stderr}")
    return p


def junit_cases(path):
    root = ET.parse(path).getroot()
    suites = {}
    for suite in root.iter("testsuite"):
        cases = {}
        for c in suite.iter("testcase"):
            expect(c.get("classname") == suite.get("name"), f"{path}: classname {c.get('classname')} in suite {suite.get('name')}")
            f = c.find("failure")
            state = "skip" if c.find("skipped") is not None else "pass"
            if f is not None:
                state = f.get("type")
            cases[c.get("name")] = state
        suites[suite.get("name")] = cases
    return suites


def main(argv):
    bin_, src, out = os.path.realpath(argv[1]), argv[2], os.path.realpath(argv[3])
    here = os.path.join(src, "tests", "gate")
    py = sys.executable
    shutil.rmtree(out, ignore_errors=True)
    mod = os.path.join(out, "mod")
    shutil.copytree(os.path.join(here, "testmod"), mod)
    env = dict(os.environ, GOFLAGS="-mod=mod", GITHUB_ACTIONS="")

    # 1. The whole module: a test fails and findings fail the gate -> 1.
    files = {k: os.path.join(out, v) for k, v in
             dict(junit="junit.xml", sarif="out.sarif", metrics="metrics.txt", json="out.json").items()}
    traces = os.path.join(out, "traces")
    p = run([bin_, "test", "--junit", files["junit"], "--sarif", files["sarif"], "--metrics", files["metrics"],
             "--json", files["json"], "--keep-traces", traces, "--", "-count=1"], mod, env)
    expect(p.returncode == 1, f"exit status {p.returncode}, want 1")
    for line in [f"?   \t{MOD}/notests\t[no test files]", f"?   \t{MOD}/tagged\t[no test files]", f"ok  \t{MOD}/clean\t", f"FAIL\t{MOD}/failing\t",
                 f"ok  \t{MOD}/leak\t", "--- FAIL: TestFails", "intentional failure", f"FAIL\t{MOD}/crash\t",
                 "panic: intentional panic", f"FAIL\t{MOD}/exits\t"]:
        expect(line in p.stdout, f"stdout lacks {line!r}")
    expect("intentional skip" not in p.stdout, "output of a passing package printed")
    expect("packages tested" not in p.stderr, "progress printed although stderr is not a terminal")

    # JUnit: one suite per package with tests, named by import path; Go results; findings on their tests.
    expect(subprocess.run([py, os.path.join(src, "tests", "report", "validate_junit.py"), files["junit"]]).returncode == 0,
           "JUnit structure")
    suites = junit_cases(files["junit"])
    expect(sorted(suites) == [f"{MOD}/clean", f"{MOD}/crash", f"{MOD}/exits", f"{MOD}/failing", f"{MOD}/leak"], f"suites {sorted(suites)}")
    want = {
        f"{MOD}/clean": {"TestFetch": "pass"},
        # The test binary dies in TestPanics: a test failure (exit 1, not 2), its tests still reported.
        f"{MOD}/crash": {"TestBeforeCrash": "pass", "TestPanics": "go test"},
        # os.Exit in a test: no trace at all; still a test failure with its tests reported.
        f"{MOD}/exits": {"TestOK": "pass", "TestExit": "go test"},
        f"{MOD}/failing": {"TestPasses": "pass", "TestFails": "go test", "TestSkips": "skip"},
        f"{MOD}/leak": {"TestLeak": "leaked-goroutine", "TestParallel": "subtest",
                        "TestParallel/fine": "pass", "TestParallel/leaks": "leaked-goroutine"},
    }
    for suite, cases in want.items():
        expect(suites.get(suite) == cases, f"{suite}: testcases {suites.get(suite)}, want {cases}")

    # SARIF against the OASIS schema; the finding located in the fixture.
    expect(subprocess.run([py, os.path.join(src, "tests", "report", "validate_sarif.py"),
                           os.path.join(src, "tests", "schemas", "sarif-schema-2.1.0.json"), files["sarif"]]).returncode == 0,
           "SARIF schema")
    sarif = json.load(open(files["sarif"]))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    expect(uris == {"leak/leak.go"}, f"SARIF locations {uris}")

    # Metrics: promtool accepts them (and rejects a broken copy: the check can fail).
    expect(subprocess.run(["promtool", "check", "metrics"], stdin=open(files["metrics"])).returncode == 0,
           "promtool check metrics")
    broken = open(files["metrics"]).read().replace("# TYPE cancelflow_findings gauge", "# TYPE cancelflow_findings gauge\n# TYPE cancelflow_findings counter")
    expect(subprocess.run(["promtool", "check", "metrics"], input=broken, text=True).returncode != 0,
           "promtool accepted a metrics file with a duplicate TYPE line")
    metrics = open(files["metrics"]).read()
    for series in [f'cancelflow_findings{{package="{MOD}/leak",test="TestLeak",rule="leaked-goroutine",severity="error",gating="true"}} 1',
                   f'cancelflow_findings{{package="{MOD}/leak",test="TestParallel/leaks",rule="leaked-goroutine",severity="error",gating="true"}} 1',
                   "cancelflow_failing_findings 1",
                   f'cancelflow_tests{{package="{MOD}/failing",result="fail"}} 1',
                   f'cancelflow_cancel_response_seconds_count{{package="{MOD}/leak",test="TestParallel/fine"}}']:
        expect(series in metrics, f"metrics lack {series}")
    expect(metrics.endswith("# EOF\n"), "metrics do not end with # EOF")
    doc = json.load(open(files["json"]))
    expect([t["package"] for t in doc["traces"]] == [f"{MOD}/clean", f"{MOD}/crash", f"{MOD}/exits", f"{MOD}/failing",
                                                   f"{MOD}/leak"], "JSON packages")

    # --keep-traces: one trace per package, named by import path.
    # (The testing package stops its trace when a test panics, so crash has one too.)
    exits = os.path.join(traces, "example.com_cftest_exits.trace")
    if os.path.exists(exits):
        os.remove(exits)  # empty or cut short: check rightly calls that an error (exit 2)
    kept = sorted(f for f in os.listdir(traces) if f.endswith(".trace"))
    expect(kept == ["example.com_cftest_clean.trace", "example.com_cftest_crash.trace", "example.com_cftest_failing.trace",
                    "example.com_cftest_leak.trace"], f"kept traces {kept}")
    # The test binaries came from one `go test -c` and ran directly (their raw output is kept beside the
    # traces), not from one `go test` per package (whose -json output would be).
    outputs = sorted(f for f in os.listdir(traces) if f.endswith((".output", ".json")))
    expect(outputs == [f"example.com_cftest_{p}.output" for p in ("clean", "crash", "exits", "failing", "leak")],
           f"packages not run from the shared build: {outputs}")

    # 2. check on the kept traces, whatever their extension: the suite is named by the import path
    #    from the test functions' frames; without the RUN order, the top-level test.
    #    The leak profile kept beside the trace goes with it (leak.out -> leak.goroutineleak): the leak of
    #    the last test, blocked when its binary ended, is proven by it (by timing alone it is only likely).
    os.rename(os.path.join(traces, "example.com_cftest_leak.trace"), os.path.join(traces, "leak.out"))
    os.rename(os.path.join(traces, "example.com_cftest_leak.goroutineleak"), os.path.join(traces, "leak.goroutineleak"))
    cj = os.path.join(out, "check.xml")
    p = run([bin_, "check", traces, "--junit", cj], mod, env)
    expect(p.returncode == 1, f"check exit status {p.returncode}, want 1")
    suites = junit_cases(cj)
    expect(suites.get(f"{MOD}/leak", {}).get("TestLeak") == "leaked-goroutine", f"check JUnit {suites}")

    # 3. A clean package alone -> 0; no traces left behind without --keep-traces.
    tmp = os.path.join(out, "tmp")
    os.makedirs(tmp)
    p = run([bin_, "test", "./clean"], mod, dict(env, TMPDIR=tmp))
    expect(p.returncode == 0, f"clean: exit status {p.returncode}, want 0")
    expect(os.listdir(tmp) == [], f"temporary traces left: {os.listdir(tmp)}")

    # Build tags after -- reach go list too: the tagged package's tests exist only with them.
    p = run([bin_, "test", "./tagged", "--", "-tags", "cftag"], mod, env)
    expect(p.returncode == 0 and f"ok  \t{MOD}/tagged\t" in p.stdout, "-- -tags cftag: the tagged tests did not run")

    # 4. A build failure -> 2 with go's message; go missing -> 2.
    os.makedirs(os.path.join(mod, "broken"))
    with open(os.path.join(mod, "broken", "broken_test.go"), "w") as f:
        f.write("package broken\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) { undefinedThing() }\n")
    p = run([bin_, "test", "./broken", "./clean"], mod, env)
    expect(p.returncode == 2, f"build failure: exit status {p.returncode}, want 2")
    expect("undefined: undefinedThing" in p.stderr, "build failure: go's message missing")
    expect(f"ok  \t{MOD}/clean" in p.stdout, "build failure: the other package did not run")
    # Test flags reach the binaries as -test.* flags: -run leaves out the failing test.
    p = run([bin_, "test", "./failing", "--", "-run", "TestPasses|TestSkips", "-count=1", "-v"], mod, env)
    expect(p.returncode == 0 and f"ok  \t{MOD}/failing\t" in p.stdout, "-- -run: the failing test ran")
    # Two packages whose test binaries share a name (clean.test), and a flag go test must handle itself
    # (-cover): those run under go test, with the same results.
    os.makedirs(os.path.join(mod, "sub", "clean"))
    with open(os.path.join(mod, "sub", "clean", "clean_test.go"), "w") as f:
        f.write("package clean\n\nimport \"testing\"\n\nfunc TestOther(t *testing.T) {}\n")
    for extra in ([], ["--", "-cover"]):
        p = run([bin_, "test", "./clean", "./sub/clean"] + extra, mod, env)
        expect(p.returncode == 0 and f"ok  \t{MOD}/clean\t" in p.stdout and f"ok  \t{MOD}/sub/clean\t" in p.stdout,
               f"two clean.test packages {extra}: exit {p.returncode}")
    p = run([bin_, "test"], mod, dict(env, PATH="/nonexistent"))
    expect(p.returncode == 2 and p.stderr.startswith("cancelflow: cannot run go"), "go missing")

    # 5. On a terminal (script gives a pty), a run longer than a second shows packages done of the total.
    if shutil.which("script"):
        p = run(["script", "-qec", f"'{bin_}' test ./leak ./clean -- -count=12", "/dev/null"], mod, env)
        expect(re.search(r"cancelflow: [01]/2 packages tested", p.stdout), "no progress on a terminal")

    return checks.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
