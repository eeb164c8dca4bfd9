// The runtime's goroutine leak profile, collected by `cancelflow test` from
// every test binary without a change to the user's module.
//
// ALGORITHM:
//   1. The toolchain (`go env GOVERSION GOEXPERIMENT` in the module, so
//      GOTOOLCHAIN is respected): Go 1.27+ has the profile; Go 1.26 has it
//      with GOEXPERIMENT=goroutineleakprofile, which is added to the user's
//      own GOEXPERIMENT list (theirs kept) for everything go builds; older
//      Go has none (said once; the analysis uses trace evidence only).
//   2. Each package whose test files (go list's TestGoFiles, XTestGoFiles)
//      declare no `func TestMain(` and no runnable example (ScanTestFiles)
//      gets a TestMain through `go test -overlay`: a
//      file zz_cancelflow_leakprofile_test.go that does not exist in the
//      package directory is mapped to a generated file in the scratch
//      directory. It is in the external test package (NAME_test: part of
//      every test binary, and its own package block, so no name of the
//      package under test can collide with it; its imports are renamed for
//      the same reason with other external test files).
//   3. The generated TestMain (and ctxtracetest.RunWithLeakProfile, its twin
//      for packages with their own TestMain, in the Go module) writes the
//      profile to $CANCELFLOW_LEAK_PROFILE (set per package: X.goroutineleak
//      beside trace X.trace, where LeakProfileBeside finds it) after the
//      tests and BEFORE the execution trace stops. The testing package stops
//      the -test.trace trace inside m.Run (M.Run defers M.after, whose
//      writeProfiles calls trace.Stop), so a TestMain only regains control
//      after the trace has ended. The TestMain therefore takes the trace
//      over: it reads -test.trace (and -test.outputdir, as testing's
//      toOutputDir does), clears the flag so testing starts no trace of its
//      own, starts the trace itself on that file, runs m.Run, writes the
//      profile, then stops the trace and exits with m.Run's code. The
//      profile's goroutine ids and states are thus those at the end of the
//      trace (the goroutine writing it is alive there). Under -test.timeout
//      testing's alarm stops its own trace and then panics, ending the
//      process; the TestMain does the same a little earlier (timeout minus
//      a twentieth, at most a second): it writes the profile and stops the
//      trace from a timer, once, whichever comes first.
// INVARIANTS: what go test prints is unchanged (the TestMain prints nothing
// and exits with m.Run's code; gate_test_fidelity); a package is never given
// a second TestMain; a test binary that dies (panic, os.Exit in a test)
// writes no profile, and its trace is cut short as before; one stopped by
// -timeout writes both, complete, just before testing's alarm.
#pragma once

#include <string>
#include <vector>

namespace cancelflow::cli {

// The environment variable naming the file the generated TestMain (and
// ctxtracetest.RunWithLeakProfile) writes the profile to.
inline constexpr char kLeakProfileEnv[] = "CANCELFLOW_LEAK_PROFILE";
// The name of the overlay file in each package directory (never on disk).
inline constexpr char kLeakProfileTestMainFile[] = "zz_cancelflow_leakprofile_test.go";

// What the toolchain offers.
struct LeakProfileToolchain {
  bool available = false;
  std::string goexperiment;  // the GOEXPERIMENT value to build with ("" = leave it as it is)
  std::string note;          // why there is no profile ("" when available)
};

// Step 1 from `go env GOVERSION GOEXPERIMENT`'s output (pure, unit-tested).
LeakProfileToolchain LeakProfileToolchainFrom(const std::string& goversion, const std::string& goexperiment);

// Runs `go env` (output files under `scratch`) and decides step 1.
LeakProfileToolchain DetectLeakProfileToolchain(const std::string& scratch);

// What a package's test files (`files`, names relative to `dir`) hold that
// decides whether it can be given a TestMain.
struct TestFileFacts {
  bool test_main = false;  // one declares func TestMain(: a second one would not build
  // One declares an Example function and one has an output comment: go test
  // runs those examples on the main goroutine, inside m.Run, so an added
  // TestMain would be in their stack (runtime.Callers, a printed stack:
  // github.com/sourcegraph/conc v0.3.0's ExampleCatcher_callers prints it and
  // fails). Such packages get no TestMain.
  bool runnable_examples = false;
};
TestFileFacts ScanTestFiles(const std::string& dir, const std::vector<std::string>& files);

// The generated TestMain file of the external test package of package `name`.
std::string GeneratedTestMain(const std::string& name);

// A traceback that prints every goroutine (a -timeout, a deadlock,
// GOTRACEBACK=all) shows what the generated TestMain changed; this undoes it
// in the test binary's output `lines` (one line each, as test2json splits
// them), so that what cancelflow test prints is what go test prints
// (gate_test_fidelity): it drops the TestMain frame (the function line and
// its zz_cancelflow_leakprofile_test.go line), the goroutines of the trace it
// took over (created by runtime/trace: testing would have stopped that trace
// before printing) and of its -timeout closure, and gives main.main's
// _testmain.go line go's number
// without a TestMain. cmd/go's testmainTmpl (Go 1.26 and 1.27) adds two lines
// for the "reflect" import a TestMain needs, and two for the import of the
// external test package when the package had none (`added_xtest`).
// Returns which lines to keep; rewritten lines are changed in place.
std::vector<bool> HideGeneratedTestMain(std::vector<std::string>& lines, bool added_xtest);

// The same on a whole output text.
std::string HideGeneratedTestMain(std::string_view text, bool added_xtest);

// One package's part of the overlay.
struct LeakProfileOverlayEntry {
  std::string dir;   // the package directory
  std::string name;  // the package name (go list's Name)
};

// Writes the generated files and the overlay JSON under `scratch`; returns
// the overlay's path, or "" (after printing why) when it cannot be written.
std::string WriteLeakProfileOverlay(const std::vector<LeakProfileOverlayEntry>& entries, const std::string& scratch);

}  // namespace cancelflow::cli
