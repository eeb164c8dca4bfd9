#!/usr/bin/env bash
# Installs what cancelflow needs on a fresh Debian 12 machine, then returns.
# Debian packages are installed with apt-get when running as root; otherwise
# the exact command to run is printed and the script fails.
# Go (>= 1.25) must already be on PATH (the Debian golang package is too old).
set -euo pipefail

packages=(
  cmake ninja-build g++ libgtest-dev libgmock-dev libbenchmark-dev
  libfmt-dev libexpected-dev libcli11-dev nlohmann-json3-dev zlib1g-dev
  python3 python3-jsonschema python3-yaml
  python3-pip        # installs the PyPI perfetto package below
  protobuf-compiler  # protoc: tests decode the Perfetto and pprof outputs (never linked)
  chromium           # headless browser: tests/html renders the HTML report (ctest -L html)
  prometheus         # promtool (--metrics output, deploy/prometheus's rules) and the server tests/observability starts on loopback
  prometheus-alertmanager  # amtool + alertmanager: tests check deploy/alertmanager and run the alerting pipeline on loopback
  prometheus-pushgateway   # tests/observability pushes real metrics through it (started by the test, loopback only)
  dpkg-dev           # dpkg-shlibdeps: the install test builds the .deb with CPack
  libcurl4-openssl-dev  # libcurl: the one HTTP client (src/source/http_client: OTLP export, live /debug/pprof/ input, watch)
)
# Node.js drives Chromium in tests/html; machines of this project's kind ship
# Node 20; elsewhere Debian's nodejs package does.
if ! command -v node >/dev/null 2>&1; then packages+=(nodejs); fi
# Optional extras: clang 14 + libFuzzer runtime for the clang-fuzz preset.
if [[ "${CANCELFLOW_SETUP_CLANG:-0}" == 1 ]]; then packages+=(clang-14 libclang-rt-14-dev); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  cmd="apt-get install -y --no-install-recommends ${missing[*]}"
  if [[ $(id -u) == 0 ]]; then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages; run as root:" >&2
    echo "  apt-get update && $cmd" >&2
    exit 1
  fi
fi

# Pinned PyPI packages for the tests, into Debian's python3 (the one the tests
# run), unless it already has exactly these versions.
# usage: pip_pinned [--no-deps] NAME==VERSION...
pip_pinned() {
  local flags=() check="False"
  if [[ $1 == --no-deps ]]; then flags+=(--no-deps); shift; fi
  for spec in "$@"; do check+=" or m.version('${spec%%==*}') != '${spec#*==}'"; done
  if /usr/bin/python3 -c "import importlib.metadata as m, sys; sys.exit($check)" 2>/dev/null; then return; fi
  local pip_cmd=(/usr/bin/python3 -m pip install --quiet "${flags[@]}" --break-system-packages "$@")
  if [[ $(id -u) == 0 ]]; then
    echo "setup: installing $* (PyPI) for Debian's python3"
    PIP_ROOT_USER_ACTION=ignore "${pip_cmd[@]}"
  else
    echo "setup: missing the PyPI packages $*; run as root:" >&2
    echo "  ${pip_cmd[*]}" >&2
    exit 1
  fi
}

# The full upstream Perfetto trace proto, for tests/report/perfetto_upstream.py:
# the PyPI package `perfetto` ships it (perfetto_trace_pb2.py). Only that file
# is read (its serialized descriptor, handed to protoc), so the package is
# installed without dependencies (no protobuf runtime).
pip_pinned --no-deps perfetto==0.59.1
# The upstream OTLP protos, for tests/export/otlp_e2e.py: the PyPI package
# opentelemetry-proto ships the generated modules (trace_service_pb2, ...),
# which need the protobuf runtime.
pip_pinned opentelemetry-proto==1.39.1 protobuf==6.33.6

if ! command -v go >/dev/null 2>&1; then
  echo "setup: Go is not on PATH; install Go 1.25 or newer (https://go.dev/dl/)" >&2
  exit 1
fi
gover=$(go env GOVERSION)
minor=$(sed -E 's/^go1\.([0-9]+).*/\1/' <<<"$gover")
if ((minor < 25)); then
  echo "setup: $gover is too old; cancelflow's tests need Go 1.25 or newer" >&2
  exit 1
fi

# Jaeger v2 all-in-one for tests/jaeger (ctest -L jaeger): built once from the Go
# module proxy as a tool of the test-only module tests/jaeger (go.sum pins every
# dependency) into a cache directory. A cold build takes minutes;
# CANCELFLOW_SETUP_JAEGER=0 skips it (the test then reports itself skipped).
jaeger_bin="${CANCELFLOW_JAEGER:-${XDG_CACHE_HOME:-$HOME/.cache}/cancelflow/jaeger-v1.75.0/jaeger}"
if [[ "${CANCELFLOW_SETUP_JAEGER:-1}" != 0 && ! -x "$jaeger_bin" ]]; then
  echo "setup: building Jaeger v1.75.0 (github.com/jaegertracing/jaeger/cmd/jaeger) into $jaeger_bin (minutes, once)"
  mkdir -p "$(dirname "$jaeger_bin")"
  (cd "$(dirname "$0")/../tests/jaeger" && GOFLAGS=-mod=readonly go build -o "$jaeger_bin" github.com/jaegertracing/jaeger/cmd/jaeger)
fi

echo "setup: ok (Debian packages present, $gover)"
