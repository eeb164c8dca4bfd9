#!/usr/bin/env bash
# cli_outputs.sh CANCELFLOW SOURCE_DIR CORPUS_OUT: end-to-end checks of
# `cancelflow perfetto`, `cancelflow pprof` and `analyze --perfetto/--pprof`:
# exit statuses, protoc-decoded flows (every cancel arrow ends on a woken
# goroutine), `go tool pprof -top` function names, same bytes from both paths.
set -euo pipefail
cf=$1 src=$2 corpus=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
demo=$src/examples/traces/cancel-demo.trace
decode() { protoc --proto_path="$src/proto" --decode=perfetto.protos.Trace perfetto_trace_subset.proto < "$1"; }

# perfetto: flows from cancels to every woken goroutine (cancel-demo: 2 cancels, 5 woken).
"$cf" perfetto "$demo" -o "$tmp/demo.pftrace" > /dev/null || fail "perfetto exit $?"
decode "$tmp/demo.pftrace" > "$tmp/demo.txt"
grep -E '^    flow_ids: ' "$tmp/demo.txt" | awk '{print $2}' | sort > "$tmp/flows"
grep -E '^    terminating_flow_ids: ' "$tmp/demo.txt" | awk '{print $2}' | sort > "$tmp/terms"
[[ $(wc -l < "$tmp/flows") == 5 ]] || fail "expected 5 flows, got $(wc -l < "$tmp/flows")"
cmp -s "$tmp/flows" "$tmp/terms" || fail "flow ids and terminating flow ids differ"
grep -q 'name: "cancel (explicit)"' "$tmp/demo.txt" || fail "no explicit cancel instant"
grep -q 'name: "cancel (deadline)"' "$tmp/demo.txt" || fail "no deadline cancel instant"
[[ $(grep -c 'name: "woken by cancel"' "$tmp/demo.txt") == 5 ]] || fail "expected 5 woken instants"
grep -q 'thread_name: "main.main.func1 g21"' "$tmp/demo.txt" || fail "goroutine track name"

# pprof: go tool pprof opens it and shows the woken goroutines' functions.
"$cf" pprof "$demo" -o "$tmp/demo.pb.gz" > /dev/null || fail "pprof exit $?"
top=$(GOTOOLCHAIN=local go tool pprof -top "$tmp/demo.pb.gz" 2>&1) || fail "go tool pprof: $top"
grep -q 'Type: post_cancel_wall' <<<"$top" || fail "pprof type: $top"
grep -q 'main.main.func1' <<<"$top" || fail "pprof functions: $top"
grep -q 'main.main.func2' <<<"$top" || fail "pprof functions: $top"

# analyze --perfetto/--pprof: the same bytes as the subcommands (one pass, same writers).
"$cf" analyze "$demo" --perfetto "$tmp/a.pftrace" --pprof "$tmp/a.pb.gz" > /dev/null || fail "analyze exit $?"
cmp -s "$tmp/a.pftrace" "$tmp/demo.pftrace" || fail "analyze --perfetto differs from perfetto"
cmp -s <(gunzip -c "$tmp/a.pb.gz") <(gunzip -c "$tmp/demo.pb.gz") || fail "analyze --pprof differs from pprof"

# Exit statuses: 2 for unusable input, 3 (and a usable file) for a partial trace.
printf 'not a trace' > "$tmp/bad.trace"
set +e
"$cf" perfetto "$tmp/bad.trace" -o "$tmp/bad.pftrace" 2> /dev/null; rc=$?
[[ $rc == 2 ]] || fail "bad input: perfetto exit $rc, want 2"
"$cf" pprof "$tmp/bad.trace" -o "$tmp/bad.pb.gz" 2> /dev/null; rc=$?
[[ $rc == 2 ]] || fail "bad input: pprof exit $rc, want 2"
"$cf" perfetto "$demo" -o "$tmp/no/such/dir/x.pftrace" 2> /dev/null; rc=$?
[[ $rc == 2 ]] || fail "unwritable output: exit $rc, want 2"
partial=$corpus/truncated-half.trace
"$cf" perfetto "$partial" -o "$tmp/partial.pftrace" > /dev/null 2>&1; rc=$?
[[ $rc == 3 ]] || fail "partial: perfetto exit $rc, want 3"
"$cf" pprof "$partial" -o "$tmp/partial.pb.gz" > /dev/null 2>&1; rc=$?
[[ $rc == 3 ]] || fail "partial: pprof exit $rc, want 3"
set -e
decode "$tmp/partial.pftrace" > /dev/null || fail "partial output does not decode"
# Every .pftrace written here, against the full upstream proto and trace_processor's rules.
"${CANCELFLOW_PYTHON3:-/usr/bin/python3}" "$src/tests/report/perfetto_upstream.py" \
  "$tmp/demo.pftrace" "$tmp/a.pftrace" "$tmp/partial.pftrace" || fail "upstream Perfetto check"
GOTOOLCHAIN=local go tool pprof -top "$tmp/partial.pb.gz" > /dev/null 2>&1 || fail "partial profile does not open"
echo "ok"
