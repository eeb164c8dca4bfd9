#!/usr/bin/env bash
# Side-by-side comparison of cancelflow with Go's reference reader, in one run
# on the same machine. For each trace size it generates a stress trace (cached
# under $CANCELFLOW_BENCH_DIR, default build/bench-traces), then runs:
#   cancelflow stats FILE                 (full pass: wire + ordering)
#   goref events FILE                     (golang.org/x/exp/trace ReadEvent loop)
#   go tool trace -d=parsed FILE          (Go's reader + Event.String)
#   go tool trace -d=footprint FILE       (Go's flat raw reader)
# and prints wall time, MB/s, peak RSS and the ratios. Needs the module proxy
# once to build tools/goref.
#
# usage: bench/compare.sh [SIZE_MB...]     (default: 10 100)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sizes=("$@")
((${#sizes[@]})) || sizes=(10 100)
dir=${CANCELFLOW_BENCH_DIR:-$root/build/bench-traces}
mkdir -p "$dir"
cf=$root/build/release/cancelflow
[[ -x $cf ]] || { echo "build the release preset first: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
goref=$dir/goref
(cd "$root/tools/goref" && go build -o "$goref" .)
stress=$dir/stress
(cd "$root/tests/corpus/progs" && GOFLAGS=-mod=mod go build -o "$stress" ./cmd/stress)

# run LABEL CMD... -> prints "LABEL seconds maxrss_kb"
measure() {
  local label=$1
  shift
  /usr/bin/time -o "$dir/time.out" -f "%e %M" "$@" >/dev/null 2>&1 || true
  echo "$label $(tail -n 1 "$dir/time.out")"
}

printf '%-10s %-26s %9s %9s %11s %12s\n' size tool seconds MB/s "peak RSS MB" "vs cancelflow"
for mb in "${sizes[@]}"; do
  trace=$dir/stress-${mb}MB.trace
  if [[ ! -s $trace ]]; then
    "$stress" -bytes $((mb << 20)) -o "$trace" >/dev/null
  fi
  bytes=$(stat -c %s "$trace")
  events=$("$goref" events "$trace" | sed -E 's/.*events=([0-9]+).*/\1/')
  declare -A secs rss
  while read -r label s k; do
    secs[$label]=$s
    rss[$label]=$k
  done < <(
    measure cancelflow-stats "$cf" stats "$trace"
    measure goref-events "$goref" events "$trace"
    measure go-trace-parsed go tool trace -d=parsed "$trace"
    measure go-trace-footprint go tool trace -d=footprint "$trace"
  )
  for label in cancelflow-stats goref-events go-trace-parsed go-trace-footprint; do
    s=${secs[$label]}
    awk -v mb="$((bytes >> 20))" -v label="$label" -v s="$s" -v k="${rss[$label]}" -v b="$bytes" -v base="${secs[cancelflow-stats]}" \
      'BEGIN { t = (s > 0 ? s : 0.005); printf "%-10s %-26s %9.2f %9.1f %11.1f %11.1fx\n", mb "MB", label, s, b / 1048576 / t, k / 1024, t / (base > 0 ? base : 0.005) }'
  done
  echo "           (events: $events; $(awk -v e="$events" -v s="${secs[cancelflow-stats]}" 'BEGIN{printf "%.1f M events/s cancelflow, ", e/(s>0?s:0.005)/1e6}')$(awk -v e="$events" -v s="${secs[goref-events]}" 'BEGIN{printf "%.1f M events/s goref", e/(s>0?s:0.005)/1e6}'))"
done
