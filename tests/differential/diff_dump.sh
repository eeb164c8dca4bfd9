#!/usr/bin/env bash
# Differential test: `cancelflow dump --format=go-MODE` against
# `go tool trace -d=MODE`, byte for byte on stdout, over every trace found in
# the given files and directories (*.trace, *.bin; *.test files of Go's raw
# text format are first converted to binary with `cancelflow text2bin`).
#
# usage: diff_dump.sh MODE CANCELFLOW_BIN PATH...      (MODE: wire | parsed)
#
# Verdicts must agree too: when Go fails, cancelflow must fail. When Go
# succeeds, cancelflow must succeed, with two deliberate exceptions:
# - wire mode: Go's raw reader (-d=wire) reads a flat event stream and accepts
#   structurally broken traces (truncated or oversized batches, generation 0
#   or out of order, reused string/stack ids, a missing Go 1.26
#   end-of-generation byte). cancelflow prints the same events, then reports
#   the problem with its byte offset (exit 2). These are counted as "stricter".
# - v1 traces (Go <= 1.21): cancelflow rejects them with "unsupported trace
#   version" where Go prints nothing (-d=wire) or converts them (-d=parsed).
set -uo pipefail
# The Sync event's wall clock is printed in local time by both tools.
[[ "${CANCELFLOW_KEEP_TZ:-0}" == 1 ]] || export TZ=UTC
mode=$1 bin=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

files=()
for p in "$@"; do
  if [[ -d $p ]]; then
    while IFS= read -r f; do files+=("$f"); done < <(find "$p" -type f \( -name '*.trace' -o -name '*.bin' -o -name '*.test' \) | sort)
  else
    files+=("$p")
  fi
done
((${#files[@]})) || { echo "no traces found in: $*" >&2; exit 1; }

pass=0 fail=0 stricter=0
for f in "${files[@]}"; do
  input=$f
  if [[ $f == *.test ]]; then
    input=$work/converted.trace
    if ! "$bin" text2bin "$f" "$input" 2>"$work/conv.err"; then
      echo "FAIL $f: text2bin: $(cat "$work/conv.err")"; fail=$((fail + 1)); continue
    fi
  fi
  go tool trace -d="$mode" "$input" >"$work/go.out" 2>"$work/go.err"; go_rc=$?
  "$bin" dump --format="go-$mode" "$input" >"$work/cf.out" 2>"$work/cf.err"; cf_rc=$?
  why="" stdout_exempt=0
  if ((cf_rc != 0)) && [[ $mode == parsed ]] && grep -q "unsupported trace version go 1\.\(11\|19\|21\)" "$work/cf.err"; then
    stdout_exempt=1
  fi
  if ((stdout_exempt == 0)) && ! cmp -s "$work/go.out" "$work/cf.out"; then
    why="stdout differs"
  elif ((go_rc != 0 && cf_rc == 0)); then
    why="go failed ($(head -c 300 "$work/go.err")) but cancelflow succeeded"
  elif ((go_rc == 0 && cf_rc != 0)); then
    if grep -q "unsupported trace version go 1\.\(11\|19\|21\)" "$work/cf.err"; then
      [[ $mode == parsed ]] && stdout_exempt=1
      stricter=$((stricter + 1))
    elif [[ $mode == wire ]] && grep -q "at byte [0-9]" "$work/cf.err"; then
      stricter=$((stricter + 1))
    else
      why="go succeeded but cancelflow failed: $(head -c 300 "$work/cf.err")"
    fi
  fi
  if [[ -n $why ]]; then
    fail=$((fail + 1))
    echo "FAIL $f: $why (go rc=$go_rc, cancelflow rc=$cf_rc)"
    diff <(head -c 2000000 "$work/go.out") <(head -c 2000000 "$work/cf.out") | head -n 20
  else
    pass=$((pass + 1))
  fi
done
echo "diff_dump $mode: $pass passed, $fail failed ($stricter where cancelflow reports an error Go's reader does not)"
((fail == 0))
