#!/usr/bin/env python3
"""Every command that analyzes runs the same analysis with the same options.

    check_consistency.py CANCELFLOW WORKDIR TRACE... [--testmod DIR]

For each trace and each option set (defaults; flags; a config file; a config
file with flags overriding it) it runs

    analyze --json, analyze --html (same pass), check --json, html, perfetto, pprof

with the same options, and checks that:
  * no command refuses an option (every one exits 0, 1 or 3);
  * analyze --json, check --json and both HTML reports hold the same findings:
    the same (fingerprint, rule, severity, certainty, count, tests) multiset;
  * every report names the same options (the JSON "options" object);
  * the options took effect: the flags' values and the config's are the ones
    reported, flags override the config, and rules turned off are absent;
  * the Perfetto timeline marks every goroutine finding with its fingerprint
    (decoded with the upstream Perfetto proto) and names no other;
  * the pprof profile labels every leaked-goroutine finding with its
    fingerprint (read back by `go tool pprof -tags`) and no other.
With --testmod, `cancelflow test` on that module (traces kept) reports the
same fingerprints as `analyze --json` of the kept traces with the same options.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "report"))
import perfetto_upstream  # noqa: E402  (the upstream descriptor set and protoc's text parser)

FAILURES = []


def fail(msg):
    FAILURES.append(msg)
    print("FAIL: " + msg)


def run(args, ok=(0, 1, 3), cwd=None):
    p = subprocess.run(args, capture_output=True, text=True, cwd=cwd)
    if p.returncode not in ok:
        fail(f"{' '.join(args)}: exit {p.returncode}: {p.stderr.strip()[:400]}")
    return p


def finding_key(f):
    tests = f.get("tests")
    if tests is None:
        tests = [f["test"]] if f.get("test") else []
    return (f["fingerprint"], f["rule"], f["severity"], f.get("certainty"), f["count"], tuple(sorted(tests)))


def keys(findings):
    return sorted(finding_key(f) for f in findings)


def html_document(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r'<script type="application/json" id="cf-data">(.*?)</script>', text, re.S)
    if not m:
        fail(f"{path}: no embedded cf-data document")
        return None
    return json.loads(m.group(1))


def perfetto_fingerprints(path, desc):
    with open(path, "rb") as f:
        data = f.read()
    p = subprocess.run(["protoc", "--decode=perfetto.protos.Trace", f"--descriptor_set_in={desc}"], input=data,
                       capture_output=True)
    if p.returncode != 0:
        fail(f"{path}: does not decode with the upstream proto")
        return set()
    root = perfetto_upstream.parse_text_format(p.stdout.decode("utf-8", errors="replace"))
    found = set()
    for pk in root.get("packet", []):
        for te in pk.get("track_event", []):
            for da in te.get("debug_annotations", []):
                if perfetto_upstream.one(da, "name") == "fingerprint":
                    found.add(perfetto_upstream.one(da, "string_value"))
    return found


def pprof_fingerprints(path):
    p = subprocess.run(["go", "tool", "pprof", "-tags", path], capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"{path}: go tool pprof -tags failed: {p.stderr.strip()[:300]}")
        return set()
    found, in_fp = set(), False
    for line in p.stdout.splitlines():
        if re.match(r"^\s*fingerprint:", line):
            in_fp = True
            continue
        if in_fp:
            m = re.match(r"^\s+\d+\s+\([^)]*\):\s+(\S+)\s*$", line)
            if m:
                found.add(m.group(1))
            elif line.strip() and not line.startswith(" "):
                in_fp = False
            elif re.match(r"^\s*\w+:", line):
                in_fp = False
    return found


def check_options(label, doc, expect):
    o = doc.get("options")
    if o is None:
        fail(f"{label}: no \"options\" in the report")
        return
    for k, v in expect.items():
        if o.get(k) != v:
            fail(f"{label}: options.{k} = {o.get(k)!r}, want {v!r}")


def main(argv):
    testmod = None
    if "--testmod" in argv:
        i = argv.index("--testmod")
        testmod = argv[i + 1]
        del argv[i:i + 2]
    cf, work, traces = os.path.abspath(argv[1]), argv[2], argv[3:]
    os.makedirs(work, exist_ok=True)
    work = tempfile.mkdtemp(dir=work)
    desc = perfetto_upstream.upstream_descriptor_set(work)
    config = os.path.join(work, "cancelflow-consistency.json")
    with open(config, "w") as f:
        json.dump({"version": 1, "thresholds": {"grace": "40ms", "slow_cancel": "20ms", "late_deadline": "5ms"},
                   "rules": {"slow-cancel": "error", "late-deadline": "off"}}, f)
    option_sets = [
        ("defaults", [], {"grace_ns": 100_000_000, "slow_cancel_ns": 100_000_000, "scope": None,
                          "config_file": None, "set_by_flags": []}),
        ("flags", ["--grace-ms", "30", "--slow-ms", "10", "--scope", "program", "--threads", "1"],
         {"grace_ns": 30_000_000, "slow_cancel_ns": 10_000_000, "scope": "program", "config_file": None,
          "set_by_flags": ["grace", "slow_cancel", "scope"]}),
        ("config", ["--config", config],
         {"grace_ns": 40_000_000, "slow_cancel_ns": 20_000_000, "late_deadline_ns": 5_000_000, "config_file": config,
          "set_by_flags": []}),
        ("config+flags", ["--config", config, "--grace-ms", "250"],
         {"grace_ns": 250_000_000, "slow_cancel_ns": 20_000_000, "config_file": config, "set_by_flags": ["grace"]}),
    ]
    compared = 0
    for trace in traces:
        name = os.path.basename(trace)
        for label, flags, expect in option_sets:
            tag = f"{name} [{label}]"
            out = os.path.join(work, f"{name}.{label}")
            a = run([cf, "analyze", "--json", trace, "--html", out + ".same-pass.html"] + flags)
            if not a.stdout.strip():
                continue
            doc = json.loads(a.stdout)
            check_options(tag + " analyze --json", doc, expect)
            if label.startswith("config"):
                if doc["options"]["rules"].get("late-deadline") != "off":
                    fail(f"{tag}: late-deadline is not reported off")
                if any(f["rule"] == "late-deadline" for f in doc["findings"]):
                    fail(f"{tag}: a rule turned off still reports findings")
                for f in doc["findings"]:
                    if f["rule"] == "slow-cancel" and f["severity"] != "error":
                        fail(f"{tag}: slow-cancel finding at {f['severity']}, config says error")
            want = keys(doc["findings"])
            for f in doc["findings"]:
                if not re.fullmatch(r"[0-9a-f]{16}", f.get("fingerprint", "")):
                    fail(f"{tag}: finding without a fingerprint: {f['rule']}")

            c = run([cf, "check", "--json", out + ".check.json", "-q", trace] + flags)
            if os.path.exists(out + ".check.json"):
                with open(out + ".check.json") as fh:
                    cdoc = json.load(fh)
                ca = cdoc["traces"][0]["analysis"]
                check_options(tag + " check --json", ca, expect)
                if keys(ca["findings"]) != want:
                    fail(f"{tag}: check --json findings differ from analyze --json:\n  {keys(ca['findings'])}\n  {want}")
            elif c.returncode in (0, 1, 3):
                fail(f"{tag}: check wrote no JSON")

            run([cf, "html", trace, "-o", out + ".html"] + flags)
            for h in (out + ".same-pass.html", out + ".html"):
                hd = html_document(h) if os.path.exists(h) else None
                if hd is None:
                    fail(f"{tag}: {os.path.basename(h)} missing")
                    continue
                check_options(tag + " " + os.path.basename(h), hd, expect)
                if keys(hd["findings"]) != want:
                    fail(f"{tag}: {os.path.basename(h)} findings differ from analyze --json")

            run([cf, "perfetto", trace, "-o", out + ".pftrace"] + flags)
            goroutine_fps = {f["fingerprint"] for f in doc["findings"] if f["goroutines"]}
            got = perfetto_fingerprints(out + ".pftrace", desc)
            if got != goroutine_fps:
                fail(f"{tag}: perfetto finding marks {sorted(got)}, want {sorted(goroutine_fps)}")

            run([cf, "pprof", trace, "-o", out + ".pb.gz"] + flags)
            leak_fps = {f["fingerprint"] for f in doc["findings"] if f["rule"] == "leaked-goroutine"}
            got = pprof_fingerprints(out + ".pb.gz")
            if got != leak_fps:
                fail(f"{tag}: pprof fingerprint labels {sorted(got)}, want {sorted(leak_fps)}")
            compared += 1
            print(f"ok {tag}: {len(want)} findings agree across analyze, check, html (x2), perfetto, pprof")

    if testmod:
        keep = os.path.join(work, "testmod-traces")
        flags = ["--grace-ms", "80", "--slow-ms", "50"]
        t = run([cf, "test", "--keep-traces", keep, "--json", os.path.join(work, "test.json"), "-q"] + flags +
                ["./leak", "./clean"], cwd=testmod)
        with open(os.path.join(work, "test.json")) as fh:
            tdoc = json.load(fh)
        for tr in tdoc["traces"]:
            ta = tr["analysis"]
            check_options("cancelflow test " + tr["package"], ta,
                          {"grace_ns": 80_000_000, "slow_cancel_ns": 50_000_000})
            a = run([cf, "analyze", "--json", tr["trace"]] + flags)
            adoc = json.loads(a.stdout)
            got = sorted((f["fingerprint"], f["rule"], f["count"]) for f in ta["findings"])
            want = sorted((f["fingerprint"], f["rule"], f["count"]) for f in adoc["findings"])
            if got != want:
                fail(f"cancelflow test {tr['package']}: findings {got} differ from analyze --json {want}")
            else:
                print(f"ok cancelflow test {tr['package']}: {len(got)} findings agree with analyze --json")
            compared += 1
        if not tdoc["traces"]:
            fail("cancelflow test analyzed no trace")

    if compared == 0:
        fail("nothing was compared")
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)")
        return 1
    print(f"consistent: {compared} comparisons")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
