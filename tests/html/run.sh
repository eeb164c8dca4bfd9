#!/usr/bin/env bash
# Writes the HTML report of a trace and checks it in headless Chromium.
#   run.sh MODE CANCELFLOW TRACE OUTDIR
# MODE is report_test.mjs's --mode; for "hostile", TRACE is ignored and the
# trace is written by tests/html/hostile (go run); for "large", by
# tests/corpus/progs/cmd/bounds -shape planted. The screenshot is kept at
# OUTDIR/<name>.png (CI uploads it).
set -euo pipefail
mode=$1 cancelflow=$2 trace=$3 outdir=$4
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [[ -z "$chromium" ]]; then
  echo "chromium is not installed: run scripts/setup.sh (Debian package chromium)" >&2
  exit 1
fi
name=$mode
# Unusable input: exit status 2, no report written.
rc=0
"$cancelflow" html "$outdir/does-not-exist.trace" -o "$outdir/missing.html" 2>/dev/null || rc=$?
if [[ $rc != 2 || -e $outdir/missing.html ]]; then
  echo "FAIL cancelflow html on a missing trace: exit $rc (want 2), or it wrote a file" >&2
  exit 1
fi
if [[ $mode == large ]]; then
  # A >= 100 MB trace with bugs planted over the whole run (tests/corpus/progs/cmd/bounds,
  # shape planted); kept between runs, like tests/bounds' shapes.
  trace=$outdir/planted.trace
  prog=$here/../corpus/progs/cmd/bounds
  if [[ ! -s $trace || $prog/planted.go -nt $trace ]]; then
    (cd "$prog" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go run . -shape planted -mb 110 -o "$trace")
  fi
  echo "trace: $trace ($(stat -c %s "$trace") bytes)"
  "$cancelflow" html "$trace" -o "$outdir/$name.html"
elif [[ $mode == hostile ]]; then
  trace=$outdir/hostile.trace
  (cd "$here/hostile" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go run . -o "$trace")
  # The same pass as the text report: analyze --html.
  "$cancelflow" analyze "$trace" --html "$outdir/$name.html" > "$outdir/$name.txt" || [[ $? == 1 ]]
else
  "$cancelflow" html "$trace" -o "$outdir/$name.html"
fi
size=$(stat -c %s "$outdir/$name.html")
echo "report: $outdir/$name.html ($size bytes)"
exec node "$here/report_test.mjs" --chromium "$chromium" --html "$outdir/$name.html" \
  --screenshot "$outdir/$name.png" --mode "$mode"
