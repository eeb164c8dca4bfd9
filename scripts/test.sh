#!/usr/bin/env bash
# Builds everything (release preset) and runs every test: C++ unit tests,
# differential tests against `go tool trace`, fuzz-corpus replay, and the Go
# module's vet + race tests, the HTML report in headless Chromium — all registered with CTest.
# Then the C++ unit tests, bad-input checks, report tests and the fuzz-corpus
# replay again under AddressSanitizer + UndefinedBehaviorSanitizer (the
# asan-ubsan preset; CANCELFLOW_SKIP_SANITIZERS=1 skips this stage).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release
# The HTML report tests (ctest -L html) keep a screenshot per report: say where.
trap 'for f in build/release/html-test/*.png; do [[ -f $f ]] && echo "html report screenshot: $PWD/$f"; done' EXIT
if [[ "${CANCELFLOW_SKIP_SANITIZERS:-0}" != 1 ]]; then
  cmake --preset asan-ubsan >/dev/null
  cmake --build --preset asan-ubsan
  ctest --preset asan-ubsan -L "unit|fuzz|cli|report"
fi
ctest --preset release "$@"
