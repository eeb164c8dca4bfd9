#!/usr/bin/env python3
"""End to end: `cancelflow test/check/analyze --otlp` against a local OTLP/HTTP
receiver (otlp_receiver.py), the requests decoded with the upstream
generated modules (PyPI opentelemetry-proto, installed by scripts/setup.sh):

- `cancelflow test ./leak ./clean` in tests/gate/testmod: one OTLP trace per
  package, exactly one span per Go test and subtest, parented by name; the
  leaking tests' spans are ERROR, their finding event carries rule,
  severity, certainty, the fingerprint SARIF and the text report print, and
  code.* attributes; cancel.call events; the resource (OTEL_SERVICE_NAME,
  OTEL_RESOURCE_ATTRIBUTES, telemetry.sdk.name); headers; Content-Type;
- `check` of the kept traces, configured by OTEL_EXPORTER_OTLP_ENDPOINT only:
  the same trace ids (re-export is stable);
- `analyze` of a bundled non-test trace: one root span, async.op children;
- failures: a refusing port, a receiver answering 500, a partial success, a
  timeout: one stderr line, the same exit status, the --json report written.

usage: otlp_e2e.py CANCELFLOW_BIN SOURCE_DIR OUT_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from otlp_receiver import Expect, Receiver, free_port  # noqa: E402

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest  # noqa: E402
from opentelemetry.proto.trace.v1.trace_pb2 import Status  # noqa: E402

MOD = "example.com/cftest"
expect = Expect("otlp_e2e")


def run(cmd, cwd, env):
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    print(f"$ {' '.join(cmd)}  -> {p.returncode} ({time.monotonic() - t0:.2f} s)\n{p.stdout}{p.stderr}")
    return p


def value(v):
    kind = v.WhichOneof("value")
    if kind == "array_value":
        return [value(x) for x in v.array_value.values]
    return getattr(v, kind) if kind else None


def attrs(kvs):
    return {kv.key: value(kv.value) for kv in kvs}


def decode(receiver):
    """Every request as (path, headers, ExportTraceServiceRequest)."""
    out = []
    for path, headers, body in receiver.requests:
        req = ExportTraceServiceRequest()
        req.ParseFromString(body)
        out.append((path, headers, req))
    return out


def spans_of(req):
    expect(len(req.resource_spans) == 1, f"{len(req.resource_spans)} ResourceSpans in a request, want 1")
    rs = req.resource_spans[0]
    expect(len(rs.scope_spans) == 1 and rs.scope_spans[0].scope.name == "cancelflow", "one scope named cancelflow")
    return attrs(rs.resource.attributes), list(rs.scope_spans[0].spans)


def sarif_fingerprints(path):
    doc = json.load(open(path))
    return {r["partialFingerprints"]["cancelflow/v1"] for run_ in doc["runs"] for r in run_["results"]}


def check_test_export(reqs, fingerprints):
    expect(len(reqs) == 2, f"{len(reqs)} requests for 2 packages, want 2")
    by_pkg = {}
    trace_ids = set()
    for path, headers, req in reqs:
        expect(path == "/v1/traces", f"path {path}")
        expect(headers.get("content-type") == "application/x-protobuf", f"content-type {headers.get('content-type')}")
        expect(headers.get("x-cf-test") == "a b,c", f"header x-cf-test {headers.get('x-cf-test')!r}")
        res, spans = spans_of(req)
        expect(res.get("service.name") == "cf-e2e", f"service.name {res.get('service.name')}")
        expect(res.get("deployment.environment.name") == "ci", f"resource attributes {res}")
        expect(res.get("telemetry.sdk.name") == "cancelflow", f"telemetry.sdk.name {res.get('telemetry.sdk.name')}")
        ids = {s.trace_id for s in spans}
        expect(len(ids) == 1 and len(next(iter(ids))) == 16, "one 16-byte trace id per request")
        trace_ids |= ids
        roots = [s for s in spans if not s.parent_span_id]
        expect(len(roots) == 1, f"{len(roots)} root spans, want 1")
        by_pkg[roots[0].name] = spans
    expect(len(trace_ids) == 2, "one OTLP trace per package")
    expect(sorted(by_pkg) == [f"{MOD}/clean", f"{MOD}/leak"], f"root spans {sorted(by_pkg)}")

    want_tests = {f"{MOD}/clean": ["TestFetch"],
                  f"{MOD}/leak": ["TestLeak", "TestParallel", "TestParallel/fine", "TestParallel/leaks"]}
    cancels = 0
    for pkg, spans in by_pkg.items():
        by_id = {s.span_id: s for s in spans}
        tests = [s for s in spans if "test.name" in attrs(s.attributes)]
        names = sorted(attrs(s.attributes)["test.name"] for s in tests)
        expect(names == want_tests[pkg], f"{pkg}: test spans {names}, want one per test {want_tests[pkg]}")
        for s in spans:
            a = attrs(s.attributes)
            expect(s.end_time_unix_nano >= s.start_time_unix_nano > 1_500_000_000 * 10**9,
                   f"{pkg}: span {s.name} times {s.start_time_unix_nano}..{s.end_time_unix_nano}")
            expect(a.get("cancelflow.clock") == "trace-clock-snapshot", f"{s.name}: clock {a.get('cancelflow.clock')} (Go 1.25+ traces have a snapshot)")
            if "test.name" in a:
                expect(a.get("test.package") == pkg, f"{s.name}: test.package {a.get('test.package')}")
                parent = by_id.get(s.parent_span_id)
                name = a["test.name"]
                want_parent = name.rsplit("/", 1)[0] if "/" in name else pkg
                expect(parent is not None and parent.name == want_parent, f"{name}: parent {parent.name if parent else None}")
            if s.name == "async.op":
                parent = by_id.get(s.parent_span_id)
                expect(parent is not None and ("test.name" in attrs(parent.attributes) or not parent.parent_span_id),
                       f"async.op {a.get('goroutine.id')} under a test or the root")
            for e in s.events:
                if e.name == "cancel.call":
                    cancels += 1
                    ea = attrs(e.attributes)
                    expect(ea.get("cancel.kind") in ("explicit", "deadline", "parent"), f"cancel.kind {ea.get('cancel.kind')}")
                    expect(ea.get("cancel.woken.count", 0) == len(ea.get("cancel.woken.goroutine_ids", [])),
                           f"woken count {ea}")
                    expect(len(ea.get("cancel.woken.response_ns", [])) == len(ea.get("cancel.woken.goroutine_ids", [])),
                           "a response time per woken goroutine")
    expect(cancels >= 3, f"{cancels} cancel.call events, want one per deadline (>= 3)")

    leak = by_pkg.get(f"{MOD}/leak", [])
    status = {attrs(s.attributes).get("test.name"): s.status for s in leak if "test.name" in attrs(s.attributes)}
    for name in ("TestLeak", "TestParallel/leaks", "TestParallel"):
        st = status.get(name)
        expect(st is not None and st.code == Status.STATUS_CODE_ERROR, f"{name}: status {st}")
    expect(status.get("TestParallel/fine") is not None and status["TestParallel/fine"].code == Status.STATUS_CODE_UNSET,
           "TestParallel/fine is not an error")
    for s in by_pkg.get(f"{MOD}/clean", []):
        expect(s.status.code != Status.STATUS_CODE_ERROR, f"clean: {s.name} is an error")

    findings = [(s, e) for s in leak for e in s.events if e.name == "finding"]
    expect(len(findings) == 1, f"{len(findings)} finding events in leak, want 1")
    for s, e in findings:
        a = attrs(e.attributes)
        expect(s.name == "async.op" and s.status.code == Status.STATUS_CODE_ERROR, f"finding on span {s.name}")
        expect(a.get("cancelflow.rule") == "leaked-goroutine", f"rule {a.get('cancelflow.rule')}")
        # cancelflow test collects the runtime's leak profile (Go 1.26 here, with the experiment it adds): proven.
        expect(a.get("cancelflow.severity") == "error" and a.get("cancelflow.certainty") == "proven", f"severity {a}")
        expect(a.get("cancelflow.fingerprint") in fingerprints, f"fingerprint {a.get('cancelflow.fingerprint')} not in {fingerprints}")
        expect(a.get("cancelflow.gating") is True, "gating")
        expect(a.get("code.function.name") == f"{MOD}/leak.Search.func1", f"code.function.name {a.get('code.function.name')}")
        expect(str(a.get("code.file.path", "")).endswith("/leak/leak.go"), f"code.file.path {a.get('code.file.path')}")
        expect(a.get("code.line.number") == 16, f"code.line.number {a.get('code.line.number')}")
        # The finding's first goroutine names its test: either leaking test, by scheduling.
        expect(a.get("test.name") in ("TestLeak", "TestParallel/leaks"), f"finding test {a.get('test.name')}")
        test_span = next((p for p in leak if p.span_id == s.parent_span_id), None)
        expect(test_span is not None and attrs(test_span.attributes).get("test.name") in ("TestLeak", "TestParallel/leaks"),
               "the finding's goroutine span is under its test")
    return trace_ids


def main(argv):
    bin_, src, out = os.path.realpath(argv[1]), os.path.realpath(argv[2]), os.path.realpath(argv[3])
    shutil.rmtree(out, ignore_errors=True)
    mod = os.path.join(out, "mod")
    shutil.copytree(os.path.join(src, "tests", "gate", "testmod"), mod)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    base_env.update(GOFLAGS="-mod=mod", GITHUB_ACTIONS="")
    otel = dict(base_env, OTEL_SERVICE_NAME="cf-e2e", OTEL_RESOURCE_ATTRIBUTES="deployment.environment.name=ci",
                OTEL_EXPORTER_OTLP_HEADERS="x-cf-test=a%20b%2Cc")
    traces = os.path.join(out, "traces")
    sarif, js = os.path.join(out, "out.sarif"), os.path.join(out, "out.json")

    # 1. cancelflow test --otlp.
    with Receiver() as r:
        p = run([bin_, "test", "--otlp", r.url, "--sarif", sarif, "--json", js, "--keep-traces", traces,
                 "./leak", "./clean", "--", "-count=1"], mod, otel)
    expect(p.returncode == 1, f"test: exit {p.returncode}, want 1 (leak findings gate)")
    expect("OTLP" not in p.stderr, "test: an OTLP line on stderr although the export succeeded")
    fingerprints = sarif_fingerprints(sarif)
    expect(len(fingerprints) == 1 and any(f"fingerprint: {f}" in p.stdout for f in fingerprints),
           f"SARIF and text fingerprints {fingerprints}")
    ids_test = check_test_export(decode(r), fingerprints)

    # 2. check of the kept traces, configured by the environment only: the same ids.
    with Receiver() as r:
        p = run([bin_, "check", "--sarif", sarif, traces], mod, dict(otel, OTEL_EXPORTER_OTLP_ENDPOINT=r.url + "/"))
    expect(p.returncode == 1, f"check: exit {p.returncode}, want 1")
    reqs = decode(r)
    ids_check = {s.trace_id for _, _, req in reqs for s in spans_of(req)[1]}
    expect(ids_check == ids_test, "check re-exports the test traces with the same trace ids")
    expect(all(path == "/v1/traces" for path, _, _ in reqs), "OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces")

    # 3. analyze of a non-test trace: one root span for the trace, async.op children, findings.
    trace = os.path.join(src, "examples", "traces", "blocked-send.trace")
    with Receiver() as r:
        p = run([bin_, "analyze", "--json", "--otlp", r.url, trace], out, base_env)
    expect(p.returncode == 0, f"analyze: exit {p.returncode}")
    analysis = json.loads(p.stdout)
    reqs = decode(r)
    expect(len(reqs) == 1, f"analyze: {len(reqs)} requests, want 1")
    if reqs:
        res, spans = spans_of(reqs[0][2])
        expect(res.get("service.name") == "cancelflow", f"default service.name {res.get('service.name')}")
        roots = [s for s in spans if not s.parent_span_id]
        expect(len(roots) == 1 and roots[0].name == "cancelflow.analysis blocked-send.trace",
               f"analyze roots {[s.name for s in roots]}")
        others = [s for s in spans if s.parent_span_id]
        expect(others and all(s.name == "async.op" and s.parent_span_id == roots[0].span_id for s in others),
               "analyze: async.op children of the root")
        events = [e for s in spans for e in s.events]
        rules = sorted(attrs(e.attributes)["cancelflow.rule"] for e in events if e.name == "finding")
        expect(rules == sorted(f["rule"] for f in analysis["findings"]), f"analyze: finding events {rules}")
        expect(sum(e.name == "cancel.call" for e in events) == len(analysis["cancellations"]), "analyze: cancel events")

    # 4. Failures: one stderr line, the same exit status, the local report written.
    refused = f"http://127.0.0.1:{free_port()}"
    cases = [("refused", None, refused, "Could not connect|Connection refused|Couldn't connect")]
    for name, mode, url, needle in [("500", "500", None, "HTTP 500"), ("partial", "partial", None, "partial success: 2 of"),
                                    ("timeout", "slow", None, "imed out|Timeout")]:
        cases.append((name, mode, url, needle))
    for name, mode, url, needle in cases:
        for cmd in (["check", "--json", js, traces], ["analyze", trace]):
            if os.path.exists(js):
                os.remove(js)
            env = dict(base_env, OTEL_EXPORTER_OTLP_TIMEOUT="700")
            receiver = Receiver(mode or "ok", delay=3.0)
            with receiver:
                t0 = time.monotonic()
                p = run([bin_, cmd[0], "--otlp", url or receiver.url] + cmd[1:], mod, env)
                took = time.monotonic() - t0
            lines = [line for line in p.stderr.splitlines() if "OTLP" in line]
            want_rc = 1 if cmd[0] == "check" else 0
            expect(p.returncode == want_rc, f"{name} {cmd[0]}: exit {p.returncode}, want {want_rc}")
            expect(len(lines) == 1 and lines[0].startswith("cancelflow: OTLP export to "),
                   f"{name} {cmd[0]}: OTLP stderr lines {lines}")
            expect(lines and re.search(needle, lines[0]) is not None, f"{name} {cmd[0]}: {lines} lacks {needle!r}")
            if cmd[0] == "check":
                expect(os.path.exists(js) and json.load(open(js))["findings"] == 1, f"{name}: the --json report is written")
            if name == "timeout":
                expect(took < 2 * 0.7 + 2.5, f"timeout: took {took:.1f} s with a 0.7 s timeout per request")

    # `test` with a refusing endpoint: the go test verdict and reports are unchanged.
    if os.path.exists(js):
        os.remove(js)
    p = run([bin_, "test", "--otlp", refused, "--json", js, "./leak", "./clean", "--", "-count=1"], mod, base_env)
    expect(p.returncode == 1, f"test refused: exit {p.returncode}, want 1")
    expect(sum("OTLP export" in line for line in p.stderr.splitlines()) == 1, "test refused: one stderr line")
    expect(os.path.exists(js), "test refused: --json written")

    return expect.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
