#!/usr/bin/python3
"""Writes truth.json: the leaks Go's runtime test expects of each case of its
goroutine leak corpus, read from $GOROOT/src/runtime/goroutineleakprofile_test.go
(TestGoroutineLeakProfile's makeTest / makeFlakyTest calls).

Each case: its directory ("." for the micro, stress and pattern tests,
"goker" for the GoKer bugs), whether the runtime test runs it "simple"
(GOMAXPROCS=1, makeTest), and its leak patterns. A pattern is the runtime
test's regular expression, matched against "<start function without main.>(...) [<wait reason>]"
(the frame above "created by" and the goroutine header's wait reason). The
patterns of makeFlakyTest cases are flaky: real leaks whose detection depends
on scheduling, so a run may not show them. Stress cases (SpawnGC, DaisyChain)
are marked: the runtime test does not check what they leak ("only intended to
stress the goroutine leak detector"), SpawnGC writes its profile to
io.Discard, and their traces are the largest; generate.sh skips them.

usage: extract_truth.py GOROOT > truth.json
"""
import json
import re
import sys

src = open(sys.argv[1] + "/src/runtime/goroutineleakprofile_test.go").read()
# Drop line comments (the excluded Kubernetes1321 case is commented out).
src = "\n".join(l for l in src.splitlines() if not l.strip().startswith("//"))
goker_at = src.index("gokerTestCases := []testCase{")
stress_at, patterns_at = src.index("stressTestCases := []testCase{"), src.index("patternTestCases := []testCase{")
cases = {}
for m in re.finditer(r'make(Flaky)?Test\(\s*"(\w+)"((?:\s*,\s*`[^`]*`)*)\s*,?\s*\)', src):
    flaky, name, rest = m.group(1) is not None, m.group(2), m.group(3)
    cases[name] = {
        "dir": "goker" if m.start() > goker_at else ".",
        "simple": not flaky,
        "flaky": flaky,
        # The runtime test runs its stress tests without checking their leaks.
        "stress": stress_at < m.start() < patterns_at,
        "leaks": re.findall(r"`([^`]*)`", rest),
    }
if len(cases) < 60:
    sys.exit("extract_truth.py: found only %d cases; the test file's shape changed" % len(cases))
json.dump(cases, sys.stdout, indent=1, sort_keys=True)
print()
