// go test's flags as `cancelflow test` passes them on: which reach go list,
// which `go test -c` and which the test binaries (as -test.X), or why a
// command line must be left to go test itself (cli/gotest_runner.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cancelflow::cli {

// A command-line flag: -name, --name, -name=value.
struct FlagArg {
  std::string_view name;
  std::optional<std::string_view> value;  // after '='
};

std::optional<FlagArg> SplitFlag(std::string_view arg);

// The go test flags that also decide which packages and files go list sees
// (-tags, -mod, -modfile), with their values.
std::vector<std::string> ListFlags(const std::vector<std::string>& go_flags);

// A Go duration ("10m", "1h2m3.5s", "300ms", "0") in nanoseconds, as
// time.ParseDuration; nullopt if it is not one.
std::optional<double> ParseGoDuration(std::string_view s);

// time.Duration.String for durations of a second or more ("11m0s", "1h0m30.5s").
std::string FormatGoDuration(double ns);

// How the user's go test flags reach `go test -c` and the test binaries, or
// why they cannot: then every package runs under go test itself.
struct DirectRun {
  bool usable = false;
  std::vector<std::string> build;  // for go test -c
  std::vector<std::string> test;   // -test.X=V, then what follows -args
  bool ldflags = false;            // the user set -ldflags (go test -c then keeps debug info)
  bool timeout_set = false;        // else go test's 10m0s
  double timeout_ns = 600e9;       // 0: none
  bool bench = false;
};

// The user's go test flags (after `--`) and $GOFLAGS, sorted out for a direct
// run; `usable` is false when one of them is not a flag this can translate
// (a flag go test handles itself, such as -cover, -exec or a profile; a test
// flag in GOFLAGS; a value go test would reject, left to it for its message).
DirectRun ClassifyFlags(const std::vector<std::string>& go_flags, const char* goflags_env);

// What the go test flags make go test show: -v (every test's output, `=== RUN`
// lines and `--- PASS` reports), and whether a passing package's output is
// shown (-v; -bench, -fuzz: go test streams the output).
struct GoTestOutputMode {
  bool verbose = false;
  bool show_passed = false;
};
GoTestOutputMode OutputMode(const std::vector<std::string>& go_flags);

// go's name for a package's test binary: the import path's last element, or
// the one before a major version (example.com/mod/v2 -> mod.test).
std::string TestBinaryName(std::string_view import_path);

}  // namespace cancelflow::cli
