#!/bin/sh
# run.sh OUTDIR: build every scenario and run it without and with
# instrumentation, writing OUTDIR/<name>.trace and
# OUTDIR/<name>.instrumented.trace (and copying OUTDIR/<name>.expect.json).
set -eu
if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
cd "$here"
go build -o "$bin/" ./...
status=0
for dir in */; do
	name=${dir%/}
	[ -f "$name/expect.json" ] || continue
	if ! "$bin/$name" -o "$out/$name.trace"; then
		echo "run.sh: $name failed" >&2
		status=1
	fi
	if ! "$bin/$name" -instrument -o "$out/$name.instrumented.trace"; then
		echo "run.sh: $name -instrument failed" >&2
		status=1
	fi
	cp "$name/expect.json" "$out/$name.expect.json"
	echo "$name"
done
exit $status
