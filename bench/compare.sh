#!/usr/bin/env bash
# Side-by-side comparison of cancelflow with Go's reference reader, in one run
# on the same machine. For each trace size it generates a stress trace (cached
# under $CANCELFLOW_BENCH_DIR, default build/bench-traces), then runs:
#   cancelflow stats FILE                 (wire pass, per-M batches on every core)
#   cancelflow stats --threads 1 FILE     (the same on one thread: parallel speed-up)
#   cancelflow stats --ordered FILE       (+ the full ordered pass, Go's ReadEvent loop)
#   cancelflow analyze FILE               (ordered pass + model building + rules, 2 threads)
#   cancelflow analyze --threads 1 FILE   (the same on one thread)
#   taskset -c 0 cancelflow analyze FILE  (the same pinned to one core: parallel speed-up)
#   goref events FILE                     (golang.org/x/exp/trace ReadEvent loop: the reference)
#   go tool trace -d=parsed FILE          (Go's reader + Event.String; skipped for
#                                          sizes >= $CF_SKIP_PARSED_MB, default 500:
#                                          it takes >10 min per GB)
#   go tool trace -d=footprint FILE       (Go's flat raw reader)
# each $CF_REPS times (default 3) and prints min and median wall time, MB/s and
# ordered events/s (of the min), peak RSS (max over the runs) and the speed
# ratio against goref (goref's median / the tool's median; >1 = faster than goref).
# Needs the module proxy once to build tools/goref. The machine is usually
# shared: look at min and median, not at one run.
#
# usage: bench/compare.sh [SIZE_MB...]     (default: 10 100)
#        CF_REPS=5 CF_SKIP_PARSED_MB=500 bench/compare.sh 10 100 1024
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sizes=("$@")
((${#sizes[@]})) || sizes=(10 100)
reps=${CF_REPS:-3}
skip_parsed=${CF_SKIP_PARSED_MB:-500}
dir=${CANCELFLOW_BENCH_DIR:-$root/build/bench-traces}
mkdir -p "$dir"
cf=$root/build/release/cancelflow
[[ -x $cf ]] || { echo "build the release preset first: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
goref=$dir/goref
(cd "$root/tools/goref" && go build -o "$goref" .)
stress=$dir/stress
(cd "$root/tests/corpus/progs" && GOFLAGS=-mod=mod go build -o "$stress" ./cmd/stress)

have_taskset() { command -v taskset >/dev/null && (($(nproc) > 1)); }

# measure LABEL CMD... -> prints "LABEL min_s median_s max_rss_kb" over $reps runs
measure() {
  local label=$1
  shift
  local times=() rss=0 r s k
  for ((r = 0; r < reps; r++)); do
    # Wall time from the shell's microsecond clock (time's %e has 10 ms
    # resolution, too coarse for `stats` on small traces); peak RSS from time.
    local t0=$EPOCHREALTIME
    /usr/bin/time -o "$dir/time.out" -f "%M" "$@" >/dev/null 2>&1 || true
    local t1=$EPOCHREALTIME
    s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
    read -r k < <(tail -n 1 "$dir/time.out")
    times+=("$s")
    ((k > rss)) && rss=$k
  done
  local sorted
  sorted=$(printf '%s\n' "${times[@]}" | sort -g)
  echo "$label $(head -n 1 <<<"$sorted") $(sed -n "$(((reps + 1) / 2))p" <<<"$sorted") $rss"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $reps runs each"
printf '%-8s %-28s %8s %8s %8s %11s %9s %9s\n' size tool "min s" "med s" "MB/s" "M events/s" "RSS MB" "vs goref"
for mb in "${sizes[@]}"; do
  trace=$dir/stress-${mb}MB.trace
  if [[ ! -s $trace ]]; then
    "$stress" -bytes $((mb << 20)) -o "$trace" >/dev/null
  fi
  bytes=$(stat -L -c %s "$trace")
  events=$("$goref" events "$trace" | sed -E 's/.*events=([0-9]+).*/\1/')
  labels=(cancelflow-stats cancelflow-stats-1thread cancelflow-stats-ordered cancelflow-analyze cancelflow-analyze-1thread)
  have_taskset && labels+=(cancelflow-analyze-1cpu)
  labels+=(goref-events go-trace-footprint)
  ((mb < skip_parsed)) && labels+=(go-trace-parsed)
  declare -A tmin tmed rss
  while read -r label a b k; do
    tmin[$label]=$a
    tmed[$label]=$b
    rss[$label]=$k
  done < <(
    measure cancelflow-stats "$cf" stats "$trace"
    measure cancelflow-stats-1thread "$cf" stats --threads 1 "$trace"
    measure cancelflow-stats-ordered "$cf" stats --ordered "$trace"
    measure cancelflow-analyze "$cf" analyze "$trace"
    measure cancelflow-analyze-1thread "$cf" analyze --threads 1 "$trace"
    have_taskset && measure cancelflow-analyze-1cpu taskset -c 0 "$cf" analyze "$trace"
    measure goref-events "$goref" events "$trace"
    measure go-trace-footprint go tool trace -d=footprint "$trace"
    ((mb < skip_parsed)) && measure go-trace-parsed go tool trace -d=parsed "$trace"
  )
  for label in "${labels[@]}"; do
    awk -v mb="$((bytes >> 20))" -v label="$label" -v a="${tmin[$label]}" -v b="${tmed[$label]}" -v k="${rss[$label]}" \
      -v bytes="$bytes" -v ev="$events" -v base="${tmed[goref-events]}" \
      'BEGIN { t = (a > 0 ? a : 0.005); m = (b > 0 ? b : 0.005);
               printf "%-8s %-28s %8.3f %8.3f %8.1f %11.2f %9.1f %8.2fx\n", mb "MB", label, a, b,
                      bytes / 1048576 / t, ev / t / 1e6, k / 1024, (base > 0 ? base : 0.005) / m }'
  done
  echo "         ($bytes bytes, $events ordered events)"
  unset tmin tmed rss
done
