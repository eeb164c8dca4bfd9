#!/usr/bin/env bash
# The flight recorder writes the runtime's goroutine leak profile beside each
# snapshot (X.trace -> X.goroutineleak), and cancelflow finds it there by name:
# the goroutine the profile marks leaked is a proven leak in a flight snapshot,
# where timing alone proves nothing. Go 1.26 needs
# GOEXPERIMENT=goroutineleakprofile (Go 1.27+ has the profile always).
# usage: flightrec_leakprofile.sh CANCELFLOW GO_MODULE_DIR WORKDIR
set -euo pipefail
cf=$1 gomod=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
experiment=goroutineleakprofile
[[ -n "${GOEXPERIMENT:-}" ]] && experiment="$GOEXPERIMENT,goroutineleakprofile"
(cd "$gomod" && GOEXPERIMENT=$experiment CANCELFLOW_FLIGHTREC_KEEP="$work" \
  go test -count=1 -run '^TestSnapshotWritesTheLeakProfileBesideIt$' -v ./flightrec) > "$work/go-test.log" 2>&1 ||
  { cat "$work/go-test.log"; exit 1; }
if grep -q -- '--- SKIP' "$work/go-test.log"; then cat "$work/go-test.log"; echo "FAIL: the test skipped: no leak profile"; exit 1; fi
traces=("$work"/*.trace)
[[ ${#traces[@]} -eq 1 && -f ${traces[0]} ]] || { ls -la "$work"; echo "FAIL: want one snapshot"; exit 1; }
[[ -f ${traces[0]%.trace}.goroutineleak ]] || { ls -la "$work"; echo "FAIL: no leak profile beside the snapshot"; exit 1; }
"$cf" analyze --json "${traces[0]}" > "$work/with.json"
"$cf" analyze --json --no-leak-profile "${traces[0]}" > "$work/without.json"
"${CANCELFLOW_PYTHON:-python3}" - "$work/with.json" "$work/without.json" <<'PY'
import json, sys
with_, without = (json.load(open(p)) for p in sys.argv[1:3])
fail = []
if with_["trace"]["scope"] != "flight":
    fail.append(f"scope {with_['trace']['scope']}, want flight")
lp = with_["data_quality"]["leak_profile"]
if not lp or lp["leaked_joined"] < 1 or not lp["path"].endswith(".goroutineleak"):
    fail.append(f"the profile beside the snapshot was not joined: {lp}")
def demo(doc):
    return [f for f in doc["findings"] if f["rule"] == "leaked-goroutine" and "leakdemo.LeakOne" in f["start_func"]]
got = demo(with_)
if len(got) != 1 or got[0]["certainty"] != "proven" or got[0]["severity"] != "error":
    fail.append(f"want one proven leaked-goroutine error for leakdemo.LeakOne, got {[(f['certainty'], f['severity']) for f in got]}")
if without["data_quality"]["leak_profile"] is not None or any(f["certainty"] == "proven" for f in demo(without)):
    fail.append("--no-leak-profile still joined the profile")
for f in fail:
    print("FAIL:", f)
if not fail:
    print("ok: the flight snapshot's leak profile was found by name and proved the leak")
sys.exit(1 if fail else 0)
PY
