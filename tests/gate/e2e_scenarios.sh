#!/usr/bin/env bash
# End to end: `go test` with ctxtracetest on every scenario package writes a
# trace; `cancelflow check` must fail exactly the buggy tests (TestBuggy_*)
# and pass the negative controls (TestControl_*), subtests and t.Parallel
# tests included. Also checks the report formats on real traces (SARIF
# against the official schema, JUnit structure), the exit statuses, the
# baseline round trip and the GitHub annotations.
#
# usage: e2e_scenarios.sh CANCELFLOW_BIN OUTDIR
set -euo pipefail
bin=$(realpath "$1")
out=$(mkdir -p "$2" && realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
py=${CANCELFLOW_PYTHON:-python3}  # needs jsonschema (Debian python3-jsonschema, installed by scripts/setup.sh)
rm -rf "$out/traces" && mkdir -p "$out/traces"
fail() { echo "e2e: FAIL: $*" >&2; exit 1; }

# 1. go test writes one trace per scenario package. The buggy tests pass as Go
#    tests: only cancelflow sees the bugs.
cd "$src/go"
for dir in scenarios/*/; do
  name=$(basename "$dir")
  [[ -f $dir/main_test.go ]] || continue
  CANCELFLOW_TRACE="$out/traces/$name.trace" go test -count=1 "./$dir" >"$out/traces/$name.log" 2>&1 ||
    { cat "$out/traces/$name.log" >&2; fail "go test ./$dir"; }
done

# 2. The gate over the directory, config from tests/gate/e2e.cancelflow.json (fail on notes too:
#    late-deadline is a note by default).
cd "$out"
set +e
"$bin" check traces --config "$here/e2e.cancelflow.json" --junit "$out/junit.xml" --sarif "$out/check.sarif" \
  --github >"$out/check.out" 2>"$out/check.err"
rc=$?
set -e
cat "$out/check.err"
[[ $rc == 1 ]] || { cat "$out/check.out"; fail "check exit status $rc, want 1"; }

"$py" "$src/tests/report/validate_sarif.py" "$src/tests/schemas/sarif-schema-2.1.0.json" "$out/check.sarif"
"$py" "$src/tests/report/validate_junit.py" "$out/junit.xml"

# 3. Exactly the buggy tests fail: every top-level TestBuggy_* has a failure,
#    no TestControl_* test or subtest has one, and the SARIF locations are
#    relative to the module root (go/), at user frames of the scenarios.
"$py" - "$out/junit.xml" "$out/check.sarif" "$src/go/scenarios" <<'PY'
import json, os, re, sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
failed, passed = set(), set()
for suite in root:
    for case in suite.iter("testcase"):
        name = case.get("name")
        if name == "cancelflow":  # findings outside any test
            continue
        (failed if case.find("failure") is not None else passed).add(name)
want_buggy, want_control = set(), set()
for d in sorted(os.listdir(sys.argv[3])):
    p = os.path.join(sys.argv[3], d, "main_test.go")
    if os.path.exists(p):
        for m in re.finditer(r"^func (Test(Buggy|Control)_\w+)\(", open(p).read(), re.M):
            (want_buggy if m.group(2) == "Buggy" else want_control).add(m.group(1))
errors = []
seen = failed | passed
for t in sorted(want_buggy | want_control):
    if t not in seen:
        errors.append(f"{t}: no testcase (test markers missing?)")
for t in sorted(want_buggy):
    if t in passed:
        errors.append(f"{t}: buggy test passed the gate")
for t in sorted(seen):
    if t.split("/")[0] in want_control and t in failed:
        errors.append(f"{t}: control test failed the gate")
subtests = [t for t in seen if "/" in t]
if not subtests:
    errors.append("no subtests seen")
# The subtest that leaks fails, its healthy parallel sibling passes.
if "TestBuggy_EarlyReturnSkipsCancel/odd-item-leaks" not in failed:
    errors.append("TestBuggy_EarlyReturnSkipsCancel/odd-item-leaks should fail")
if "TestBuggy_EarlyReturnSkipsCancel/even-item-ok" not in passed:
    errors.append("TestBuggy_EarlyReturnSkipsCancel/even-item-ok should pass")
sarif = json.load(open(sys.argv[2]))
results = sarif["runs"][0]["results"]
if not results:
    errors.append("SARIF has no results")
for r in results:
    for loc in r["locations"]:
        art = loc["physicalLocation"]["artifactLocation"]
        if art.get("uriBaseId") != "SRCROOT" or not art["uri"].startswith("scenarios/"):
            errors.append(f"SARIF location not relative to the module root: {art}")
        if loc["physicalLocation"].get("region", {}).get("startLine", 0) < 1:
            errors.append(f"SARIF location without a line: {loc}")
if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
print(f"e2e: {len(failed)} failing testcases, {len(passed)} passing; buggy {sorted(want_buggy)}; controls {sorted(want_control)}")
PY

# 4. GitHub annotations: one ::error/::warning/::notice line per finding with a file and line.
grep -qE '^::(error|warning|notice) file=scenarios/[a-z_]+/main\.go,line=[0-9]+,title=' "$out/check.out" ||
  fail "no GitHub annotation"

# 5. Controls alone are clean (exit 0); a baseline of everything makes the whole set pass.
"$bin" check traces/ok_*.trace -q --config "$here/e2e.cancelflow.json" || fail "controls: exit $?, want 0"
"$bin" check traces -q --config "$here/e2e.cancelflow.json" --write-baseline "$out/baseline.json" >/dev/null 2>&1 || true
"$bin" check traces -q --config "$here/e2e.cancelflow.json" --baseline "$out/baseline.json" ||
  fail "baselined run: exit $?, want 0"

# 6. Errors: a missing trace and a bad config are exit 2.
set +e
"$bin" check "$out/missing.trace" -q 2>/dev/null; rc=$?
[[ $rc == 2 ]] || fail "missing trace: exit $rc, want 2"
echo '{"fail_on": "sometimes"}' >"$out/bad.json"
"$bin" check traces -q --config "$out/bad.json" 2>/dev/null; rc=$?
[[ $rc == 2 ]] || fail "bad config: exit $rc, want 2"
set -e
echo "e2e: ok"
