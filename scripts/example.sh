#!/usr/bin/env bash
# The main job on a bundled example: build cancelflow (release) and run it on
# a trace shipped in examples/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target cancelflow
trace=examples/traces/cancel-demo.trace
./build/release/cancelflow stats "$trace"
echo
echo "first events (cancelflow dump --format=go-wire):"
./build/release/cancelflow dump --format=go-wire "$trace" | head -n 20
