#!/bin/sh
# run.sh OUTDIR [CANCELFLOW_BIN]: build the service program and its test
# binary once, then trace every variant three (four) ways, writing
# OUTDIR/<variant>.<mode>.trace and its sidecar
# OUTDIR/<variant>.<mode>.trace.truth.json (README.md):
#   window  services -mode window   (trace.Start after a warm-up, 1 s, trace.Stop)
#   flight  services -mode flight   (flight recorder snapshot after 1.5 s)
#   whole   services.test -test.run '^TestService$' -test.trace   (go test -trace)
#   live    services -mode live (built with GOEXPERIMENT=goroutineleakprofile),
#           analyzed by URL: CANCELFLOW_BIN analyze --seconds 1 --json
#           --keep-trace OUTDIR/<variant>.live.trace URL > OUTDIR/<variant>.live.json
#           (only when CANCELFLOW_BIN is given)
# Runs sequentially (about 35 s on 2 cores); GOTOOLCHAIN=local.
set -eu
[ $# -eq 1 ] || [ $# -eq 2 ] || { echo "usage: $0 OUTDIR [CANCELFLOW_BIN]" >&2; exit 2; }
cf=${2:-}
mkdir -p "$1"
out=$(cd "$1" && pwd)
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
export GOTOOLCHAIN=local
cd "$(dirname "$0")"
go build -o "$bin/services" .
go test -c -o "$bin/services.test" .
[ -z "$cf" ] || GOEXPERIMENT=goroutineleakprofile go build -o "$bin/services-live" .
status=0

# live VARIANT: the service with net/http/pprof, analyzed by URL while it runs.
live() {
	rm -f "$out/$1.live.trace" "$out/$1.live.trace.truth.json" "$out/$1.live.json" "$bin/stdin" "$bin/live.out"
	mkfifo "$bin/stdin"
	"$bin/services-live" -variant "$1" -mode live -o "$out/$1.live.trace" <"$bin/stdin" >"$bin/live.out" 2>&1 &
	pid=$!
	exec 3>"$bin/stdin"
	url=
	for _ in $(seq 50); do
		url=$(sed -n 's/^pprof //p' "$bin/live.out")
		[ -n "$url" ] && break
		sleep 0.1
	done
	ok=1
	if [ -z "$url" ] || ! "$cf" analyze --seconds 1 --json --keep-trace "$out/$1.live.trace" "$url" \
		>"$out/$1.live.json" 2>"$bin/cf.err"; then
		cat "$bin/live.out" "$bin/cf.err" >&2
		ok=0
	fi
	echo stop >&3
	exec 3>&-
	wait "$pid" || ok=0
	rm -f "$bin/stdin"
	[ $ok = 1 ]
}
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
	if [ -n "$cf" ] && ! live "$variant"; then
		echo "run.sh: $variant.live failed" >&2
		status=1
	fi
	echo "$variant"
done
exit $status
