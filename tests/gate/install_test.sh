#!/usr/bin/env bash
# Install (issue 15, item 8): `cmake --install` into a temporary prefix, then
# the installed `cancelflow test` on the fixture module (tests/gate/testmod):
# exit 0 on the clean package, 1 with the leak attributed in its JUnit; then
# a .deb through CPack whose contents and dependencies are checked.
#
# usage: install_test.sh BUILD_DIR SOURCE_DIR OUT_DIR
set -euo pipefail
build=$(realpath "$1") src=$(realpath "$2")
out=$(mkdir -p "$3" && realpath "$3")
fail() { echo "install_test: FAIL: $*" >&2; exit 1; }
rm -rf "$out/prefix" "$out/mod" "$out/deb" && mkdir -p "$out/deb"

cmake --install "$build" --prefix "$out/prefix" >"$out/install.log"
bin=$out/prefix/bin/cancelflow
[[ -x $bin ]] || fail "no $bin"
[[ -f $out/prefix/share/doc/cancelflow/ci.md ]] || fail "docs not installed"
version=$(sed -nE 's/^project\(cancelflow VERSION ([0-9.]+).*/\1/p' "$src/CMakeLists.txt")
[[ $("$bin" --version) == "cancelflow $version" ]] || fail "installed --version: $("$bin" --version)"

cp -r "$src/tests/gate/testmod" "$out/mod"
cd "$out/mod"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local
"$bin" test ./clean >"$out/clean.out" 2>&1 || { cat "$out/clean.out"; fail "installed cancelflow test ./clean: exit $?"; }
set +e
"$bin" test ./leak --junit "$out/leak.xml" >"$out/leak.out" 2>&1
rc=$?
set -e
[[ $rc == 1 ]] || { cat "$out/leak.out"; fail "installed cancelflow test ./leak: exit $rc, want 1"; }
grep -q '<testcase classname="example.com/cftest/leak" name="TestParallel/leaks"' "$out/leak.xml" || fail "JUnit: $(cat "$out/leak.xml")"

# The .deb: the binary under /usr/bin, shared-library dependencies filled in.
(cd "$build" && cpack -G DEB -B "$out/deb" >"$out/cpack.log" 2>&1) || { cat "$out/cpack.log"; fail "cpack"; }
deb=$(ls "$out"/deb/cancelflow_*.deb)
contents=$(dpkg-deb --contents "$deb")
grep -q ' ./usr/bin/cancelflow$' <<<"$contents" || fail "the .deb lacks /usr/bin/cancelflow: $contents"
depends=$(dpkg-deb --field "$deb" Depends)
[[ $depends == *libc6* && $depends == *libfmt* ]] || fail ".deb Depends: $depends"
recommends=$(dpkg-deb --field "$deb" Recommends)
[[ $recommends == *libcurl4* ]] || fail ".deb Recommends: $recommends (libcurl4: the OTLP export opens it)"
dpkg-deb -x "$deb" "$out/deb/root"
[[ $("$out/deb/root/usr/bin/cancelflow" version) == "cancelflow $version" ]] || fail "the .deb's binary"
echo "install_test: ok ($deb; Depends: $depends)"
