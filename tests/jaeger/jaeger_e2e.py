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
JAEGER_BIN defaults to $CANCELFLOW_JAEGER, else the cache setup.sh builds into;
exits 77 (skipped) when there is none.
"""
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "export"))
from otlp_receiver import Expect, free_port  # noqa: E402

MOD = "example.com/cftest"
SERVICE = "cf-jaeger-e2e"
expect = Expect("jaeger_e2e")


def get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.load(r)


def tags(items):
    return {t["key"]: t["value"] for t in items}


def default_jaeger():
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.environ.get("CANCELFLOW_JAEGER") or os.path.join(cache, "cancelflow", "jaeger-v1.75.0", "jaeger")


def main(argv):
    bin_, src, out = (os.path.realpath(a) for a in argv[1:4])
    jaeger = argv[4] if len(argv) > 4 else default_jaeger()
    if not os.access(jaeger, os.X_OK):
        print(f"jaeger_e2e: skipped: no Jaeger binary at {jaeger} (scripts/setup.sh builds it)")
        return 77
    shutil.rmtree(out, ignore_errors=True)
    mod = os.path.join(out, "mod")
    shutil.copytree(os.path.join(src, "tests", "gate", "testmod"), mod)
    otlp_port, query_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    # Jaeger's own gRPC exporter dials localhost:4317 unless told otherwise (another Jaeger may
    # listen there; telemetry.traces.level and OTEL_SDK_DISABLED do not stop it): a refusing port.
    sink = f"http://127.0.0.1:{free_port()}"
    jenv = dict(env, OTEL_EXPORTER_OTLP_ENDPOINT=sink, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=sink,
                CF_JAEGER_OTLP_PORT=str(otlp_port), CF_JAEGER_QUERY_PORT=str(query_port),
                CF_JAEGER_QUERY_GRPC_PORT=str(free_port()))
    log = open(os.path.join(out, "jaeger.log"), "w")
    t0 = time.monotonic()
    proc = subprocess.Popen([jaeger, "--config", "file:" + os.path.join(src, "tests", "jaeger", "jaeger.yaml")],
                            env=jenv, stdout=log, stderr=subprocess.STDOUT)
    api = f"http://127.0.0.1:{query_port}/api"
    try:
        for _ in range(600):
            try:
                get(api + "/services")
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            pass
        if proc.poll() is not None:
            print(open(os.path.join(out, "jaeger.log")).read())
            expect(False, f"jaeger exited with {proc.returncode}")
            return 1
        print(f"jaeger_e2e: Jaeger ready in {time.monotonic() - t0:.2f} s")

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
            traces = get(f"{api}/traces?service={SERVICE}&limit=50")["data"] or []
            if len(traces) >= 2:
                break
            time.sleep(0.1)
        expect(SERVICE in (get(api + "/services")["data"] or []), "service listed by /api/services")
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
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return expect.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
