#!/usr/bin/env bash
# Differential test: `cancelflow dump --format=go-parsed` must print exactly
# what `go tool trace -d=parsed` prints, byte for byte on stdout, and agree on
# the verdict (accept = exit 0, reject = non-zero).
#
# usage: diff_parsed.sh CANCELFLOW_BIN TRACE|DIR...
#        a DIR stands for every *.trace and *.bin file under it (recursively).
#        Old-format (v1, Go <= 1.21) traces are skipped: cancelflow rejects
#        them on purpose while Go converts them.
# env:   GO (default: go), TZ is forced to UTC for both tools unless
#        CANCELFLOW_KEEP_TZ=1 (the Sync wall clock is printed in local time).
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 CANCELFLOW_BIN TRACE|DIR..." >&2
  exit 2
fi
bin=$1
shift
go=${GO:-go}
if [[ "${CANCELFLOW_KEEP_TZ:-0}" != 1 ]]; then
  export TZ=UTC
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

traces=()
for arg in "$@"; do
  if [[ -d $arg ]]; then
    while IFS= read -r -d '' f; do traces+=("$f"); done \
      < <(find "$arg" -type f \( -name '*.trace' -o -name '*.bin' \) -print0 | sort -z)
  elif [[ -f $arg ]]; then
    traces+=("$arg")
  else
    echo "FAIL $arg: no such file or directory" >&2
    exit 1
  fi
done
if [[ ${#traces[@]} -eq 0 ]]; then
  echo "FAIL: no traces found in $*" >&2
  exit 1
fi

fail=0
n=0
skipped=0
for trace in "${traces[@]}"; do
  case "$(head -c 16 "$trace" | tr -d '\0')" in
    "go 1.11 trace" | "go 1.19 trace" | "go 1.21 trace")
      echo "skip $trace (v1 trace format, unsupported by design)"
      skipped=$((skipped + 1))
      continue
      ;;
  esac
  n=$((n + 1))
  set +e
  "$go" tool trace -d=parsed "$trace" >"$tmp/go.out" 2>"$tmp/go.err"
  go_rc=$?
  "$bin" dump --format=go-parsed "$trace" >"$tmp/cf.out" 2>"$tmp/cf.err"
  cf_rc=$?
  set -e
  go_verdict=accept
  [[ $go_rc -ne 0 ]] && go_verdict=reject
  cf_verdict=accept
  [[ $cf_rc -ne 0 ]] && cf_verdict=reject
  if ! cmp -s "$tmp/go.out" "$tmp/cf.out"; then
    echo "FAIL $trace: stdout differs from go tool trace -d=parsed" >&2
    diff -u "$tmp/go.out" "$tmp/cf.out" | head -40 >&2 || true
    fail=$((fail + 1))
  elif [[ $go_verdict != "$cf_verdict" ]]; then
    echo "FAIL $trace: verdict go=$go_verdict (rc $go_rc) cancelflow=$cf_verdict (rc $cf_rc)" >&2
    head -c 600 "$tmp/go.err" >&2 || true
    head -c 600 "$tmp/cf.err" >&2 || true
    fail=$((fail + 1))
  else
    echo "ok   $trace ($go_verdict, $(wc -l <"$tmp/go.out") lines)"
  fi
done
echo "$((n - fail))/$n traces identical ($skipped v1 traces skipped)"
[[ $fail -eq 0 ]]
