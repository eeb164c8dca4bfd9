#!/bin/sh
# Regenerates the leak corpus traces (tests/leakcorpus/corpus.tar.xz) from Go's
# goroutine leak corpus, $GOROOT/src/runtime/testdata/testgoroutineleakprofile
# (micro, pattern and stress tests) and its goker/ directory (GoKer bugs).
# Needs Go 1.26 (GOEXPERIMENT=goroutineleakprofile); CI never runs it, the
# ctest reads the committed archive (PROVENANCE.md says how it was made).
#
# For each case of truth.json (extract_truth.py), as the runtime's own test
# runs it (GODEBUG=asyncpreemptoff=1, GOMAXPROCS=1 for its non-flaky cases),
# with case_main.go.txt in place of the corpus' main.go:
#   NAME.trace      execution trace from before the case to just after it wrote
#                   its goroutineleak profile;
#   NAME.leakprof   that profile, debug=2 text (all goroutines, leaked ones
#                   marked "(leaked)"), taken by the case itself;
#   NAME.survivors  ids of the goroutines still alive 2 s after the trace
#                   stopped, the program having done nothing more: a goroutine
#                   alive at the trace's end and missing here exited on its own.
# usage: generate.sh [CASE...]   (default: every case but the stress tests)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
goroot=$(go env GOROOT)
corpus=$goroot/src/runtime/testdata/testgoroutineleakprofile
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=$work/out
mkdir -p "$out"

build() {  # dir-in-corpus binary
  src=$work/src-$2
  mkdir -p "$src"
  cp "$corpus/$1"/*.go "$src/"
  rm "$src/main.go"
  cp "$here/case_main.go.txt" "$src/0000_leakcorpus_main.go"
  printf 'module testgoroutineleakprofile\n\ngo 1.26\n' > "$src/go.mod"
  (cd "$src" && GOEXPERIMENT=goroutineleakprofile GOFLAGS= go build -trimpath -buildvcs=false -o "$work/$2" .)
}
build . micro
build goker goker

cases=${*:-$(/usr/bin/python3 -c 'import json,sys; print(" ".join(sorted(k for k, c in json.load(open(sys.argv[1])).items() if not c["stress"])))' "$here/truth.json")}
for name in $cases; do
  set -- $(/usr/bin/python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))[sys.argv[2]]; print("goker" if c["dir"]=="goker" else "micro", "1" if c["simple"] else "")' "$here/truth.json" "$name")
  prog=$1; procs=${2:-}
  env GODEBUG=asyncpreemptoff=1 GOEXPERIMENT=goroutineleakprofile ${procs:+GOMAXPROCS=1} \
    LEAKCORPUS_TRACE="$out/$name.trace" LEAKCORPUS_PROFILE="$out/$name.leakprof" \
    LEAKCORPUS_SURVIVORS="$out/$name.survivors" \
    timeout 60 "$work/$prog" "$name" || echo "generate.sh: case $name exited with $?" >&2
done
(cd "$out" && ls) > /dev/null
tar -C "$out" --sort=name --owner=0 --group=0 --numeric-owner --mtime=2026-01-01 -cf - . | xz -9e > "$here/corpus.tar.xz"
echo "generate.sh: $(ls "$out" | wc -l) files, $(du -sb "$out" | cut -f1) bytes, archive $(stat -c %s "$here/corpus.tar.xz") bytes" >&2
go version >&2
