#!/usr/bin/env bash
# Bad input never crashes or hangs: for every malformed input, `cancelflow
# stats` (with and without --ordered), `dump` (both formats) and `analyze` exit with status 2 (or 3, "partial", when
# complete generations were read before the problem) within 10 s and print
# exactly one line on stderr that names the byte offset. Also a missing file
# and a directory.
# usage: check_bad_input.sh CANCELFLOW_BIN CORPUS_DIR
set -uo pipefail
bin=$1 dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
check() {  # check NAME EXPECT_OFFSET ARGS...
  local name=$1 want_offset=$2
  shift 2
  timeout 10 "$bin" "$@" >/dev/null 2>"$work/err"
  local rc=$?
  local lines
  lines=$(wc -l <"$work/err")
  if ((rc != 2 && rc != 3)); then
    echo "FAIL $name ($*): exit status $rc, want 2 or 3"; fail=$((fail + 1)); return
  fi
  if ((lines != 1)); then
    echo "FAIL $name ($*): $lines lines on stderr, want 1:"; cat "$work/err"; fail=$((fail + 1)); return
  fi
  if [[ $want_offset == 1 ]] && ! grep -q "at byte [0-9]" "$work/err"; then
    echo "FAIL $name ($*): message does not name the byte offset: $(cat "$work/err")"; fail=$((fail + 1)); return
  fi
  pass=$((pass + 1))
}
for f in "$dir"/*.bin; do
  name=$(basename "$f" .bin)
  case $name in
    minimal-ok | header-only | experimental-batch | event-outside-version) continue ;;  # valid to the wire layer
  esac
  check "$name" 1 stats "$f"
  check "$name" 1 stats --ordered "$f"
  check "$name" 1 dump --format=go-wire "$f"
  check "$name" 1 dump --format=go-parsed "$f"
  check "$name" 1 analyze "$f"
done
check missing-file 0 stats "$work/does-not-exist.trace"
check directory 0 stats "$work"
check missing-file-analyze 0 analyze "$work/does-not-exist.trace"
echo "bad_input: $pass passed, $fail failed"
((fail == 0))
