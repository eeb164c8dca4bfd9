// What `go test` shows for one package, rebuilt from the events of its test
// binary run with -test.v=test2json (cli/test2json.h), and go test's results
// read from the same events.
//
// cancelflow test runs each test binary with -test.v=test2json (it needs the
// `=== RUN` order and every test's result), but prints what `go test` would
// print for the user's flags: the binary's output with -test.v=true (`-v`) or
// without -v, followed by the lines go test adds (cmd/go/internal/test
// runTestActor: "ok", or "*** Test killed", the exit status and "FAIL").
//
// ALGORITHM (EmulateTestOutput): a replay of the testing package's printer
// (testing.go: chattyPrinter, common.flushToParent, indenter, outputWriter)
// over the events. Each test has an output buffer; in json mode every line is
// printed at once, so the replay decides where each line would have gone:
//   - `=== RUN/PAUSE/CONT` (Updatef): printed with -v, never without.
//   - a log line (t.Log, t.Error, t.Output: the testing package indents them
//     by four spaces) of a running test: with -v printed at once, after
//     `=== NAME  T` when the last test printed was another one (Printf); without
//     -v appended to the test's buffer.
//   - any other line (fmt.Print from a test, a panic, the runtime's traceback,
//     package-level lines): printed at once in both modes.
//   - a report `--- FAIL/PASS/SKIP: T (d)`: without -v only FAIL is shown;
//     with -v all three. The header and the test's buffer go to stdout for a
//     top-level test, and into the parent's buffer indented by four spaces for
//     a subtest (so with -v a subtest's `--- PASS` follows its parent's, and
//     without -v a failed test's logs follow its header).
//   - the json-only lines (`=== NAME` after each t.Run, a benchmark's `=== RUN`,
//     the ^V markers) are gone.
//   - a benchmark (benchmark.go processBench): with -v, its name line and logs
//     are printed at once; without -v the name line goes and its logs follow
//     its result line under `--- BENCH: B-N` (ten lines at most, as
//     B.trimOutput), or its `--- FAIL` header.
// INVARIANT: events that test2json attributes to a test keep their order; only
// where buffered lines come out moves. A line that a test writes with
// fmt.Print and that starts with four spaces is taken for a log line (the
// stream does not tell them apart).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli/test2json.h"
#include "report/check_result.h"

namespace cancelflow::cli {

// go test's results for one package.
struct GoTestResults {
  std::string result;  // pass, fail, skip ("" = the events carry no package result)
  double seconds = 0;
  std::vector<report::GoTestResult> tests;  // in RUN order, each with its output (capped)
  std::vector<std::string> run_order;       // the `=== RUN` order (AnalysisOptions::test_run_order)
  bool build_failed = false;
  std::string build_output;  // go's output for a package that did not build
};

// Reads the results from the events. In a failed package, a test that started
// and never ended is the one the binary died in: it failed.
GoTestResults ReadGoTestResults(const std::vector<GoTestEvent>& events);

// The test binary's output as go test would have had it: with -test.v=true
// when `verbose`, else without -v. `events` are the binary's own (without the
// lines go test adds after it; see SplitGoTestTrailer).
std::string EmulateTestOutput(const std::vector<GoTestEvent>& events, bool verbose);

// How the test binary ended, as go test reports it after its output.
struct BinaryExit {
  bool ok = false;
  std::string killed;      // "*** Test killed ...: ran too long (D).\n" or ""
  std::string exit_error;  // exec.ExitError's text ("exit status 2", "signal: killed") or ""
  bool exited = true;      // false when a signal ended it (go prints the error whatever the output)
  std::string final_line;  // go test's own ok/FAIL line when it ran the package (kept verbatim), else ""
  double seconds = 0;
};

// The events of `go test -json` for one package, less the lines go test added
// after the binary's output (ok/FAIL, "*** Test killed", the exit error), and
// how the binary ended as those lines tell.
BinaryExit SplitGoTestTrailer(std::vector<GoTestEvent>& events, std::string_view import_path);

// What go test ./... prints for the package: its output (shown when it failed,
// or when `show_passed`: with -v, or with -bench where go test streams it) and
// the lines go test adds after it.
std::string GoTestPackageBlock(std::string_view import_path, std::string_view output, bool show_passed,
                               const BinaryExit& exit);

}  // namespace cancelflow::cli
