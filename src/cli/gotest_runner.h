// The go test runner of `cancelflow test`: which packages there are, one
// build of every test binary, the binaries (or go test) run in parallel with
// one execution trace per package, and each trace analyzed as soon as it is
// complete, while other packages' tests still run.
//
// ALGORITHM: `go list` expands the patterns (default ./...); packages without
// test files print go test's "?" line. go test accepts -trace for one package
// only, and one `go test` process per package costs what `go test ./...` pays
// once: loading the module and package graph, checking the build cache, the
// vet step (1.7x the wall time of `go test ./...` on a module of five small
// packages). So one command builds every package's test binary:
//   go test -c -o BIN/ -ldflags=-s -w [build flags] PKG...
// (-s -w as go test links the binaries it runs; not when the user gives
// -ldflags), and each binary runs as soon as go has moved it into BIN (as
// go test runs the first tests while it links the others), as go test would
// run it: in its package's directory, with PWD and $GOROOT/bin first in PATH, as
//   BIN/NAME.test -test.paniconexit0 -test.v=test2json -test.timeout=10m0s
//                 -test.trace=DIR/<import path>.trace [-test.X=V for the user's test flags]
// with go test's last-ditch SIGQUIT after the timeout plus a minute. Its
// output goes through a port of go test -json's converter (cli/test2json.h);
// cli/gotest_emulation.h turns the events into what go test would print.
// The binaries' names are the import paths' last elements: of several
// packages with one name, the first is built there and the others run as
// below. A package whose binary is missing after the build (a build or vet
// failure: go test -c builds the others), and every package when a flag is
// not one cli/go_test_flags.h can translate (a flag go test handles itself,
// such as -cover, -exec or a profile; a test flag in GOFLAGS), runs as before:
//   go test -json -trace=DIR/<import path>.trace [go test flags] IMPORT/PATH
// which shows go's own message for a build failure.
//
// SCHEDULING: a driver thread builds and queues packages as their binaries
// appear; `parallel` test workers (go test -p: one per CPU, one with -bench)
// run them; a worker hands each finished package to the analysis stage and
// takes the next at once, so an analysis never holds a test slot. The
// analysis threads run at nice 10, below the test binaries, so analyses fill
// the CPU the tests leave instead of slowing the longest-running package
// (on x/net: http2, whose run is the whole command's critical path). The
// analysis stage runs at most `analyses` traces at a time (memory: one
// analysis model each, see docs/perf-notes.md), in the order the packages
// finished, each with go test's `=== RUN` order to name the test goroutines
// (AnalysisOptions::test_run_order).
// INVARIANTS: every package in `todo` is reported to `done` exactly once, after
// its analysis (or after the failure that prevents one); `done` runs on the
// analysis threads, so it must only hand the package over (lock, push, notify).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cancelflow/analysis.h"
#include "cli/gate.h"
#include "cli/go_test_flags.h"
#include "cli/gotest_emulation.h"

namespace cancelflow::cli {

struct Package {
  std::string import_path;
  std::string dir;  // its source directory: where go test runs its binary
  bool has_tests = false;
  std::string trace;   // its execution trace
  std::string output;  // what go test shows for it (kept with --keep-traces)
  std::string raw;     // the test binary's own output, or go test -json's (scratch)
  std::string stderr_path;
  std::string binary;  // its test binary from the shared build ("" = run go test for it)
  std::string name;    // the package name (go list's Name)
  bool own_test_main = false;  // one of its test files declares TestMain (cli/gotest_leak_profile.h)
  bool runnable_examples = false;  // examples run on the main goroutine (no TestMain is added)
  bool has_xtest = false;      // it has an external test package (NAME_test)
  bool generated_test_main = false;  // the overlay gives it cancelflow's TestMain
  std::string leak_profile;    // where its test binary writes the leak profile ("" = not collected)
  // Filled by the runner.
  bool ran = false;       // go test (or the test binary) could be started
  std::string go_error;   // go itself failed (build failure, bad flag): go's message
  std::string go_stderr;  // go test's stderr when it ran the package
  GoTestResults go;       // go test's results
  std::string printed;    // what go test prints for it (GoTestPackageBlock)
  std::optional<AnalyzedTrace> analyzed;
  bool analysis_error = false;
  bool leak_profile_error = false;  // its leak profile did not join (analyzed without it)
};

struct GoListResult {
  std::vector<Package> pkgs;
  std::string goroot;
};

// go list: the packages of `patterns` (with Package::own_test_main); nullopt
// after printing go's error.
// `scratch` holds go list's output files.
std::optional<GoListResult> ListPackages(const std::vector<std::string>& patterns, const std::vector<std::string>& go_flags,
                                         const std::string& scratch);

struct RunnerOptions {
  std::vector<std::string> go_flags;  // the user's, after --
  DirectRun direct;                   // how they reach go test -c and the binaries
  std::string goroot;
  std::string bin_dir;   // where go test -c writes the binaries ("" = every package under go test)
  std::string log_base;  // go test -c's output files: log_base.out, .err
  std::string overlay;   // go's -overlay file adding the leak profile's TestMain ("" = none)
  size_t parallel = 1;   // test binaries at once
  size_t analyses = 1;   // analyses at once
  bool verbose = false;      // -v: what go test -v prints
  bool show_passed = false;  // go test shows a passing package's output (-v, -bench)
  AnalysisOptions analysis;
};

// Runs the packages `todo` of `pkgs` (see the file comment); `done(i)` when
// package i is complete. Returns when all are.
void RunPackages(std::vector<Package>& pkgs, const std::vector<size_t>& todo, const RunnerOptions& options,
                 const std::function<void(size_t)>& done);

}  // namespace cancelflow::cli
