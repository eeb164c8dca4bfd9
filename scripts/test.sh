#!/usr/bin/env bash
# Builds everything (release preset) and runs every test: C++ unit tests,
# differential tests against `go tool trace`, fuzz-corpus replay, and the Go
# module's vet + race tests — all registered with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release "$@"
