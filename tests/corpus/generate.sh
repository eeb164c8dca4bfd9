#!/usr/bin/env bash
# generate.sh OUTDIR — build the corpus programs with the installed Go and
# write the Go 1.2x trace corpus into OUTDIR (one line per trace written).
#
# Needs only a Go toolchain (standard library only, no downloads). Used by
# the CTest fixture that the differential tests depend on; see README.md.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
mkdir -p "$1"
out=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

# Use exactly the installed toolchain and this module, whatever the caller's
# environment says.
export GOTOOLCHAIN=local GOWORK=off GOFLAGS=
unset GODEBUG

bin=$(mktemp -d "${TMPDIR:-/tmp}/cancelflow-corpus-bin.XXXXXX")
trap 'rm -rf "$bin"' EXIT

minor=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
case "$minor" in
'' | *[!0-9]*)
	echo "generate.sh: cannot parse Go version $(go env GOVERSION)" >&2
	exit 1
	;;
esac
if [ "$minor" -lt 22 ]; then
	echo "generate.sh: need Go 1.22 or newer, have $(go env GOVERSION)" >&2
	exit 1
fi

(cd "$here/progs" && go build -buildvcs=false -trimpath -o "$bin/" ./cmd/... ./tools/tracecut)

wrote() { echo "wrote $1 ($(wc -c <"$1" | tr -d ' ') bytes)"; }

# run NAME PROGRAM [ARGS...]: trace PROGRAM into OUTDIR/NAME.trace.
run() {
	local name=$1 prog=$2
	shift 2
	"$bin/$prog" -o "$out/$name.trace" "$@"
	wrote "$out/$name.trace"
}

run basic basic
run cpuprofile cpuprofile
run annotations annotations
run ctxcancel ctxcancel
run leaks leaks
if [ "$minor" -ge 23 ]; then run iterpull iterpull; fi
if [ "$minor" -ge 25 ]; then run flightrec flightrec; fi
GODEBUG=traceallocfree=1 run allocfree basic
GODEBUG=traceadvanceperiod=1000000 run manygen basic -n 2
run stress-small stress -bytes 5000000

# manygen must really have many generations.
gens=$("$bin/tracecut" info "$out/manygen.trace" | sed -E 's/.* generations=([0-9]+).*/\1/')
if [ "$gens" -lt 10 ]; then
	echo "generate.sh: manygen.trace has only $gens generations (want >= 10)" >&2
	exit 1
fi

# Truncated copies of a multi-generation trace; truncated.txt lists the
# offsets and the verdict Go's reader gives.
if [ "$minor" -ge 26 ]; then
	"$bin/tracecut" cut "$out/manygen.trace" "$out" | sed 's/^/wrote /'
fi
