#!/usr/bin/env bash
# Writes the hostile-strings trace (tests/inert/hostile, go run) and runs
# every cancelflow command on it (check_outputs.py).
#   run.sh CANCELFLOW PYTHON3 OUTDIR
set -euo pipefail
cancelflow=$1 python=$2 outdir=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
(cd "$here/hostile" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go run . -o "$outdir/hostile.trace")
exec "$python" "$here/check_outputs.py" "$cancelflow" "$outdir/hostile.trace" "$outdir"
