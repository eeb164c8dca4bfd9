#!/usr/bin/env python3
"""Score `cancelflow analyze --json` against the services corpus ground truth.

    score.py CANCELFLOW_BIN TRUTH OUTDIR [--go GO] [--json-dir DIR]
    score.py --self-test TRUTH OUTDIR [--go GO]

OUTDIR holds <variant>.<mode>.trace and <variant>.<mode>.trace.truth.json,
written by run.sh; for the live mode also <variant>.live.json, the analysis
run.sh took by URL (`cancelflow analyze --json --keep-trace`, with the
service's leak profile), which is scored instead of a new analysis. README.md describes truth.json and the criteria. Exit 0
when every trace passes, 1 otherwise, 2 on a usage or input error.

The truth is validated on each trace independently of the analyzer, with Go's
own reader (`go tool trace -d=parsed`): every required class occurs, every
bug's evidence holds, and the pre-trace leak count agrees with the sidecar.
The same reference names each goroutine a finding cites, so a finding cannot
be scored true by naming a healthy goroutine with a bug class's function.

--self-test builds an oracle analysis from the reference (what a perfect
analyzer would report), checks that it passes on every trace, and that each
of a set of mutations (a planted false finding, a missed bug, a wrong rule,
a wrong scope, too few pre-trace goroutines, a truth class that does not
exist) makes the scorer fail. Standard library only.
"""

import argparse
import concurrent.futures
import copy
import json
import os
import re
import subprocess
import sys

VARIANTS = ["clean", "ignore_cancel", "blocked_send", "background_ctx", "prewindow_leak"]
MODES = ["window", "flight", "whole", "live"]
RULES = {"leaked-goroutine", "ignored-cancel", "slow-cancel", "cancel-not-called",
         "detached-context", "late-deadline"}
CANCEL_FRAME = "context.(*cancelCtx).cancel"


# ---- truth ----

class TruthError(Exception):
    pass


def load_truth(path):
    with open(path) as f:
        truth = json.load(f)
    check_truth(truth)
    return truth


def check_truth(truth):
    if truth.get("schema") != 1:
        raise TruthError("truth: schema must be 1")
    for m in MODES:
        if m not in truth.get("modes", {}):
            raise TruthError(f"truth: mode {m} missing")
    common = {c["id"] for c in truth["classes"]}
    for c in truth["classes"]:
        check_class(c, None)
    for v in VARIANTS:
        if v not in truth["variants"]:
            raise TruthError(f"truth: variant {v} missing")
    for v, vt in truth["variants"].items():
        if v not in VARIANTS:
            raise TruthError(f"truth: unknown variant {v}")
        ids = {}
        for c in vt["classes"]:
            check_class(c, v)
            if c.get("replaces") and c["replaces"] not in common:
                raise TruthError(f"truth: {v}: class {c['id']} replaces unknown class {c['replaces']}")
            ids[c["id"]] = c
        for b in vt["bugs"]:
            c = ids.get(b["class"])
            if c is None or c["status"] != "bug" or c.get("bug") != b["id"]:
                raise TruthError(f"truth: {v}: bug {b['id']} names class {b['class']}, not a bug class of it")
            if not b["rules"] or not set(b["rules"]) <= RULES:
                raise TruthError(f"truth: {v}: bug {b['id']}: bad rules {b['rules']}")
            if set(b["modes"]) != set(MODES):
                raise TruthError(f"truth: {v}: bug {b['id']} must be found in every mode ({', '.join(MODES)})")
            if not set(b.get("proven_in", [])) <= set(MODES):
                raise TruthError(f"truth: {v}: bug {b['id']}: proven_in names an unknown mode")
        if v == "clean" and vt["bugs"]:
            raise TruthError("truth: clean has bugs")
        if v != "clean" and not vt["bugs"]:
            raise TruthError(f"truth: {v} has no bug")


def check_class(c, variant):
    for k in ("id", "status", "start_func_re"):
        if k not in c:
            raise TruthError(f"truth: class {c} lacks {k}")
    if c["status"] not in ("healthy", "bug"):
        raise TruthError(f"truth: class {c['id']}: status {c['status']}")
    if c["status"] == "bug" and (variant is None or not c.get("bug")):
        raise TruthError(f"truth: class {c['id']}: bug classes belong to a variant and name their bug")
    re.compile(c["start_func_re"])


def classes_for(truth, variant, mode):
    """The classes in force for a trace, variant classes first."""
    vt = truth["variants"][variant]
    replaced = {c["replaces"] for c in vt["classes"] if c.get("replaces")}
    out = []
    for c in vt["classes"] + [c for c in truth["classes"] if c["id"] not in replaced]:
        if mode not in c.get("modes", MODES) or variant in c.get("absent_in", []):
            continue
        out.append(c)
    return out


def classify(classes, start_func):
    if not start_func:
        return None
    for c in classes:
        if re.search(c["start_func_re"], start_func):
            return c
    return None


# ---- the reference: Go's own reader ----

EVENT = re.compile(r"^M=\S+ P=\S+ G=(\S+) (\w+) Time=(\d+)(.*)$")
TRANS = re.compile(r" GoID=(\d+) (\w+)->(\w+) Reason=\"(.*)\"$")
FRAME = re.compile(r"^\t(\S.*) @ 0x[0-9a-f]+$")


def reference(go, trace):
    """Per goroutine: origin, start_func, end state, last own stack and block
    reason, whether a cancel unblocked it, from `go tool trace -d=parsed`."""
    out = subprocess.run([go, "tool", "trace", "-d=parsed", trace], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"go tool trace -d=parsed {trace}: {out.stderr.strip()[:500]}")
    gs = {}
    cur = None  # (gid, from, to, reason) of the event whose stacks follow
    section = None
    stacks = {"TransitionStack": [], "Stack": []}

    def flush():
        if cur is None:
            return
        gid, frm, to, reason = cur
        g = gs.get(gid)
        own = stacks["TransitionStack"]
        if g is None:
            g = gs[gid] = {"id": gid, "origin": "created" if frm == "NotExist" else "before-trace",
                           "start_func": "", "end_state": to, "stack": [], "reason": "",
                           "cancel_wake": False, "cancel_wake_then_alive": False}
            if frm == "NotExist" and own:
                g["start_func"] = own[0]
        status = frm == to or frm == "Undetermined"  # a status record (generation boundary)
        if (frm in ("Running", "Syscall") or status) and own:
            if not g["start_func"]:
                g["start_func"] = own[-1]
            g["stack"] = own
        if to == "Waiting" and not status:
            g["reason"] = reason
        if frm == "Waiting" and to == "Runnable" and CANCEL_FRAME in stacks["Stack"]:
            g["cancel_wake"] = True
        g["end_state"] = to

    for line in out.stdout.splitlines():
        m = EVENT.match(line)
        if m:
            flush()
            cur = None
            section = None
            stacks = {"TransitionStack": [], "Stack": []}
            if m.group(2) == "StateTransition":
                t = TRANS.search(m.group(4))
                if t:
                    cur = (int(t.group(1)), t.group(2), t.group(3), t.group(4))
            continue
        if line in ("TransitionStack=", "Stack="):
            section = line[:-1]
            continue
        f = FRAME.match(line)
        if f and section:
            stacks[section].append(f.group(1))
    flush()
    for g in gs.values():
        g["alive"] = g["end_state"] != "NotExist"
        g["cancel_wake_then_alive"] = g["cancel_wake"] and g["alive"]
    return gs


def validate_truth(truth, variant, mode, ref, sidecar):
    """Problems with the truth on this trace (independent of the analyzer),
    and the pre-trace leak counts per bug."""
    problems = []
    classes = classes_for(truth, variant, mode)
    members = {c["id"]: [] for c in classes}
    for g in ref.values():
        c = classify(classes, g["start_func"])
        if c:
            members[c["id"]].append(g)
    for c in classes:
        if c.get("required", True) and not members[c["id"]]:
            problems.append(f"class {c['id']} ({c['start_func_re']}) does not occur in the trace")
    pre = {}
    for b in truth["variants"][variant]["bugs"]:
        ev = b.get("evidence", {})
        shows = []
        for g in members.get(b["class"], []):
            if ev.get("end_state") and g["end_state"] not in ev["end_state"]:
                continue
            if ev.get("block_func_re") and not any(re.search(ev["block_func_re"], f) for f in g["stack"]):
                continue
            if ev.get("reason") and g["reason"] != ev["reason"]:
                continue
            if ev.get("cancel_wake") and not g["cancel_wake_then_alive"]:
                continue
            shows.append(g)
        if len(shows) < ev.get("min", 1):
            problems.append(f"bug {b['id']}: {len(shows)} goroutines of {b['class']} show its evidence {ev}")
        if b.get("pre_trace_fraction") is not None:
            n = sum(1 for g in shows if g["origin"] == "before-trace")
            if mode == "window":
                want = sidecar.get("pre_trace_stuck")
                if want != n:
                    problems.append(f"bug {b['id']}: {n} pre-trace stuck goroutines in the trace, sidecar says {want}")
                if not want:
                    problems.append(f"bug {b['id']}: no goroutine stuck since before the window")
            elif mode in ("flight", "live"):
                if not 0 < n <= sidecar.get("stuck_at_end", 0):
                    problems.append(f"bug {b['id']}: {n} pre-snapshot stuck goroutines, "
                                    f"sidecar stuck_at_end {sidecar.get('stuck_at_end')}")
            pre[b["id"]] = n
    return problems, pre


# ---- scoring ----

def score(truth, variant, mode, analysis, ref, pre_counts):
    """Returns a row: tp, fp, missed bugs, failures (strings), warnings."""
    classes = classes_for(truth, variant, mode)
    bugs = {b["id"]: b for b in truth["variants"][variant]["bugs"]}
    table = analysis.get("goroutines")
    warnings, failures, fps = [], [], []
    if table is None:
        warnings.append("no top-level goroutines table: the finding's start_func names all its goroutines")
    table = {g["id"]: g for g in (table or [])}
    tp = 0
    found = {b: set() for b in bugs}  # goroutine ids reported per bug
    certainty = {}  # bug -> certainties of the findings that report it
    named = {}  # goroutine id -> findings naming it (one bug, one finding: reported, not failed)
    for i, f in enumerate(analysis.get("findings", [])):
        rule = f.get("rule")
        gids = f.get("goroutines") or []
        for gid in set(gids):
            named[gid] = named.get(gid, 0) + 1
        what = f"finding {i} {rule} {f.get('start_func') or ''}".strip()
        if not gids:
            fps.append(f"{what}: no goroutines (context finding) and the truth allows none")
            continue
        bad = None
        bug_ids = set()
        for gid in gids:
            row = table.get(gid)
            name = (row or {}).get("start_func") or ("" if row else f.get("start_func", ""))
            c = classify(classes, name)
            r = ref.get(gid)
            rc = classify(classes, r["start_func"]) if r else None
            if r is None:
                bad = f"goroutine {gid} is not in the trace"
            elif c is None:
                bad = f"goroutine {gid} named {name!r}: in no class"
            elif rc is None or rc["id"] != c["id"]:
                bad = (f"goroutine {gid} named {name!r} ({c['id']}), the trace says "
                       f"{r['start_func']!r} ({rc['id'] if rc else 'no class'})")
            elif c["status"] != "bug":
                bad = f"goroutine {gid} is healthy ({c['id']})"
            elif rule not in bugs[c["bug"]]["rules"]:
                bad = f"rule {rule} is not allowed for bug {c['bug']} (goroutine {gid})"
            if bad:
                break
            bug_ids.add(c["bug"])
        if bad:
            fps.append(f"{what}: {bad}")
            continue
        tp += 1
        for gid in gids:
            found[classify(classes, ref[gid]["start_func"])["bug"]].add(gid)
        for b in bug_ids:
            certainty.setdefault(b, set()).add(f.get("certainty"))
    missed = [b for b in bugs if not found[b]]
    for b in missed:
        failures.append(f"bug {b} not found")
    for b, bug in bugs.items():  # leaks the runtime proves (live: the service's leak profile) must be proven
        if mode in bug.get("proven_in", []) and found[b] and "proven" not in certainty.get(b, set()):
            failures.append(f"bug {b}: reported {sorted(map(str, certainty.get(b, set())))}, not proven")
    if mode == "live" and not (analysis.get("data_quality") or {}).get("leak_profile"):
        failures.append("live: the service's leak profile was not joined")
    pre = {}
    for b, bug in bugs.items():
        frac = bug.get("pre_trace_fraction")
        if frac is None or mode not in ("window", "flight", "live"):
            continue
        want = pre_counts.get(b, 0)
        got = sum(1 for gid in found[b] if ref[gid]["origin"] == "before-trace")
        claimed = [gid for gid in found[b] if gid in table and table[gid].get("origin") != ref[gid]["origin"]]
        if claimed:
            warnings.append(f"bug {b}: {len(claimed)} goroutines with an origin other than the trace's")
        pre[b] = (got, want)
        if want and got < frac * want:
            failures.append(f"bug {b}: {got}/{want} pre-trace goroutines reported (< {frac:.0%})")
    want_scope = truth["modes"][mode]["scope"]
    scope = (analysis.get("trace") or {}).get("scope")
    if scope != want_scope:
        failures.append(f"scope {scope!r}, want {want_scope!r}")
    failures += fps
    dup = sum(1 for n in named.values() if n > 1)
    return {"findings": len(analysis.get("findings", [])), "tp": tp, "fp": len(fps), "missed": missed, "dup": dup,
            "pre": pre, "scope": scope, "failures": failures, "warnings": warnings}


# ---- driver ----

def prepare(args, variant, mode):
    trace = os.path.join(args.outdir, f"{variant}.{mode}.trace")
    side = trace + ".truth.json"
    if not os.path.exists(trace) or not os.path.exists(side):
        raise RuntimeError(f"{trace} or its sidecar is missing (run run.sh)")
    with open(side) as f:
        sidecar = json.load(f)
    if sidecar.get("schema") != 1 or sidecar.get("variant") != variant or sidecar.get("mode") != mode:
        raise RuntimeError(f"{side}: schema/variant/mode do not match")
    return trace, sidecar, reference(args.go, trace)


def analysis_for(args, mode, trace):
    """The analyzer's JSON: live traces were analyzed by URL when run.sh took
    them (<variant>.live.json, with the service's leak profile); the others
    are analyzed here."""
    if mode == "live":
        with open(trace[:-len(".trace")] + ".json") as f:
            return json.load(f)
    return analyze(args.bin, trace)


def analyze(bin_, trace):
    out = subprocess.run([bin_, "analyze", "--json", trace], capture_output=True, text=True)
    if out.returncode not in (0, 1):
        raise RuntimeError(f"cancelflow analyze exit {out.returncode}: {out.stderr.strip()[:500]}")
    return json.loads(out.stdout)


def fmt_pre(pre):
    return ",".join(f"{g}/{w}" for g, w in pre.values()) or "-"


def prepare_all(args):
    """Sidecars and references of the 15 traces (two `go tool trace` at a time)."""
    keys = [(v, m) for v in VARIANTS for m in MODES]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        return dict(zip(keys, ex.map(lambda k: try_(prepare, args, *k), keys)))


def run_all(args, truth, prepared, analyses=None, quiet=False):
    """Score every trace; analyses overrides the analyzer (self-test)."""
    keys = [(v, m) for v in VARIANTS for m in MODES]
    rows = []
    for v, m in keys:
        p = prepared[(v, m)]
        if isinstance(p, Exception):
            rows.append((v, m, None, [f"input: {p}"]))
            continue
        trace, sidecar, ref = p
        problems, pre_counts = validate_truth(truth, v, m, ref, sidecar)
        problems = [f"truth: {x}" for x in problems]
        try:
            a = analyses[(v, m)] if analyses else analysis_for(args, m, trace)
        except Exception as e:  # noqa: BLE001 - reported as a failure of this trace
            rows.append((v, m, None, problems + [f"analyze: {e}"]))
            continue
        if args.json_dir and not analyses:
            with open(os.path.join(args.json_dir, f"{v}.{m}.json"), "w") as f:
                json.dump(a, f)
        r = score(truth, v, m, a, ref, pre_counts)
        rows.append((v, m, r, problems + r["failures"]))
    if not quiet:
        print(f"{'trace':<24} {'found':>5} {'TP':>4} {'FP':>4} {'dup':>4} {'missed':<16} {'pre-trace':>9} {'scope':<8} result")
        for v, m, r, fails in rows:
            name = f"{v}.{m}"
            if r is None:
                print(f"{name:<24} {'-':>5} {'-':>4} {'-':>4} {'-':>4} {'-':<16} {'-':>9} {'-':<8} FAIL")
            else:
                print(f"{name:<24} {r['findings']:>5} {r['tp']:>4} {r['fp']:>4} {r['dup']:>4} {','.join(r['missed']) or '-':<16} "
                      f"{fmt_pre(r['pre']):>9} {str(r['scope']):<8} {'FAIL' if fails else 'ok'}")
        print("columns: found = findings, TP/FP = true/false positives, dup = goroutines named by more than one "
              "finding (not a failure), missed = bugs not found, pre-trace = reported/stuck before the trace, "
              "scope = trace.scope")
        warned = set()
        for v, m, r, fails in rows:
            for x in fails:
                print(f"  {v}.{m}: {x}")
            for w in (r or {}).get("warnings", []):
                if w not in warned:
                    print(f"  warning: {w}")
                    warned.add(w)
    failed = sum(1 for *_, fails in rows if fails)
    if not quiet:
        print(f"services: {len(rows) - failed} passed, {failed} failed")
    return rows


def try_(fn, *a):
    try:
        return fn(*a)
    except Exception as e:  # noqa: BLE001 - reported per trace
        return e


# ---- self-test ----

def oracle(truth, variant, mode, ref):
    """What a perfect analyzer would report: one finding per bug naming every
    goroutine of the bug class that shows the bug's evidence."""
    classes = classes_for(truth, variant, mode)
    findings, table = [], []
    for b in truth["variants"][variant]["bugs"]:
        gids = []
        for g in ref.values():
            c = classify(classes, g["start_func"])
            if c and c["id"] == b["class"] and g["alive"]:
                gids.append(g["id"])
        findings.append({"rule": b["rules"][0], "goroutines": sorted(gids), "start_func": "",
                         "certainty": "proven" if mode in b.get("proven_in", []) else "certain"})
        table += [{"id": gid, "start_func": ref[gid]["start_func"], "origin": ref[gid]["origin"]} for gid in gids]
    return {"trace": {"scope": truth["modes"][mode]["scope"]}, "findings": findings, "goroutines": table,
            "data_quality": {"leak_profile": {"joined": 1} if mode == "live" else None}}


def self_test(args, truth):
    keys = [(v, m) for v in VARIANTS for m in MODES]
    prepared = prepare_all(args)
    for k, p in prepared.items():
        if isinstance(p, Exception):
            print(f"self-test: {k[0]}.{k[1]}: {p}")
            return False
    base = {k: oracle(truth, k[0], k[1], prepared[k][2]) for k in keys}
    ok = True

    def expect(name, analyses, t, want_fail, where):
        nonlocal ok
        rows = run_all(args, t, prepared, analyses, quiet=True)
        failing = {(v, m) for v, m, _, fails in rows if fails}
        good = (where <= failing) if want_fail else not failing
        if want_fail and failing - where:
            good = False
        print(f"self-test {'ok  ' if good else 'FAIL'} {name}: failing {sorted(failing) or 'none'}")
        if not good:
            for v, m, _, fails in rows:
                for x in fails:
                    print(f"    {v}.{m}: {x}")
        ok = ok and good

    expect("oracle passes everywhere", base, truth, False, set())

    # A planted false finding on a clean trace: a pool worker reported as leaked.
    a = copy.deepcopy(base)
    ref = prepared[("clean", "window")][2]
    w = next(g for g in ref.values() if g["start_func"] == "main.(*Service).worker")
    a[("clean", "window")]["findings"].append({"rule": "leaked-goroutine", "goroutines": [w["id"]], "start_func": ""})
    a[("clean", "window")]["goroutines"].append({"id": w["id"], "start_func": w["start_func"], "origin": w["origin"]})
    expect("a pool worker reported on clean.window", a, truth, True, {("clean", "window")})

    # The same healthy goroutine, misnamed as the leak class.
    a = copy.deepcopy(base)
    ref = prepared[("prewindow_leak", "flight")][2]
    w = next(g for g in ref.values() if g["start_func"] == "main.(*Service).tenantLoop")
    a[("prewindow_leak", "flight")]["findings"].append(
        {"rule": "leaked-goroutine", "goroutines": [w["id"]], "start_func": ""})
    a[("prewindow_leak", "flight")]["goroutines"].append(
        {"id": w["id"], "start_func": "main.(*Service).publish", "origin": w["origin"]})
    expect("a tenant loop misnamed as a stuck publisher", a, truth, True, {("prewindow_leak", "flight")})

    # A context finding.
    a = copy.deepcopy(base)
    a[("clean", "whole")]["findings"].append({"rule": "cancel-not-called", "goroutines": [], "contexts": [1]})
    expect("a context finding on clean.whole", a, truth, True, {("clean", "whole")})

    # A missed bug.
    a = copy.deepcopy(base)
    a[("blocked_send", "flight")]["findings"] = []
    expect("blocked_send missed in flight", a, truth, True, {("blocked_send", "flight")})

    # A rule the bug does not allow.
    a = copy.deepcopy(base)
    a[("background_ctx", "whole")]["findings"][0]["rule"] = "slow-cancel"
    expect("background_ctx under slow-cancel", a, truth, True, {("background_ctx", "whole")})

    # A leak the runtime proves, reported on timing alone in live mode.
    a = copy.deepcopy(base)
    a[("blocked_send", "live")]["findings"][0]["certainty"] = "certain"
    expect("blocked_send not proven in live", a, truth, True, {("blocked_send", "live")})

    # A live analysis without the service's leak profile.
    a = copy.deepcopy(base)
    a[("clean", "live")]["data_quality"]["leak_profile"] = None
    expect("clean.live without the leak profile", a, truth, True, {("clean", "live")})

    # The wrong scope.
    a = copy.deepcopy(base)
    a[("ignore_cancel", "window")]["trace"]["scope"] = "program"
    expect("scope program on a window", a, truth, True, {("ignore_cancel", "window")})

    # Only the goroutines created during the window reported.
    a = copy.deepcopy(base)
    for m in ("window", "flight"):
        ref = prepared[("prewindow_leak", m)][2]
        f = a[("prewindow_leak", m)]["findings"][0]
        f["goroutines"] = [g for g in f["goroutines"] if ref[g]["origin"] == "created"]
    expect("pre-trace leak goroutines not reported", a, truth, True,
           {("prewindow_leak", "window"), ("prewindow_leak", "flight")})

    # A truth whose bug class names a function the program does not have.
    t = copy.deepcopy(truth)
    t["variants"]["blocked_send"]["classes"][0]["start_func_re"] = r"^main\.\(\*Service\)\.sendResult$"
    expect("truth with a wrong bug class", base, t, True,
           {("blocked_send", m) for m in MODES})

    # A truth whose healthy class does not exist.
    t = copy.deepcopy(truth)
    t["classes"].append({"id": "ghost", "status": "healthy", "start_func_re": r"^main\.ghostLoop$"})
    expect("truth with a class that does not occur", base, t, True, set(keys))

    # A truth whose evidence does not hold (the stuck sender is not in a nil-channel wait).
    t = copy.deepcopy(truth)
    t["variants"]["blocked_send"]["bugs"][0]["evidence"]["reason"] = "forever"
    expect("truth with evidence the trace does not show", base, t, True, {("blocked_send", m) for m in MODES})
    print(f"services self-test: {'passed' if ok else 'FAILED'}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("--go", default="go")
    ap.add_argument("--json-dir", help="keep the analyzer's JSON per trace here")
    ap.add_argument("args", nargs="+")
    args = ap.parse_args()
    if args.self_test:
        if len(args.args) != 2:
            ap.error("--self-test TRUTH OUTDIR")
        args.truth, args.outdir = args.args
        args.bin = None
    else:
        if len(args.args) != 3:
            ap.error("CANCELFLOW_BIN TRUTH OUTDIR")
        args.bin, args.truth, args.outdir = args.args
    args.json_dir and os.makedirs(args.json_dir, exist_ok=True)
    try:
        truth = load_truth(args.truth)
    except (OSError, ValueError, KeyError, TruthError) as e:
        print(f"score.py: {e}", file=sys.stderr)
        return 2
    if args.self_test:
        return 0 if self_test(args, truth) else 1
    rows = run_all(args, truth, prepare_all(args))
    return 1 if any(fails for *_, fails in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
