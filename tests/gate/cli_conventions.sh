#!/usr/bin/env bash
# CLI conventions (issue 15): --version and version, help topics with doc URLs
# (no repository paths in --help), an unknown subcommand named with the
# nearest one, "cancelflow:" on every error line, the OS reason on file
# errors, NO_COLOR, and no progress output when stderr is not a terminal.
#
# usage: cli_conventions.sh CANCELFLOW_BIN SOURCE_DIR OUT_DIR
set -uo pipefail
bin=$1 src=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
trace=$src/examples/traces/blocked-send.trace
errors=0
fail() { echo "cli_conventions: FAIL: $*" >&2; errors=$((errors + 1)); }

# run NAME ARGS...: stdout, stderr and status in $out/NAME.{out,err,rc}
run() {
  local name=$1; shift
  "$@" >"$out/$name.out" 2>"$out/$name.err"
  echo $? >"$out/$name.rc"
}
rc() { cat "$out/$1.rc"; }
# Every stderr line of NAME starts with "cancelflow:".
prefixed() { ! grep -qv '^cancelflow:' "$out/$1.err" && [[ -s $out/$1.err ]]; }

version=$(sed -nE 's/^project\(cancelflow VERSION ([0-9.]+).*/\1/p' "$src/CMakeLists.txt")
run v1 "$bin" --version
run v2 "$bin" version
for n in v1 v2; do
  [[ $(rc $n) == 0 && $(cat "$out/$n.out") == "cancelflow $version" ]] || fail "$n: $(cat "$out/$n.out")"
done

run typo "$bin" Analyze "$trace"
[[ $(rc typo) == 2 ]] && grep -q 'unknown command "Analyze"; did you mean "analyze"?' "$out/typo.err" && prefixed typo ||
  fail "Analyze: $(cat "$out/typo.err")"
run unknown "$bin" frobnicate
[[ $(rc unknown) == 2 ]] && grep -q 'unknown command "frobnicate"' "$out/unknown.err" && prefixed unknown ||
  fail "frobnicate: $(cat "$out/unknown.err")"
run badflag "$bin" analyze --bogus "$trace"
[[ $(rc badflag) == 2 ]] && prefixed badflag && grep -q "cancelflow analyze --help" "$out/badflag.err" ||
  fail "bad flag: $(cat "$out/badflag.err")"
run nosub "$bin"
[[ $(rc nosub) == 2 ]] && prefixed nosub || fail "no subcommand: $(cat "$out/nosub.err")"

# File errors carry the OS reason.
run nofile "$bin" analyze "$out/missing.trace"
[[ $(rc nofile) == 2 ]] && prefixed nofile && grep -q "No such file or directory" "$out/nofile.err" ||
  fail "missing input: $(cat "$out/nofile.err")"
run noout "$bin" html "$trace" -o "$out/no/such/dir/x.html"
[[ $(rc noout) == 2 ]] && prefixed noout && grep -q "cannot create .*: No such file or directory" "$out/noout.err" ||
  fail "unwritable output: $(cat "$out/noout.err")"
run nojunit "$bin" check "$trace" --junit "$out/no/such/dir/j.xml" -q
grep -q "cannot create .*j.xml: No such file or directory" "$out/nojunit.err" || fail "check --junit: $(cat "$out/nojunit.err")"

# Help: topics with URLs; no repository paths in any --help text.
run help "$bin" help json
[[ $(rc help) == 0 ]] && grep -q "https://github.com/cancelflow/cancelflow/blob/main/docs/json-schema.md" "$out/help.out" ||
  fail "help json: $(cat "$out/help.out")"
run helptypo "$bin" help jsn
[[ $(rc helptypo) == 2 ]] && grep -q 'did you mean "json"' "$out/helptypo.err" && prefixed helptypo || fail "help jsn"
for sub in "" analyze check test perfetto pprof html stats dump text2bin watch; do
  # shellcheck disable=SC2086
  "$bin" $sub --help >"$out/h.txt" 2>&1
  grep -qE 'docs/[a-z-]+\.md' "$out/h.txt" && grep -vE 'https://' "$out/h.txt" | grep -qE 'docs/[a-z-]+\.md' &&
    fail "cancelflow $sub --help names a repository path"
  grep -q "cancelflow help" "$out/h.txt" || [[ -n $sub ]] || fail "cancelflow --help does not mention cancelflow help"
done

# NO_COLOR: color on a terminal (script gives a pty), none with NO_COLOR.
if command -v script >/dev/null; then
  esc=$'\x1b['
  script -qec "'$bin' analyze '$trace'" /dev/null >"$out/tty.out"
  grep -qF "$esc" "$out/tty.out" || fail "no color on a terminal"
  NO_COLOR=1 script -qec "'$bin' analyze '$trace'" /dev/null >"$out/nocolor.out"
  grep -qF "$esc" "$out/nocolor.out" && fail "color despite NO_COLOR"
fi
# Not a terminal: nothing but the report on stdout and nothing on stderr.
run plain "$bin" analyze "$trace"
[[ ! -s $out/plain.err ]] || fail "stderr output when not a terminal: $(cat "$out/plain.err")"
grep -qF $'\x1b[' "$out/plain.out" && fail "color when stdout is not a terminal"

((errors == 0)) && echo "cli_conventions: ok"
exit $((errors > 0))
