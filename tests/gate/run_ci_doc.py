#!/usr/bin/env python3
"""Runs the CI recipes of docs/ci.md against this repository's scenario packages.

usage: run_ci_doc.py CANCELFLOW_BIN SOURCE_DIR OUTDIR

1. The GitHub Actions workflow (the ```yaml block after <!-- ci:workflow -->):
   its `run:` steps are extracted, in order, and run as one bash script per
   step (`bash --noprofile --norc -eo pipefail`, like GitHub's default
   shell), with the job and step `env`, `working-directory`, and the runner's
   variables (RUNNER_TEMP, GITHUB_WORKSPACE, GITHUB_ACTIONS=true). `uses:`
   steps are skipped; so is "Install cancelflow", replaced by the binary
   under test on PATH. Any other `${{ }}` expression is an error.
   Run twice: on the buggy scenarios (the gate step must exit 1 and write
   valid JUnit/SARIF with paths relative to the repository, and annotations)
   and on the negative controls (every step must succeed).
2. The plain-shell recipe (```sh after <!-- ci:shell -->), from the Go
   module root: exit 1 on a buggy scenario, 0 on the controls.
(The alert rules live in deploy/prometheus, tested by tests/observability.)
"""
import json
import os
import re
import shutil
import subprocess
import sys

import yaml


def block(text, marker, lang):
    at = text.index(marker)
    m = re.compile(r"```" + lang + r"\n(.*?)```", re.S).search(text, at)
    return m.group(1)


def expand(s, ctx):
    def sub(m):
        expr = m.group(1).strip()
        if expr not in ctx:
            raise SystemExit(f"run_ci_doc: unsupported expression ${{{{ {expr} }}}}")
        return ctx[expr]
    return re.sub(r"\$\{\{(.*?)\}\}", sub, s)


def run_workflow(wf, src, out, packages, bindir):
    temp = os.path.join(out, "runner-temp")
    shutil.rmtree(temp, ignore_errors=True)
    os.makedirs(temp)
    ctx = {"runner.temp": temp, "github.workspace": src}
    job = next(iter(wf["jobs"].values()))
    env = dict(os.environ)
    env.update({"RUNNER_TEMP": temp, "GITHUB_WORKSPACE": src, "GITHUB_ACTIONS": "true",
                "PATH": bindir + os.pathsep + os.environ["PATH"],
                "GITHUB_PATH": os.path.join(temp, "github_path"), "CI": "true"})
    for k, v in job.get("env", {}).items():
        env[k] = expand(str(v), ctx)
        ctx["env." + k] = env[k]
    env["PACKAGES"] = packages
    ctx["env.PACKAGES"] = packages
    results = []
    for step in job["steps"]:
        if "run" not in step or step.get("name") == "Install cancelflow":
            continue
        senv = dict(env)
        for k, v in step.get("env", {}).items():
            senv[k] = expand(str(v), ctx)
        wd = os.path.join(src, expand(step.get("working-directory", "."), ctx))
        script = expand(step["run"], ctx)
        p = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=wd, env=senv,
                           capture_output=True, text=True)
        print(f"--- step {step.get('name')!r}: exit {p.returncode}")
        sys.stdout.write(p.stdout[-4000:])
        sys.stderr.write(p.stderr[-4000:])
        results.append((step.get("name"), p.returncode, p.stdout))
        if p.returncode != 0:
            break  # like GitHub: later run steps are skipped (the upload steps are if: always())
    return env["CANCELFLOW_OUT"], results


def main(argv):
    binary, src, out = os.path.realpath(argv[1]), os.path.realpath(argv[2]), os.path.realpath(argv[3])
    os.makedirs(out, exist_ok=True)
    bindir = os.path.join(out, "bin")
    os.makedirs(bindir, exist_ok=True)
    link = os.path.join(bindir, "cancelflow")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(binary, link)
    doc = open(os.path.join(src, "docs", "ci.md"), encoding="utf-8").read()
    wf = yaml.safe_load(block(doc, "<!-- ci:workflow -->", "yaml"))
    errors = []

    # Buggy scenarios: the gate step fails with findings.
    cf_out, res = run_workflow(wf, src, out, "./scenarios/blocked_send ./scenarios/early_return_skips_cancel "
                               "./scenarios/ok_afterfunc", bindir)
    names = [r[0] for r in res]
    if names[-1:] != ["cancelflow test"] or res[-1][1] != 1:
        errors.append(f"workflow on buggy scenarios: steps {[(n, rc) for n, rc, _ in res]}, want the gate to exit 1")
    else:
        gate_out = res[-1][2]
        if not re.search(r"^::error file=go/scenarios/blocked_send/main\.go,line=\d+,title=", gate_out, re.M):
            errors.append("no GitHub annotation with a repository-relative path")
        sarif = os.path.join(cf_out, "cancelflow.sarif")
        junit = os.path.join(cf_out, "junit.xml")
        here = os.path.dirname(os.path.abspath(__file__))
        for cmd in ([sys.executable, os.path.join(here, "..", "report", "validate_sarif.py"),
                     os.path.join(src, "tests", "schemas", "sarif-schema-2.1.0.json"), sarif],
                    [sys.executable, os.path.join(here, "..", "report", "validate_junit.py"), junit]):
            if subprocess.run(cmd).returncode != 0:
                errors.append(f"invalid report: {cmd[-1]}")
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in json.load(open(sarif))["runs"][0]["results"]}
        if not uris or not all(u.startswith("go/scenarios/") for u in uris):
            errors.append(f"SARIF uris not relative to the repository: {uris}")

    # Controls: every step succeeds.
    _, res = run_workflow(wf, src, out, "./scenarios/ok_afterfunc ./scenarios/ok_errgroup_fanout", bindir)
    if [rc for _, rc, _ in res] != [0] * len(res) or not res or res[-1][0] != "cancelflow test":
        errors.append(f"workflow on controls: steps {[(n, rc) for n, rc, _ in res]}, want all 0")

    # The plain-shell recipe, from the module root.
    sh = block(doc, "<!-- ci:shell -->", "sh")
    for packages, want in (("./scenarios/sleep_loop", 1), ("./scenarios/ok_http_server", 0)):
        env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"], PACKAGES=packages,
                   CANCELFLOW_OUT=os.path.join(out, "shell"))
        env.pop("GITHUB_ACTIONS", None)
        p = subprocess.run(["bash", "-c", sh], cwd=os.path.join(src, "go"), env=env, capture_output=True, text=True)
        print(f"--- shell recipe on {packages}: exit {p.returncode}")
        sys.stderr.write(p.stderr[-3000:])
        if p.returncode != want:
            errors.append(f"shell recipe on {packages}: exit {p.returncode}, want {want}")
        elif not os.path.exists(os.path.join(out, "shell", "cancelflow.sarif")):
            errors.append("shell recipe wrote no SARIF")

    if errors:
        print("run_ci_doc: FAIL\n  " + "\n  ".join(errors), file=sys.stderr)
        return 1
    print("run_ci_doc: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
