#!/usr/bin/python3
"""Scores cancelflow on Go's goroutine leak corpus (README.md in this directory).

For each case of corpus.tar.xz (NAME.trace, NAME.leakprof, NAME.survivors; see
generate.sh) it runs `cancelflow analyze --json` twice, with the leak profile
and with the trace only, and compares the goroutines its findings name with:
  leaked   the goroutines the runtime's profile marks "(leaked)" (each matched
           against the runtime test's expectations, truth.json);
  exits    goroutines alive when the trace ended (listed in the profile) that
           were gone 2 s later while the program did nothing more: they
           exited on their own;
  alive    the others still alive then, not marked leaked (reachable waits,
           e.g. a channel held by a global): neither a leak the runtime proves
           nor a goroutine that exits on its own.
Asserted (issue 20, "Done when"):
  profile mode: every leaked goroutine is reported `proven`; no finding names
                a goroutine that exits on its own;
  trace only:   every leaked goroutine is reported (at least `likely`); no
                `certain` or `proven` finding names one that exits on its own.
Also checked: every leak the profile reports matches an expected pattern of
its case, and every non-flaky expected pattern was reproduced (else the
committed corpus does not show what the runtime test expects).

usage: score.py CANCELFLOW CORPUS_DIR  (CORPUS_DIR: tests/leakcorpus)
"""
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile

HEADER = re.compile(r"^goroutine (\d+)(?: gp=\S+ m=\S+(?: mp=\S+)?)? \[(.*)\]:$")


def read_profile(path):
    """goroutine id -> (leaked, runtime-test signature "func(args) [reason]")."""
    out = {}
    blocks = open(path, errors="replace").read().split("\n\n")
    for b in blocks:
        lines = b.strip("\n").split("\n")
        m = HEADER.match(lines[0]) if lines else None
        if not m:
            continue
        gid, state = int(m.group(1)), m.group(2)
        leaked = "(leaked)" in state
        reason = re.sub(r", \d+ minutes?", "", state.replace(" (leaked)", ""))
        func = ""
        for i in range(len(lines) - 1, -1, -1):
            if lines[i].startswith("created by") and i >= 2:
                func = lines[i - 2]
                break
        if func.startswith("main."):
            func = func[len("main."):]
        out[gid] = (leaked, "%s [%s]" % (func, reason))
    return out


def analyze(cancelflow, trace, profile):
    args = [cancelflow, "analyze", "--json", trace]
    args += ["--leak-profile", profile] if profile else ["--no-leak-profile"]
    p = subprocess.run(args, capture_output=True, text=True, timeout=300)
    if p.returncode not in (0, 1):
        raise SystemExit("score.py: %s exited %d: %s" % (" ".join(args), p.returncode, p.stderr[-2000:]))
    flagged = {}  # goroutine id -> strongest certainty
    rank = {"likely": 1, "certain": 2, "proven": 3}
    for f in json.loads(p.stdout)["findings"]:
        for g in f.get("goroutines") or []:
            if rank[f["certainty"]] > rank.get(flagged.get(g), 0):
                flagged[g] = f["certainty"]
    return flagged


def main():
    cancelflow, corpus_dir = sys.argv[1], sys.argv[2]
    truth = json.load(open(os.path.join(corpus_dir, "truth.json")))
    work_dir = tempfile.TemporaryDirectory(prefix="leakcorpus-")
    work = work_dir.name
    with tarfile.open(os.path.join(corpus_dir, "corpus.tar.xz")) as t:
        for member in t.getmembers():  # plain files named NAME.ext only
            if member.isfile() and "/" not in member.name.removeprefix("./") and ".." not in member.name:
                t.extract(member, work)
    modes = {"profile": {}, "trace": {}}
    for mode in modes:
        modes[mode] = {k: 0 for k in ("leaked", "found", "found_proven", "found_certain", "flagged", "flagged_exits",
                                      "flagged_exits_strong", "flagged_alive", "exits")}
    problems, notes = [], []
    # Expected leak sites (the runtime test's non-flaky patterns): reported
    # when a goroutine matching the pattern is (profile: proven; trace: any).
    sites = {"expected": 0, "profile": 0, "trace": 0}
    rows = []
    for name in sorted(truth):
        if truth[name]["stress"]:
            continue  # not generated (extract_truth.py)
        trace = os.path.join(work, name + ".trace")
        if not os.path.exists(trace):
            problems.append("%s: no trace in the corpus" % name)
            continue
        prof = read_profile(os.path.join(work, name + ".leakprof"))
        survivors = {int(x) for x in open(os.path.join(work, name + ".survivors")).read().split()}
        leaked = {g for g, (l, _) in prof.items() if l}
        # Goroutine 1 runs the case and the profile; the trace reader ends with the trace.
        exits = {g for g in prof if g not in survivors and g != 1 and not prof[g][1].startswith("runtime/trace.")}
        # The runtime test's expectations: each leak matches a pattern.
        pats = [re.compile(p) for p in truth[name]["leaks"]]
        seen = set()
        for g in sorted(leaked):
            hit = [p.pattern for p in pats if p.search(prof[g][1])]
            if not hit:
                problems.append("%s: goroutine %d leaked as %r, which the runtime test does not expect" %
                                (name, g, prof[g][1]))
            seen.update(hit)
        if not truth[name]["flaky"]:
            for p in truth[name]["leaks"]:
                if p not in seen:
                    problems.append("%s: the corpus run did not reproduce the expected leak %s" % (name, p))
        row = [name, len(leaked), len(exits)]
        site_goroutines = {p.pattern: {g for g in leaked if p.search(prof[g][1])} for p in pats}
        firm = [] if truth[name]["flaky"] else truth[name]["leaks"]
        sites["expected"] += len(firm)
        for mode in ("profile", "trace"):
            flagged = analyze(cancelflow, trace, os.path.join(work, name + ".leakprof") if mode == "profile" else None)
            s = modes[mode]
            s["leaked"] += len(leaked)
            s["exits"] += len(exits)
            s["found"] += len(leaked & flagged.keys())
            s["found_proven"] += sum(1 for g in leaked if flagged.get(g) == "proven")
            s["found_certain"] += sum(1 for g in leaked if flagged.get(g) == "certain")
            s["flagged"] += len(flagged)
            fe = exits & flagged.keys()
            s["flagged_exits"] += len(fe)
            s["flagged_exits_strong"] += sum(1 for g in fe if flagged[g] in ("certain", "proven"))
            s["flagged_alive"] += len(flagged.keys() - leaked - exits)
            missed = sorted(leaked - flagged.keys())
            if mode == "profile":
                not_proven = sorted(g for g in leaked if flagged.get(g) != "proven")
                if not_proven:
                    problems.append("%s [profile]: leaked goroutines not reported proven: %s" % (name, not_proven))
                if fe:
                    problems.append("%s [profile]: goroutines that exit on their own flagged: %s" %
                                    (name, {g: flagged[g] for g in sorted(fe)}))
            else:
                if missed:
                    problems.append("%s [trace]: leaked goroutines not reported: %s" % (name, missed))
                strong = sorted(g for g in fe if flagged[g] in ("certain", "proven"))
                if strong:
                    problems.append("%s [trace]: goroutines that exit on their own reported certain/proven: %s" %
                                    (name, strong))
                if fe - set(strong):
                    notes.append("%s [trace]: goroutines that exit on their own reported likely: %s" %
                                 (name, sorted(fe - set(strong))))
            row += [len(leaked & flagged.keys()), len(fe), len(flagged.keys() - leaked - exits)]
            for p in firm:
                hits = site_goroutines[p]
                if hits and all((flagged.get(g) == "proven") if mode == "profile" else (g in flagged) for g in hits):
                    sites[mode] += 1
        rows.append(row)

    print("%-26s %6s %5s | %-17s | %-17s" % ("case", "leaked", "exits", "profile: hit/fp/alv", "trace: hit/fp/alv"))
    for r in rows:
        print("%-26s %6d %5d | %5d %5d %5d | %5d %5d %5d" % tuple(r))
    print()
    print("mode     leaked found proven certain  recall  flagged  precision  flagged-exits (certain/proven)  flagged-alive")
    for mode, s in modes.items():
        recall = s["found"] / s["leaked"] if s["leaked"] else 1.0
        precision = s["found"] / s["flagged"] if s["flagged"] else 1.0
        print("%-8s %6d %5d %6d %7d  %6.3f  %7d  %9.3f  %13d (%d)  %13d" %
              (mode, s["leaked"], s["found"], s["found_proven"], s["found_certain"], recall, s["flagged"], precision,
               s["flagged_exits"], s["flagged_exits_strong"], s["flagged_alive"]))
    print("goroutines alive at the trace's end that exited on their own: %d" % modes["trace"]["exits"])
    print("expected leak sites (the runtime test's non-flaky patterns): %d; all their goroutines reported proven "
          "with the profile: %d; reported (at least likely) with the trace only: %d" %
          (sites["expected"], sites["profile"], sites["trace"]))
    for n in notes:
        print("note:", n)
    for p in problems:
        print("FAIL:", p)
    if modes["profile"]["leaked"] == 0:
        problems.append("no leaks in the corpus")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
