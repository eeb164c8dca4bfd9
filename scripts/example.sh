#!/usr/bin/env bash
# The main job on bundled examples: build cancelflow (release) and analyze two
# scenario traces shipped in examples/traces (a goroutine stuck sending after
# its caller left; workers that stop 200 ms after their context is canceled,
# traced with the Go module's instrumentation), then the wire-level stats.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target cancelflow
for trace in examples/traces/blocked-send.trace examples/traces/slow-responder.instrumented.trace; do
  echo
  ./build/release/cancelflow analyze "$trace"
done
echo
./build/release/cancelflow stats examples/traces/cancel-demo.trace
