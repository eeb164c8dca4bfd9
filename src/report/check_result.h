// What `cancelflow check` hands to its writers (JUnit, SARIF, GitHub
// annotations, baseline): the analyses of every trace, and for each finding
// its stable fingerprint, whether the baseline suppresses it, whether it
// fails the gate, and its source sites resolved against the module root.
//
// Built once by BuildCheckResult (pure: no file system access except the
// optional go.mod lookup done by FindModuleRoot beforehand), so every writer
// prints the same paths, fingerprints and verdicts.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "cancelflow/analysis.h"
#include "report/config.h"

namespace cancelflow::report {

// A source location of user code.
struct Site {
  std::string func;
  std::string file;      // as reported: relative to the module root when under it, else as in the trace
  std::string abs_file;  // as in the trace
  int64_t line = 0;
  bool relative = false;  // file is relative to the module root
  bool empty() const { return func.empty() && file.empty(); }
};

struct CheckedFinding {
  size_t index = 0;         // into analysis.findings
  std::string fingerprint;  // Finding::fingerprint (FindingFingerprint)
  bool suppressed = false;  // listed in the baseline
  bool fails = false;       // severity >= fail_on and not suppressed
  Site primary;             // block site if known, else creation site
  Site creation, block;
  std::string title;        // "<rule>: <goroutine or context function>"
  // The Go tests the finding belongs to: Finding::test, then the tests of the
  // group's other goroutines (one finding may group the same bug seen in
  // several tests), without repeats; empty when none.
  std::vector<std::string> tests;
};

// One Go test's own result, from `go test -json` (cancelflow test).
struct GoTestResult {
  std::string name;    // TestX or TestX/sub
  std::string result;  // pass, fail, skip ("" if the end was not seen)
  double seconds = 0;
  std::string output;  // its output (capped by the producer)
};

struct CheckedTrace {
  std::string path;  // the trace file as given
  Analysis analysis;
  std::vector<CheckedFinding> findings;  // enabled rules only, in analysis order
  // The tested package's import path: names the JUnit suite and classname
  // ("" when unknown: the trace path does).
  std::string package;
  // The package's Go tests in `=== RUN` order, when go test's own results are
  // known (cancelflow test); otherwise the trace's ctxtracetest marks give them.
  std::vector<GoTestResult> go_tests;
};

struct CheckResult {
  std::string module_root;  // absolute, no trailing slash ("" if unknown)
  std::vector<CheckedTrace> traces;
  size_t failing = 0, suppressed = 0, total = 0;
  bool partial = false;  // some trace broke part-way
};

// The frame of `stack` at `index` as a Site (empty when out of range).
Site SiteOf(const Analysis& a, StackId stack, int index, const std::string& module_root);
// `path` relative to `root` when it is inside it ("" root: unchanged).
std::string RelativeTo(const std::string& path, const std::string& root, bool* relative = nullptr);

// Adds `analysis` of `path` to `result`, applying the config (disabled rules
// dropped) and the baseline (fingerprints to suppress).
void AddTrace(CheckResult& result, std::string path, Analysis analysis, const CheckConfig& config,
              const std::set<std::string>& baseline);

// The gate verdict: kExitOk-style 0 (clean) or 1 (failing findings).
inline int Verdict(const CheckResult& r) { return r.failing > 0 ? 1 : 0; }

// Looks for go.mod upward from each start directory in turn; returns the
// first directory holding one (absolute), or "".
std::string FindModuleRoot(const std::vector<std::string>& start_dirs);

}  // namespace cancelflow::report
