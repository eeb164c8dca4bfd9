#!/usr/bin/env python3
"""Checks the Prometheus rules and the Alertmanager route in deploy/ (ctest -L observability).

usage: rules_test.py unit SOURCE_DIR OUTDIR
       rules_test.py real CANCELFLOW_BIN SOURCE_DIR OUTDIR
       rules_test.py pipeline CANCELFLOW_BIN SOURCE_DIR OUTDIR
       rules_test.py routes SOURCE_DIR OUTDIR

unit    `promtool check rules` and `promtool test rules` on deploy/prometheus; then each
        mutation in MUTATIONS (a broken threshold, matcher or label) applied to a copy of
        the rules must make `promtool test rules` fail, and a syntax error `check rules`:
        the unit tests can fail, and each alert is pinned by them.
real    `cancelflow test --metrics` on scenario packages of go/ (one run with an
        ignored-cancel and a slow-cancel finding, one clean run); `promtool check metrics` on
        both; every input series of cancelflow.rules.test.yml, and every selector of the
        rules, must have a metric name and label names a real run writes (the pipeline's
        job, repo, branch aside); then the real files, pushed as the default branch and a
        feature branch, go through the rules: the alerts that fire and the recorded values
        must be what the files say (counted here from cancelflow_findings and
        cancelflow_tests, independently of the rules).
pipeline  docs/observability.md's pipeline on loopback: Pushgateway, Prometheus (the doc's
        config, 1 s scrape and evaluation), Alertmanager (deploy/alertmanager); real runs pushed
        with the doc's push snippet (the buggy run to main and feature/x of one repository, a
        clean run to another); the gating and ignored-cancel-share alerts fire on main only, and
        the doc's deploy-gate snippet blocks that repository and not the clean one; a clean run
        PUT to main removes the buggy run's series, resolves the alerts and lifts the block.
routes  `amtool check-config` on deploy/alertmanager/alertmanager.yml (and a broken copy is
        rejected); every alert of the rule file, with its labels, routes to the receiver of
        its severity (`amtool config routes test`); other alerts keep the default route.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import yaml

# Labels the pipeline adds to cancelflow's own (docs/observability.md).
PIPELINE_LABELS = {"job", "instance", "repo", "branch"}
# severity label of an alert -> the receiver it must reach.
RECEIVER_OF_SEVERITY = {"critical": "cancelflow-page", "warning": "cancelflow-ticket"}

# (what, old text, new text): each must occur exactly once in the rules and break a unit test.
MUTATIONS = [
    ("gating alert on every branch", 'cancelflow_failing_findings{branch=~"main|master"}', "cancelflow_failing_findings"),
    ("gating alert not critical", "severity: critical", "severity: warning"),
    ("gating alert without block_deploy", 'block_deploy: "true"', 'block_deploy: "false"'),
    ("share at 5% fires", "ratio{branch=~\"main|master\"} > 0.05", "ratio{branch=~\"main|master\"} >= 0.05"),
    ("share counts every rule", 'cancelflow_tests_with_findings{rule="ignored-cancel"}', "cancelflow_tests_with_findings"),
    ("share absent instead of 0", "0 * sum by (repo, branch) (cancelflow_tests)", "sum by (repo, branch) (cancelflow_tests_with_findings{rule=\"none\"})"),
    ("p99 is a p90", "expr: histogram_quantile(0.99,", "expr: histogram_quantile(0.9,"),
    ("p99 floor dropped", "} > 0.01", "} > 0.001"),
    ("p99 rise of 10% fires", "> 2 * avg_over_time", "> 1.1 * avg_over_time"),
    ("gate silent after one day", "> 2 * 86400", "> 86400"),
]

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


# Debian package of each tool (scripts/setup.sh installs them).
PACKAGE_OF_TOOL = {"promtool": "prometheus", "amtool": "prometheus-alertmanager"}


def run(cmd, **kw):
    print("+ " + " ".join(cmd), flush=True)
    if cmd[0] in PACKAGE_OF_TOOL and shutil.which(cmd[0]) is None:
        sys.exit(f"rules_test: {cmd[0]} not found (Debian package {PACKAGE_OF_TOOL[cmd[0]]}; scripts/setup.sh installs it)")
    return subprocess.run(cmd, **kw)


def parse_metrics(text):
    """[(name, {label: raw escaped value}, raw label text, value)] of an exposition file."""
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            raise ValueError(f"not a sample line: {line!r}")
        raw = m.group(2) or ""
        out.append((m.group(1), dict(LABEL.findall(raw)), raw, float(m.group(3))))
    return out


def shapes(samples):
    return {(name, frozenset(labels)) for name, labels, _, _ in samples}


def promtool_test(path, **kw):
    return run(["promtool", "test", "rules", os.path.basename(path)], cwd=os.path.dirname(path), **kw).returncode


def unit(src, out):
    errors = []
    prom = os.path.join(src, "deploy", "prometheus")
    rules = os.path.join(prom, "cancelflow.rules.yml")
    tests = os.path.join(prom, "cancelflow.rules.test.yml")
    if run(["promtool", "check", "rules", rules]).returncode != 0:
        errors.append("promtool check rules rejected deploy/prometheus/cancelflow.rules.yml")
    if promtool_test(tests) != 0:
        errors.append("promtool test rules failed on deploy/prometheus/cancelflow.rules.test.yml")

    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    queries = os.path.join(out, "doc-queries.yml")
    with open(queries, "w") as f:
        yaml.safe_dump({"groups": [{"name": "doc", "rules": [{"record": f"doc:query_{i}", "expr": q}
                                                             for i, q in enumerate(doc_queries(src))]}]}, f)
    if len(doc_queries(src)) < 5 or run(["promtool", "check", "rules", queries]).returncode != 0:
        errors.append("the fleet queries of docs/observability.md are missing or rejected by promtool")

    text = open(rules).read()
    broken = os.path.join(out, "syntax")
    os.makedirs(broken)
    with open(os.path.join(broken, "cancelflow.rules.yml"), "w") as f:
        f.write(text.replace("expr: sum by (repo, branch) (cancelflow_failing_findings)",
                             "expr: sum by by (repo, branch) (cancelflow_failing_findings)", 1))
    if run(["promtool", "check", "rules", os.path.join(broken, "cancelflow.rules.yml")],
           capture_output=True).returncode == 0:
        errors.append("promtool check rules accepted a rule with a syntax error")
    for i, (what, old, new) in enumerate(MUTATIONS):
        if text.count(old) != 1:
            errors.append(f"mutation {what!r}: {old!r} occurs {text.count(old)} times in the rules, want 1 "
                          "(update MUTATIONS with the rules)")
            continue
        d = os.path.join(out, f"mutant{i}")
        os.makedirs(d)
        with open(os.path.join(d, "cancelflow.rules.yml"), "w") as f:
            f.write(text.replace(old, new))
        shutil.copy(tests, d)
        rc = promtool_test(os.path.join(d, "cancelflow.rules.test.yml"), capture_output=True)
        print(f"--- mutant {i} ({what}): promtool test rules exit {rc}")
        if rc == 0:
            errors.append(f"the unit tests pass on a broken copy of the rules: {what}")
    return errors


def metric_references(rules_doc):
    """(metric, label names) of every selector of a raw cancelflow metric in the rules and annotations."""
    refs = []
    for group in rules_doc["groups"]:
        for rule in group["rules"]:
            texts = [rule["expr"]] + list(rule.get("annotations", {}).values())
            for t in texts:
                for m in re.finditer(r'(?<![:\w])(cancelflow_\w+)(?:\{([^}]*)\})?', t):
                    names = re.findall(r'(\w+)\s*(?:=~|!=|!~|=)', m.group(2) or "")
                    refs.append((m.group(1), set(names)))
    return refs


def cancelflow_runs(bin_, src, out):
    """`cancelflow test --metrics` on scenario packages of go/ into a fresh `out`:
    {"buggy"|"clean": metrics path}, errors."""
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, GITHUB_ACTIONS="")
    paths, errors = {}, []
    for name, packages, want in (("buggy", ["./scenarios/sleep_loop", "./scenarios/spin_loop", "./scenarios/ok_http_server"], 1),
                                 ("clean", ["./scenarios/ok_http_server"], 0)):
        path = os.path.join(out, name, "cancelflow.prom")
        os.makedirs(os.path.dirname(path))
        p = run([bin_, "test", *packages, "--metrics", path, "--", "-count=1"], cwd=os.path.join(src, "go"), env=env,
                capture_output=True, text=True)
        sys.stdout.write(p.stdout[-2000:])
        sys.stderr.write(p.stderr[-2000:])
        if p.returncode != want:
            errors.append(f"cancelflow test ({name}): exit {p.returncode}, want {want}")
        if not os.path.exists(path):
            errors.append(f"cancelflow test ({name}) wrote no metrics")
            continue
        if run(["promtool", "check", "metrics"], stdin=open(path)).returncode != 0:
            errors.append(f"promtool check metrics rejected the {name} run's metrics")
        paths[name] = path
    return paths, errors


def doc_block(src, marker, lang):
    """The ```lang block after <!-- observability:marker --> in docs/observability.md."""
    doc = open(os.path.join(src, "docs", "observability.md")).read()
    at = doc.index(f"<!-- observability:{marker} -->")
    return re.compile(r"```" + lang + r"\n(.*?)```", re.S).search(doc, at).group(1)


def doc_queries(src):
    """The fleet queries of docs/observability.md, one per paragraph, comments dropped."""
    out = []
    for para in doc_block(src, "queries", "promql").split("\n\n"):
        q = "\n".join(l for l in para.splitlines() if not l.startswith("#")).strip()
        if q:
            out.append(q)
    return out


def real(bin_, src, out):
    paths, errors = cancelflow_runs(bin_, src, out)
    if len(paths) != 2:
        return errors
    runs = {name: parse_metrics(open(path).read()) for name, path in paths.items()}
    real_shapes = shapes(runs["buggy"]) | shapes(runs["clean"])
    real_names = {n for n, _ in real_shapes}

    # The committed unit tests' input series are shaped like the real output.
    prom = os.path.join(src, "deploy", "prometheus")
    unit_doc = yaml.safe_load(open(os.path.join(prom, "cancelflow.rules.test.yml")))
    for t in unit_doc["tests"]:
        for s in t["input_series"]:
            m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?$', s["series"].strip())
            name, labels = m.group(1), {k for k, _ in LABEL.findall(m.group(2) or "")}
            if not {"job", "repo", "branch"} <= labels:
                errors.append(f"unit test series without the pipeline's job, repo, branch: {s['series']}")
            if (name, frozenset(labels - PIPELINE_LABELS)) not in real_shapes:
                want = sorted(sorted(l) for n, l in real_shapes if n == name)
                errors.append(f"unit test series not shaped like cancelflow's output: {s['series']} "
                              f"(cancelflow writes {name} with labels {want or 'never'})")
    # The rules read metrics cancelflow writes, with labels it (or the pipeline) sets.
    rules_doc = yaml.safe_load(open(os.path.join(prom, "cancelflow.rules.yml")))
    for name, labels in metric_references(rules_doc):
        if name not in real_names:
            errors.append(f"the rules read {name}, which cancelflow does not write")
            continue
        written = set().union(*(l for n, l in real_shapes if n == name))
        if labels - written - PIPELINE_LABELS:
            errors.append(f"the rules select {name} by {sorted(labels - written - PIPELINE_LABELS)}, labels it lacks")

    # The fleet queries of the doc read the same metrics and recorded series.
    recorded = {r["record"] for g in rules_doc["groups"] for r in g["rules"] if "record" in r}
    queries = doc_queries(src)
    for name, labels in metric_references({"groups": [{"rules": [{"expr": q} for q in queries]}]}):
        if name not in real_names:
            errors.append(f"docs/observability.md queries {name}, which cancelflow does not write")
        elif labels - set().union(*(l for n, l in real_shapes if n == name)) - PIPELINE_LABELS:
            errors.append(f"docs/observability.md selects {name} by labels it lacks: {sorted(labels)}")
    for q in queries:
        for r in re.findall(r"[a-z_]+:[a-z0-9_:]+", q):
            if r not in recorded:
                errors.append(f"docs/observability.md queries {r}, which the rules do not record")

    # The textfile-collector snippet: every sample gets repo and branch, and the file stays valid.
    tdir = os.path.join(out, "textfile")
    os.makedirs(tdir)
    env = dict(os.environ, REPO="acme/shop", BRANCH="feature/retry", TEXTFILE_DIR=tdir, out=os.path.dirname(paths["buggy"]))
    if run(["bash", "-euo", "pipefail", "-c", doc_block(src, "textfile", "sh")], env=env).returncode != 0:
        errors.append("the textfile snippet of docs/observability.md failed")
    files = [f for f in os.listdir(tdir)]
    if len(files) != 1 or not files[0].endswith(".prom"):
        errors.append(f"the textfile snippet left {files}, want one .prom file")
    else:
        text = open(os.path.join(tdir, files[0])).read()
        if run(["promtool", "check", "metrics"], input=text, text=True).returncode != 0:
            errors.append("promtool check metrics rejected the textfile snippet's output")
        labelled = parse_metrics(text)
        bad = [n for n, l, _, _ in labelled if l.get("repo") != "acme/shop" or l.get("branch") != "feature/retry"]
        if bad or len(labelled) != len(runs["buggy"]):
            errors.append(f"the textfile snippet's samples lack repo/branch: {bad[:3]} ({len(labelled)} of {len(runs['buggy'])})")

    # What the files say, counted from the findings and test counts (not from the rules).
    def facts(samples):
        failing = sum(v for n, _, _, v in samples if n == "cancelflow_failing_findings")
        tests = sum(v for n, _, _, v in samples if n == "cancelflow_tests")
        ignored = {(l["package"], l["test"]) for n, l, _, _ in samples
                   if n == "cancelflow_findings" and l.get("rule") == "ignored-cancel" and l.get("test")}
        return failing, tests, len(ignored)

    pushes = [("cancelflow/scenarios", "main", "buggy"), ("cancelflow/scenarios", "feature/x", "buggy"),
              ("cancelflow/clean", "main", "clean")]
    series, alerts, failing_sum, ratios = [], [], [], []
    for repo, branch, name in pushes:
        for metric, _, raw, value in runs[name]:
            labels = f'job="cancelflow",repo="{repo}",branch="{branch}"' + ("," + raw if raw else "")
            series.append({"series": f"{metric}{{{labels}}}", "values": f"{value!r}x3"})
        failing, tests, ignored = facts(runs[name])
        failing_sum.append({"labels": f'repo_branch:cancelflow_failing_findings:sum{{repo="{repo}",branch="{branch}"}}',
                            "value": failing})
        if tests > 0:
            ratios.append({"labels": f'repo_branch:cancelflow_ignored_cancel_tests:ratio{{repo="{repo}",branch="{branch}"}}',
                           "value": ignored / tests})
        if branch != "main":
            continue
        if failing > 0:
            alerts.append({"labels": 'ALERTS{alertname="CancelflowGatingFindingsOnDefaultBranch",alertstate="firing",'
                                     f'severity="critical",block_deploy="true",repo="{repo}",branch="{branch}"}}',
                           "value": 1})
        if tests > 0 and ignored / tests > 0.05:
            alerts.append({"labels": 'ALERTS{alertname="CancelflowIgnoredCancelShareHigh",alertstate="firing",'
                                     f'severity="warning",repo="{repo}",branch="{branch}"}}', "value": 1})
    # The fixtures must keep exercising both sides: the buggy run fires both alerts, the clean one nothing.
    b, c = facts(runs["buggy"]), facts(runs["clean"])
    if not (b[0] > 0 and b[1] > 0 and b[2] / b[1] > 0.05):
        errors.append(f"the buggy run no longer has failing findings and >5% ignored-cancel tests: {b}")
    if c[0] != 0 or c[2] != 0 or c[1] == 0:
        errors.append(f"the clean run is not clean: {c}")

    doc = {"rule_files": [os.path.join(prom, "cancelflow.rules.yml")], "evaluation_interval": "1m",
           "tests": [{"interval": "15m", "input_series": series, "promql_expr_test": [
               {"expr": 'ALERTS{alertstate="firing"}', "eval_time": "15m", "exp_samples": alerts},
               {"expr": "repo_branch:cancelflow_failing_findings:sum", "eval_time": "15m", "exp_samples": failing_sum},
               {"expr": "repo_branch:cancelflow_ignored_cancel_tests:ratio", "eval_time": "15m", "exp_samples": ratios},
           ]}]}
    path = os.path.join(out, "real.test.yml")
    with open(path, "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False, width=1000)
    print(f"--- {len(series)} input series from the real metrics; expected alerts: "
          f"{[a['labels'] for a in alerts]}")
    if promtool_test(path) != 0:
        errors.append(f"the rules on real metrics did not give the expected alerts and values ({path})")
    return errors


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_json(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.load(r)


def wait_until(what, check, timeout, errors):
    """Polls check() (True when done) every half second; an error naming `what` at the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                print(f"--- {what}: yes", flush=True)
                return True
        except (OSError, ValueError):
            pass
        time.sleep(0.5)
    errors.append(f"timed out after {timeout} s waiting for: {what}")
    return False


def pipeline(bin_, src, out):
    """The pipeline of docs/observability.md on loopback, with its snippets as written."""
    paths, errors = cancelflow_runs(bin_, src, out)
    if len(paths) != 2:
        return errors
    for tool in ("prometheus", "prometheus-pushgateway", "prometheus-alertmanager"):
        if shutil.which(tool) is None:
            return errors + [f"{tool} not found (Debian package {tool}; scripts/setup.sh installs it)"]
    pg, am, prom = (f"127.0.0.1:{free_port()}" for _ in range(3))
    config = doc_block(src, "prometheus", "yaml")
    for old, new in (("/etc/prometheus/rules/cancelflow.rules.yml", os.path.join(src, "deploy", "prometheus", "cancelflow.rules.yml")),
                     ("alertmanager:9093", am), ("pushgateway:9091", pg)):
        if old not in config:
            return errors + [f"the Prometheus config of docs/observability.md lacks {old}"]
        config = config.replace(old, new)
    with open(os.path.join(out, "prometheus.yml"), "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n" + config)
    procs = []

    def start(name, cmd):
        log = open(os.path.join(out, name + ".log"), "w")
        print("+ " + " ".join(cmd), flush=True)
        procs.append((name, subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)))

    def snippet(marker, **env):
        return subprocess.run(["bash", "-euo", "pipefail", "-c", doc_block(src, marker, "sh")],
                              env=dict(os.environ, **env), capture_output=True, text=True)

    def push(run_name, repo, branch):
        p = snippet("push", PUSHGATEWAY_URL=f"http://{pg}", REPO=repo, BRANCH=branch, out=os.path.dirname(paths[run_name]))
        if p.returncode != 0:
            errors.append(f"push of the {run_name} run to {repo} {branch}: exit {p.returncode}: {p.stderr.strip()}")
        return p.returncode == 0

    def deploy_blocked(repo):
        p = snippet("deploy-gate", ALERTMANAGER_URL=f"http://{am}", REPO=repo)
        if p.returncode not in (0, 1):
            raise ValueError(p.stderr)
        return p.returncode == 1

    def query(q):
        url = f"http://{prom}/api/v1/query?" + urllib.parse.urlencode({"query": q})
        return http_json(url)["data"]["result"]

    try:
        start("pushgateway", ["prometheus-pushgateway", f"--web.listen-address={pg}"])
        start("alertmanager", ["prometheus-alertmanager", "--config.file=" + os.path.join(src, "deploy", "alertmanager", "alertmanager.yml"),
                               "--storage.path=" + os.path.join(out, "am-data"), f"--web.listen-address={am}",
                               "--cluster.listen-address="])
        start("prometheus", ["prometheus", "--config.file=" + os.path.join(out, "prometheus.yml"),
                             "--storage.tsdb.path=" + os.path.join(out, "prom-data"), f"--web.listen-address={prom}"])
        for name, addr in (("pushgateway", pg), ("alertmanager", am), ("prometheus", prom)):
            if not wait_until(f"{name} ready", lambda a=addr: urllib.request.urlopen(f"http://{a}/-/ready", timeout=2).status == 200,
                              60, errors):
                return errors
        repo = "cancelflow/scenarios"
        if not (push("buggy", repo, "main") and push("buggy", repo, "feature/x") and push("clean", "acme/clean", "main")):
            return errors
        # The branch name survives the base64 grouping key; the rules fire; the deploy is blocked.
        wait_until("Prometheus scraped the feature/x group",
                   lambda: query(f'cancelflow_failing_findings{{repo="{repo}",branch="feature/x"}}'), 60, errors)
        wait_until("gating and ignored-cancel-share alerts firing on main", lambda: {
            (r["metric"]["alertname"], r["metric"]["repo"], r["metric"]["branch"]) for r in query('ALERTS{alertstate="firing"}')} == {
            ("CancelflowGatingFindingsOnDefaultBranch", repo, "main"), ("CancelflowIgnoredCancelShareHigh", repo, "main")},
            90, errors)
        if not wait_until(f"the deploy gate blocks {repo}", lambda: deploy_blocked(repo), 90, errors):
            return errors
        if deploy_blocked("acme/clean"):
            errors.append("the deploy gate blocks acme/clean, whose default branch is clean")
        # A clean run replaces the buggy one (PUT): no stale series, the alerts resolve, the deploy may go.
        if not push("clean", repo, "main"):
            return errors
        wait_until("the buggy run's series gone from main after the clean PUT", lambda: not query(
            f'cancelflow_tests_with_findings{{repo="{repo}",branch="main"}} or cancelflow_findings{{repo="{repo}",branch="main"}}')
            and query(f'cancelflow_failing_findings{{repo="{repo}",branch="main"}} == 0'), 60, errors)
        wait_until("no alert firing", lambda: not query('ALERTS{alertstate="firing"}'), 90, errors)
        wait_until(f"the deploy gate lets {repo} deploy", lambda: not deploy_blocked(repo), 90, errors)
    finally:
        for name, p in procs:
            p.terminate()
        for name, p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        if errors:
            for name, _ in procs:
                sys.stderr.write(f"--- {name}.log (end)\n" + open(os.path.join(out, name + ".log")).read()[-3000:])
    return errors


def routes(src, out):
    errors = []
    am = os.path.join(src, "deploy", "alertmanager", "alertmanager.yml")
    if run(["amtool", "check-config", am]).returncode != 0:
        errors.append("amtool check-config rejected deploy/alertmanager/alertmanager.yml")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    broken = os.path.join(out, "alertmanager.yml")
    with open(broken, "w") as f:
        f.write(open(am).read().replace("receiver: cancelflow-page", "receiver: cancelflow-pager", 1))
    if run(["amtool", "check-config", broken], capture_output=True).returncode == 0:
        errors.append("amtool check-config accepted a route to an undefined receiver")

    def routed(labels, want):
        args = ["amtool", "config", "routes", "test", f"--config.file={am}", f"--verify.receivers={want}"]
        p = run(args + [f"{k}={v}" for k, v in labels.items()], capture_output=True, text=True)
        print(p.stdout.strip())
        return p.returncode == 0

    rules = yaml.safe_load(open(os.path.join(src, "deploy", "prometheus", "cancelflow.rules.yml")))
    n = 0
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "alert" not in rule:
                continue
            n += 1
            labels = dict(rule.get("labels", {}), alertname=rule["alert"], repo="acme/shop", branch="main")
            want = RECEIVER_OF_SEVERITY.get(labels.get("severity"))
            if want is None:
                errors.append(f"{rule['alert']}: severity {labels.get('severity')!r} has no receiver")
            elif not routed(labels, want):
                errors.append(f"{rule['alert']} (severity {labels['severity']}) does not reach {want}")
    if n == 0:
        errors.append("no alert in the rule file")
    if not routed({"alertname": "DiskFull", "severity": "critical"}, "default"):
        errors.append("an alert that is not cancelflow's left the default route")
    return errors


def main(argv):
    mode = argv[1] if len(argv) > 1 else ""
    argv = argv[:2] + [os.path.realpath(a) for a in argv[2:]]  # generated tests name files from elsewhere
    if mode == "unit" and len(argv) == 4:
        errors = unit(argv[2], argv[3])
    elif mode == "real" and len(argv) == 5:
        errors = real(argv[2], argv[3], argv[4])
    elif mode == "pipeline" and len(argv) == 5:
        errors = pipeline(argv[2], argv[3], argv[4])
    elif mode == "routes" and len(argv) == 4:
        errors = routes(argv[2], argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    if errors:
        print(f"rules_test {mode}: FAIL\n  " + "\n  ".join(errors), file=sys.stderr)
        return 1
    print(f"rules_test {mode}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
