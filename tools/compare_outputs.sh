#!/usr/bin/env bash
# Compares the outputs of two cancelflow binaries byte for byte, trace by
# trace: perfetto, html, pprof, analyze (text and --json) and check (--json,
# --sarif, --junit), with their stdout, stderr and exit status. Used to show
# that a refactoring of the writers leaves every output unchanged.
#
# Usage: tools/compare_outputs.sh OLD_BINARY NEW_BINARY TRACE_OR_DIR...
#   Directories are searched for *.trace files. Prints one line per
#   difference and a summary; exits 1 if anything differs, 2 on bad usage.
#   KEEP=DIR keeps the outputs in DIR (default: a temporary directory).
set -u
if [ $# -lt 3 ]; then
  echo "usage: $0 OLD_BINARY NEW_BINARY TRACE_OR_DIR..." >&2
  exit 2
fi
old=$(realpath "$1")
new=$(realpath "$2")
shift 2
for b in "$old" "$new"; do
  [ -x "$b" ] || { echo "not executable: $b" >&2; exit 2; }
done

traces=()
for arg in "$@"; do
  if [ -d "$arg" ]; then
    while IFS= read -r f; do traces+=("$(realpath "$f")"); done < <(find "$arg" -type f -name '*.trace' | sort)
  elif [ -f "$arg" ]; then
    traces+=("$(realpath "$arg")")
  else
    echo "no such trace or directory: $arg" >&2
    exit 2
  fi
done
[ ${#traces[@]} -gt 0 ] || { echo "no traces found" >&2; exit 2; }

work=${KEEP:-$(mktemp -d)}
mkdir -p "$work"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT

# run BIN DIR NAME ARGS...: runs BIN ARGS in DIR (output paths are relative,
# so the "wrote FILE" lines match), keeping stdout, stderr and the status.
run() {
  local bin=$1 dir=$2 name=$3
  shift 3
  mkdir -p "$dir"
  (cd "$dir" && "$bin" "$@" >"$name.stdout" 2>"$name.stderr"; echo $? >"$name.status")
}

commands=(perfetto html pprof analyze analyze-json check)
compared=0
differ=0
files=0
i=0
for t in "${traces[@]}"; do
  i=$((i + 1))
  for side in old new; do
    bin=$old
    [ $side = new ] && bin=$new
    d="$work/$i/$side"
    run "$bin" "$d" perfetto perfetto "$t" -o out.pftrace
    run "$bin" "$d" html html "$t" -o out.html
    run "$bin" "$d" pprof pprof "$t" -o out.pb.gz
    run "$bin" "$d" analyze analyze --color never "$t"
    run "$bin" "$d" analyze-json analyze --json "$t"
    run "$bin" "$d" check check -q --json check.json --sarif check.sarif --junit check.xml "$t"
  done
  compared=$((compared + 1))
  for f in $(cd "$work/$i/old" && ls); do
    files=$((files + 1))
    if ! cmp -s "$work/$i/old/$f" "$work/$i/new/$f"; then
      echo "DIFF $t: $f"
      differ=$((differ + 1))
    fi
  done
  for f in $(cd "$work/$i/new" && ls); do
    [ -e "$work/$i/old/$f" ] || { echo "DIFF $t: $f (new only)"; differ=$((differ + 1)); }
  done
done
echo "compared ${compared} traces x ${#commands[@]} commands (${files} files: outputs, stdout, stderr, status): ${differ} differ"
[ $differ -eq 0 ]
