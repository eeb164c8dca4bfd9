#!/usr/bin/env bash
# `cancelflow stats` counts the same events per type as `go tool trace
# -d=footprint` (Go's footprint re-encodes varints minimally, so only the
# counts are compared; cancelflow also reports bytes as written).
# Traces Go's flat raw reader cannot read (it rejects the experimental
# AllocFree events of Go 1.23/1.24 traces, which its full reader accepts, and
# v1 traces) are skipped and listed.
# usage: diff_footprint.sh CANCELFLOW_BIN PATH...   (files or directories of *.trace)
set -uo pipefail
bin=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
files=()
for p in "$@"; do
  if [[ -d $p ]]; then
    while IFS= read -r f; do files+=("$f"); done < <(find "$p" -type f -name '*.trace' ! -name 'truncated*' | sort)
  else
    files+=("$p")
  fi
done
((${#files[@]})) || { echo "no traces found in: $*" >&2; exit 1; }
pass=0 fail=0 skip=0
for f in "${files[@]}"; do
  if ! go tool trace -d=footprint "$f" >/dev/null 2>"$work/goerr"; then
    echo "skip $f: go tool trace -d=footprint fails: $(head -c 200 "$work/goerr")"
    skip=$((skip + 1))
    continue
  fi
  # Go: "Name Bytes Pct Count Pct" rows; keep "Name Count" for non-zero counts.
  go tool trace -d=footprint "$f" 2>/dev/null | awk 'NR>2 && $(NF-1)>0 {print $1, $(NF-1)}' | sort >"$work/go"
  # cancelflow stats: rows after the "event bytes % count %" header.
  "$bin" stats "$f" 2>/dev/null | awk 'seen && NF==5 {print $1, $4} /^event +bytes/ {seen=1}' | sort >"$work/cf"
  if [[ -s $work/go ]] && cmp -s "$work/go" "$work/cf"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $f: per-event counts differ (< go, > cancelflow)"
    diff "$work/go" "$work/cf" | head -n 20
  fi
done
echo "diff_footprint: $pass passed, $fail failed, $skip skipped"
((pass > 0)) || { echo "nothing compared" >&2; exit 1; }
((fail == 0))
