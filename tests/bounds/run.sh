#!/usr/bin/env bash
# Writes the adversarial trace shapes of issue 14 (tests/corpus/progs/cmd/bounds, go run)
# and checks every command's peak RSS and output sizes on them.
#   run.sh CANCELFLOW PYTHON3 OUTDIR
set -euo pipefail
cancelflow=$1 python=$2 outdir=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
gen() {  # gen NAME ARGS...: the trace is kept between runs (the generator is deterministic in shape)
  local name=$1
  shift
  local prog=$here/../corpus/progs/cmd/bounds
  if [[ ! -s $outdir/$name.trace || $prog/main.go -nt $outdir/$name.trace ]]; then
    (cd "$prog" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go run . "$@" -o "$outdir/$name.trace")
  fi
}
gen wake-one -shape wake-one -n 500000   # one goroutine woken by 500k cancels
gen alive -shape alive -n 250000         # 250k goroutines alive at the end
gen fanout -shape fanout -n 10000 -w 100 # 10k cancellations waking 100 goroutines each
exec "$python" "$here/check_bounds.py" "$cancelflow" "$outdir/wake-one.trace" "$outdir/alive.trace" "$outdir/fanout.trace"
