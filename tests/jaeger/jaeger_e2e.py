#!/usr/bin/env python3
"""OTLP export into a real Jaeger: `cancelflow test --otlp` on tests/gate/testmod
(./leak ./clean) sent to Jaeger v2 all-in-one (built from
github.com/jaegertracing/jaeger/cmd/jaeger v1.75.0 by scripts/setup.sh, see
tests/jaeger/go.mod), started on loopback ports with jaeger.yaml, then read
back through Jaeger's query API (/api/services, /api/traces): the service,
one trace per package, exactly one span per Go test and subtest parented by
name, the leaking tests' error status, the finding's log with its rule,
fingerprint (SARIF's) and code.* fields, and the cancel.call logs.

usage: jaeger_e2e.py CANCELFLOW_BIN SOURCE_DIR OUT_DIR [JAEGER_BIN]
JAEGER_BIN defaults to $CANCELFLOW_JAEGER, else the cache setup.sh builds into (jaegerlib.py);
exits 77 (skipped) when there is none.
"""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "export"))
from jaegerlib import Jaeger, tags  # noqa: E402
from otlp_receiver import Expect  # noqa: E402

MOD = "example.com/cftest"
SERVICE = "cf-jaeger-e2e"
expect = Expect("jaeger_e2e")


def main(argv):
    bin_, src, out = (os.path.realpath(a) for a in argv[1:4])
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    mod = os.path.join(out, "mod")
    shutil.copytree(os.path.join(src, "tests", "gate", "testmod"), mod)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    with Jaeger(src, out, env, argv[4] if len(argv) > 4 else None) as jaeger:
        if jaeger is None:
            print("jaeger_e2e: skipped")
            return 77
        otlp_port = jaeger.otlp_url.rsplit(":", 1)[1]
        get = jaeger.get

        sarif = os.path.join(out, "out.sarif")
        p = subprocess.run([bin_, "test", "--otlp", f"http://127.0.0.1:{otlp_port}", "--sarif", sarif,
                            "./leak", "./clean", "--", "-count=1"], cwd=mod,
                           env=dict(env, GOFLAGS="-mod=mod", GITHUB_ACTIONS="", OTEL_SERVICE_NAME=SERVICE),
                           capture_output=True, text=True, timeout=300)
        print(f"$ cancelflow test --otlp ... -> {p.returncode}\n{p.stdout}{p.stderr}")
        expect(p.returncode == 1, f"exit {p.returncode}, want 1")
        expect("OTLP" not in p.stderr, "the export to Jaeger failed")
        fingerprints = {r["partialFingerprints"]["cancelflow/v1"]
                        for run in json.load(open(sarif))["runs"] for r in run["results"]}

        traces = []
        for _ in range(100):  # the storage exporter is asynchronous
            traces = get(f"/traces?service={SERVICE}&limit=50")["data"] or []
            if len(traces) >= 2:
                break
            time.sleep(0.1)
        expect(SERVICE in (get("/services")["data"] or []), "service listed by /api/services")
        expect(len(traces) == 2, f"{len(traces)} traces, want one per package (2)")

        test_spans, cancels, finding_logs, roots = {}, 0, [], []
        for tr in traces:
            spans = {s["spanID"]: s for s in tr["spans"]}
            for s in tr["spans"]:
                t = tags(s["tags"])
                parent = next((r["spanID"] for r in s.get("references", []) if r["refType"] == "CHILD_OF"), None)
                if parent is None:
                    roots.append(s["operationName"])
                if "test.name" in t:
                    name = t["test.name"]
                    expect(name not in test_spans, f"two spans for {name}")
                    test_spans[name] = (s, t)
                    want = name.rsplit("/", 1)[0] if "/" in name else t.get("test.package")
                    got = spans[parent]["operationName"] if parent in spans else None
                    expect(got == want, f"{name}: parent {got}, want {want}")
                for lg in s.get("logs", []):
                    f = tags(lg["fields"])
                    if f.get("event") == "cancel.call":
                        cancels += 1
                    if f.get("event") == "finding":
                        finding_logs.append((s, f))
        expect(sorted(roots) == [f"{MOD}/clean", f"{MOD}/leak"], f"root spans {sorted(roots)}")
        expect(sorted(test_spans) == ["TestFetch", "TestLeak", "TestParallel", "TestParallel/fine", "TestParallel/leaks"],
               f"test spans {sorted(test_spans)}")

        def is_error(t):
            return t.get("otel.status_code") == "ERROR" or t.get("error") is True

        for name in ("TestLeak", "TestParallel/leaks"):
            expect(name in test_spans and is_error(test_spans[name][1]), f"{name} not an error in Jaeger")
        for name in ("TestFetch", "TestParallel/fine"):
            expect(name in test_spans and not is_error(test_spans[name][1]), f"{name} is an error in Jaeger")
        expect(len(finding_logs) == 1, f"{len(finding_logs)} finding logs, want 1")
        for s, f in finding_logs:
            expect(f.get("cancelflow.rule") == "leaked-goroutine", f"rule {f.get('cancelflow.rule')}")
            expect(f.get("cancelflow.fingerprint") in fingerprints, f"fingerprint {f.get('cancelflow.fingerprint')}")
            expect(f.get("code.function.name") == f"{MOD}/leak.Search.func1", f"code.function.name {f}")
            expect(str(f.get("code.file.path", "")).endswith("/leak/leak.go"), f"code.file.path {f.get('code.file.path')}")
            expect(f.get("code.line.number") == 16, f"code.line.number {f.get('code.line.number')}")
            expect(s["operationName"] == "async.op" and is_error(tags(s["tags"])), "finding on an ERROR async.op span")
        expect(cancels >= 3, f"{cancels} cancel.call logs, want >= 3")
        print(f"jaeger_e2e: {len(traces)} traces, {sum(len(t['spans']) for t in traces)} spans, "
              f"{cancels} cancel.call logs, {len(finding_logs)} finding logs")
    return expect.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
