#!/usr/bin/env python3
"""`cancelflow watch` end to end on loopback.

mode `fleet`: three instances of tests/live/liveserver with the planted leak and
ignored cancellation and one clean instance, listed in a Prometheus file_sd file
(service "shop"), plus a URL target that refuses connections. watch runs with
--every 2s --seconds 1 --keep DIR --keep-max-mb 1 for 4 rounds, then gets SIGTERM.
After every round /metrics is scraped. Checks:
  - every scrape passes `promtool check metrics` (skipped, with a message, only
    when promtool is absent; scripts/setup.sh installs it);
  - each buggy instance has exactly one leaked-goroutine series (certainty
    proven) and one ignored-cancel series, with the same fingerprint per bug on
    every instance; the clean instance has none;
  - the refused target is up 0 with one refused error per round, and the other
    targets went on (rounds counted);
  - RSS (from /proc) of the last round is at most the first rounds' + 6 MiB;
  - the kept traces stay under the cap; SIGTERM exits 0 within 5 s;
  - the watch queries of docs/observability.md pass `promtool check rules`.
Prints RSS and duration per round and the error counts.

mode `jaeger`: one buggy instance watched for one round with OTEL_EXPORTER_OTLP_ENDPOINT
set to a Jaeger all-in-one (tests/jaeger/jaegerlib.py): the watched service
("shop-jaeger") is listed by Jaeger and its trace carries the finding events.
Exits 77 (skipped, with a message) when the Jaeger binary is absent.

usage: watch_test.py fleet|jaeger CANCELFLOW_BIN SOURCE_DIR OUT_DIR
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request

from livelib import Expect, Server, build_servers, free_port

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "jaeger"))
from jaegerlib import Jaeger, tags  # noqa: E402

expect = Expect("watch")
SAMPLE = re.compile(r'^(\w+)\{(.*)\} (\S+)$')


def parse(text):
    """[(name, {labels}, value)] of the samples with labels."""
    out = []
    for line in text.splitlines():
        m = SAMPLE.match(line)
        if m:
            labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2)))
            out.append((m.group(1), labels, float(m.group(3))))
    return out


def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Watch:
    """cancelflow watch in the background; its stderr lines collected, rounds noticed."""

    def __init__(self, cmd, env=None):
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        self.lines, self.rounds, self.metrics_url = [], [], None
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stderr:
            line = line.rstrip("\n")
            print(line)
            with self.cond:
                self.lines.append(line)
                m = re.search(r"serving (http://\S+/metrics)", line)
                if m:
                    self.metrics_url = m.group(1)
                m = re.search(r"round (\d+): .* ([\d.]+) s, rss", line)
                if m:
                    self.rounds.append((int(m.group(1)), float(m.group(2)), rss_mib(self.proc.pid)))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_for(self, pred, timeout):
        with self.cond:
            return self.cond.wait_for(lambda: pred() or self.proc.poll() is not None, timeout=timeout) and pred()

    def scrape(self):
        with urllib.request.urlopen(self.metrics_url, timeout=5) as r:
            return r.read().decode()


def fleet(bin_, src, out):
    exe, _ = build_servers(os.path.join(os.path.dirname(out), "liveserver-bin"))
    promtool = shutil.which("promtool")
    if not promtool:
        print("watch: promtool not found: the `promtool check metrics` check is SKIPPED (scripts/setup.sh installs it)")
    servers = [Server(exe, "-leak", "-ignore") for _ in range(3)] + [Server(exe)]
    buggy = [s.hostport for s in servers[:3]]
    clean = servers[3].hostport
    refused = f"127.0.0.1:{free_port()}"
    sd = os.path.join(out, "targets.json")
    json.dump([{"targets": buggy + [clean], "labels": {"service": "shop"}}], open(sd, "w"))
    keep = os.path.join(out, "kept")
    try:
        w = Watch([bin_, "watch", "--every", "2s", "--seconds", "1", "--listen", "127.0.0.1:0", "--keep", keep,
                   "--keep-max-mb", "1", sd, f"http://{refused}/debug/pprof/"])
        expect(w.wait_for(lambda: w.metrics_url is not None, 10), "watch did not say where it serves")
        scrapes = []
        for n in range(1, 5):
            if not w.wait_for(lambda: len(w.rounds) >= n, 60):
                expect(False, f"round {n} did not finish")
                break
            scrapes.append(w.scrape())
        t0 = time.monotonic()
        w.proc.send_signal(signal.SIGTERM)
        try:
            rc = w.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            w.proc.kill()
            rc = "killed"
        stop_s = time.monotonic() - t0
        expect(rc == 0, f"SIGTERM: exit {rc}, want 0")
        print(f"watch: SIGTERM -> exit {rc} in {stop_s:.2f} s")
    finally:
        for s in servers:
            s.stop()

    for n, took, rss in w.rounds:
        print(f"watch: round {n}: {took:.2f} s, RSS {rss:.1f} MiB")
    if len(w.rounds) >= 3:
        base = max(r[2] for r in w.rounds[:2])
        expect(w.rounds[-1][2] <= base + 6, f"RSS grew: {[round(r[2], 1) for r in w.rounds]} MiB")
    expect(len(scrapes) >= 3, f"{len(scrapes)} scrapes, want >= 3")
    for i, text in enumerate(scrapes, 1):
        if promtool:
            p = subprocess.run([promtool, "check", "metrics"], input=text, text=True, capture_output=True)
            expect(p.returncode == 0, f"round {i}: promtool check metrics: {p.stdout}{p.stderr}")
        samples = parse(text)
        findings = [(lb, v) for name, lb, v in samples if name == "cancelflow_watch_findings"]
        for rule in ("leaked-goroutine", "ignored-cancel"):
            prints = set()
            for inst in buggy:
                mine = [lb for lb, v in findings if lb["instance"] == inst and lb["rule"] == rule and v > 0]
                expect(len(mine) == 1, f"round {i}: {inst}: {len(mine)} {rule} series, want 1: {mine}")
                prints |= {lb["fingerprint"] for lb in mine}
                if rule == "leaked-goroutine":
                    expect(all(lb["certainty"] == "proven" for lb in mine), f"round {i}: {inst}: leak not proven: {mine}")
                expect(all(lb["service"] == "shop" for lb in mine), f"round {i}: service label {mine}")
            expect(len(prints) == 1, f"round {i}: {rule}: fingerprints {prints}, want one for every instance")
        expect(not [lb for lb, v in findings if lb["instance"] == clean], f"round {i}: findings on the clean instance")
        errors = {(lb["instance"], lb["kind"]): v for name, lb, v in samples if name == "cancelflow_watch_errors_total"}
        rounds = {lb["instance"]: v for name, lb, v in samples if name == "cancelflow_watch_rounds_total"}
        up = {lb["instance"]: v for name, lb, v in samples if name == "cancelflow_watch_up"}
        expect(errors.get((refused, "refused")) == i, f"round {i}: refused errors {errors}")
        expect(up.get(refused) == 0 and all(up.get(h) == 1 for h in buggy + [clean]), f"round {i}: up {up}")
        expect(all(rounds.get(h) == i for h in buggy + [clean, refused]), f"round {i}: rounds {rounds}")
        expect(not [k for k in errors if k[0] != refused], f"round {i}: errors on good targets {errors}")
        hist = [lb for name, lb, v in samples if name == "cancelflow_watch_cancel_response_seconds_bucket"]
        expect(any(lb.get("service") == "shop" for lb in hist), f"round {i}: no cancel-response histogram for shop")
        if i == len(scrapes):
            print(f"watch: errors after {i} rounds: {errors}")
    if promtool:  # the fleet queries of docs/observability.md ("Production: cancelflow watch") parse
        doc = open(os.path.join(src, "docs", "observability.md")).read()
        block = doc.split("<!-- observability:watch-queries -->")[1].split("```promql")[1].split("```")[0]
        queries = [q for q in ("\n".join(ln for ln in p.splitlines() if not ln.startswith("#")).strip()
                               for p in block.split("\n\n")) if q]
        rules = os.path.join(out, "watch-queries.yml")
        with open(rules, "w") as f:
            f.write("groups:\n- name: watch_queries\n  rules:\n")
            for n, q in enumerate(queries):
                f.write(f"  - record: watch:query{n}\n    expr: {json.dumps(q)}\n")
        p = subprocess.run([promtool, "check", "rules", rules], capture_output=True, text=True)
        expect(len(queries) >= 4 and p.returncode == 0, f"the doc's watch queries: {p.stdout}{p.stderr}")
    kept = [f for f in os.listdir(keep) if f.endswith(".trace")] if os.path.isdir(keep) else []
    total = sum(os.path.getsize(os.path.join(keep, f)) for f in kept)
    expect(kept and total <= 1 << 20, f"kept {len(kept)} traces, {total} bytes (cap 1 MiB)")
    expect(any("deleted" in ln for ln in w.lines), "the keep cap never deleted a trace")
    print(f"watch: kept {len(kept)} traces, {total} bytes")
    return expect.finish()


def jaeger(bin_, src, out):
    exe, _ = build_servers(os.path.join(os.path.dirname(out), "liveserver-bin"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    with Jaeger(src, out, env) as j:
        if j is None:
            print("watch_jaeger: skipped")
            return 77
        with Server(exe, "-leak", "-ignore") as srv:
            time.sleep(0.3)
            p = subprocess.run([bin_, "watch", "--every", "1s", "--seconds", "1", "--rounds", "1", "--listen", "127.0.0.1:0",
                                "--service", "shop-jaeger", srv.url],
                               env=dict(env, OTEL_EXPORTER_OTLP_ENDPOINT=j.otlp_url), capture_output=True, text=True,
                               timeout=60)
        print(p.stderr)
        expect(p.returncode == 0, f"watch exit {p.returncode}")
        expect("OTLP" not in p.stderr, "the export to Jaeger failed")
        traces = []
        for _ in range(100):  # the storage exporter is asynchronous
            traces = j.get("/traces?service=shop-jaeger&limit=20")["data"] or []
            if traces:
                break
            time.sleep(0.1)
        expect("shop-jaeger" in (j.get("/services")["data"] or []), "the watched service is not listed by Jaeger")
        rules = set()
        for tr in traces:
            for s in tr["spans"]:
                for lg in s.get("logs", []):
                    f = tags(lg["fields"])
                    if f.get("event") == "finding":
                        rules.add(f.get("cancelflow.rule"))
            procs = {tags(pr.get("tags", [])).get("service.instance.id") for pr in tr.get("processes", {}).values()}
            expect(srv.hostport in procs, f"service.instance.id {procs}, want {srv.hostport}")
        expect({"leaked-goroutine", "ignored-cancel"} <= rules, f"finding events in Jaeger: {rules}")
        print(f"watch_jaeger: {len(traces)} trace(s), finding rules {sorted(rules)}")
    return expect.finish()


def main(argv):
    mode, bin_, src, out = argv[1], os.path.realpath(argv[2]), os.path.realpath(argv[3]), os.path.realpath(argv[4])
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    return {"fleet": fleet, "jaeger": jaeger}[mode](bin_, src, out)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
