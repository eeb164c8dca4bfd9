#!/usr/bin/env python3
"""Compares `cancelflow analyze --json` of two binaries on every trace given.

A refactor of the analysis must not change what it finds. This runs the old
and the new binary on each trace (files, or directories searched recursively
for *.trace) and compares the two JSON documents after dropping the fields
named with --ignore-field (fields the new binary adds) and, unless
--keep-order, after putting the findings in one canonical order (the order of
findings with equal sort keys is not part of the contract being compared).

Usage:
  tools/compare_analyses.py --old OLD_BINARY --new NEW_BINARY [--ignore-field findings.tests]
      [--old-sub REGEX REPLACEMENT]... PATH...

--old-sub rewrites the old binary's output (its JSON text) before the
comparison: for an intended change of wording, so that everything else is
still compared.

Prints one line per trace that differs (and the first differing finding or
key), then "N traces, M differ, K failed in both"; exits 1 when any differ.
"""
import argparse
import json
import os
import re
import subprocess
import sys


def traces(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            for root, _, files in os.walk(p):
                out += [os.path.join(root, f) for f in files if f.endswith(".trace")]
        elif os.path.isfile(p):
            out.append(p)
    return sorted(set(out))


def analyze(binary, trace, timeout, subs=()):
    try:
        r = subprocess.run([binary, "analyze", "--json", trace], capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timeout"
    if not r.stdout.strip():
        return None, "exit %d: %s" % (r.returncode, r.stderr.decode(errors="replace").strip()[:200])
    text = r.stdout.decode(errors="surrogateescape")
    for pattern, replacement in subs:
        text = re.sub(pattern, replacement, text)
    try:
        return json.loads(text), None
    except json.JSONDecodeError as e:
        return None, "bad JSON: %s" % e


def drop(doc, field):
    # "findings.tests": drop key `tests` of every element of doc["findings"].
    head, _, rest = field.partition(".")
    if isinstance(doc, list):
        for x in doc:
            drop(x, field)
    elif isinstance(doc, dict) and head in doc:
        if rest:
            drop(doc[head], rest)
        else:
            del doc[head]


def normalize(doc, ignore, keep_order):
    for f in ignore:
        drop(doc, f)
    if not keep_order and isinstance(doc.get("findings"), list):
        doc["findings"].sort(key=lambda f: json.dumps(f, sort_keys=True))
    return doc


def first_difference(a, b, path=""):
    if type(a) is not type(b):
        return path or "/"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return "%s/%s (only in %s)" % (path, k, "old" if k in a else "new")
            d = first_difference(a[k], b[k], "%s/%s" % (path, k))
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s (length %d vs %d)" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    return None if a == b else "%s: %r vs %r" % (path, str(a)[:160], str(b)[:160])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--ignore-field", action="append", default=[], help="dotted path of a field the new binary adds")
    ap.add_argument("--old-sub", nargs=2, action="append", default=[], metavar=("REGEX", "REPLACEMENT"),
                    help="rewrite the old output's text first (an intended change of wording)")
    ap.add_argument("--keep-order", action="store_true", help="compare the findings' order too")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args()
    files = traces(args.paths)
    differ = failed = 0
    for t in files:
        old, old_err = analyze(args.old, t, args.timeout, args.old_sub)
        new, new_err = analyze(args.new, t, args.timeout)
        if old is None and new is None:
            failed += 1
            if old_err != new_err:
                differ += 1
                print("DIFF %s: old %s, new %s" % (t, old_err, new_err))
            continue
        if old is None or new is None:
            differ += 1
            print("DIFF %s: old %s, new %s" % (t, old_err or "ok", new_err or "ok"))
            continue
        a = normalize(old, args.ignore_field, args.keep_order)
        b = normalize(new, args.ignore_field, args.keep_order)
        if a != b:
            differ += 1
            print("DIFF %s: %s" % (t, first_difference(a, b)))
    print("%d traces, %d differ, %d failed in both" % (len(files), differ, failed))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
