#!/bin/sh
# run.sh OUTDIR: build the service program and its test binary once, then
# trace every variant three ways, writing OUTDIR/<variant>.<mode>.trace and
# its sidecar OUTDIR/<variant>.<mode>.trace.truth.json (README.md):
#   window  services -mode window   (trace.Start after a warm-up, 1 s, trace.Stop)
#   flight  services -mode flight   (flight recorder snapshot after 1.5 s)
#   whole   services.test -test.run '^TestService$' -test.trace   (go test -trace)
# Runs sequentially (about 30 s on 2 cores); GOTOOLCHAIN=local.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
export GOTOOLCHAIN=local
cd "$(dirname "$0")"
go build -o "$bin/services" .
go test -c -o "$bin/services.test" .
status=0
for variant in clean ignore_cancel blocked_send background_ctx prewindow_leak; do
	for mode in window flight; do
		rm -f "$out/$variant.$mode.trace" "$out/$variant.$mode.trace.truth.json"
		if ! "$bin/services" -variant "$variant" -mode "$mode" -o "$out/$variant.$mode.trace"; then
			echo "run.sh: $variant.$mode failed" >&2
			status=1
		fi
	done
	rm -f "$out/$variant.whole.trace" "$out/$variant.whole.trace.truth.json"
	if ! SERVICES_VARIANT=$variant SERVICES_TRUTH_OUT="$out/$variant.whole.trace.truth.json" \
		"$bin/services.test" -test.run '^TestService$' -test.count=1 -test.trace "$out/$variant.whole.trace" >"$bin/test.out" 2>&1; then
		cat "$bin/test.out" >&2
		echo "run.sh: $variant.whole failed" >&2
		status=1
	fi
	echo "$variant"
done
exit $status
