#!/usr/bin/env bash
# Cancellation injection finds what the happy path hides (docs/ci.md):
# go/internal/injectdemo's test passes and its trace is clean without
# injection; with CANCELFLOW_INJECT the early cancel exposes the worker that
# ignores ctx.Done() and `cancelflow check` fails; the same seed gives the
# same finding (fingerprint) again.
# usage: inject_e2e.sh CANCELFLOW_BIN OUTDIR
set -euo pipefail
bin=$1
out=$(mkdir -p "$2" && realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../../go"
export GOTOOLCHAIN=local

rm -f "$out"/*.trace  # traces are created exclusively (ctxtracetest)
CANCELFLOW_TRACE=$out/plain.trace go test -count=1 ./internal/injectdemo >/dev/null
"$bin" check -q "$out/plain.trace" || { echo "FAIL: the happy path should be clean without injection"; exit 1; }

fingerprints=()
for run in 1 2; do
  CANCELFLOW_INJECT=seed=7,rate=1,delay=5ms CANCELFLOW_TRACE=$out/inject-$run.trace \
    go test -count=1 ./internal/injectdemo >/dev/null 2>&1
  set +e
  "$bin" check "$out/inject-$run.trace" >"$out/inject-$run.txt" 2>&1
  rc=$?
  set -e
  if ((rc != 1)); then
    echo "FAIL: with injection (run $run) check exited $rc, want 1"; cat "$out/inject-$run.txt"; exit 1
  fi
  grep -q 'fetch-worker' "$out/inject-$run.txt" || { echo "FAIL: the finding does not name the worker"; cat "$out/inject-$run.txt"; exit 1; }
  fingerprints+=("$(grep -o 'fingerprint: [0-9a-f]*' "$out/inject-$run.txt" | sort | tr '\n' ' ')")
done
if [[ "${fingerprints[0]}" != "${fingerprints[1]}" ]]; then
  echo "FAIL: the same seed gave different findings: ${fingerprints[0]} vs ${fingerprints[1]}"; exit 1
fi
echo "inject_e2e: clean without injection; with seed 7 both runs fail with ${fingerprints[0]}"
