// What `check` and `test` share: the gate's options, loading the config and
// baseline, analyzing one trace with test attribution, and writing the
// reports (JUnit, SARIF, JSON, metrics, baseline, GitHub annotations).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cancelflow/analysis.h"
#include "cli/analysis_options.h"
#include "cli/live_input.h"
#include "export/otlp_spans.h"
#include "report/check_result.h"
#include "report/config.h"

namespace cancelflow::cli {

struct GateOptions {
  std::string junit, sarif, json, metrics;  // output paths ("" = none, "-" = stdout)
  std::string github = "auto";              // auto (when GITHUB_ACTIONS=true), always, never
  bool github_flag = false;                 // --github
  std::string module_root;                  // "" = find go.mod upward
  std::string baseline, write_baseline;
  bool quiet = false;
  std::string otlp;  // --otlp URL ("" = the OTEL_* variables decide)
};

struct Gate {
  report::CheckConfig config;  // ResolveAnalysisOptions: the analysis options and fail_on
  std::set<std::string> baseline;
  std::string module_root;     // ModuleRootFor(opts.module_root, inputs)
  bool leak_profile_beside = false;  // read each trace's X.goroutineleak (no --leak-profile, no --no-leak-profile)
};

// The options (config file and flags, as every command resolves them) and the
// baseline, or nullopt after printing why not.
std::optional<Gate> LoadGate(const GateOptions& opts, const AnalysisFlags& flags,
                             const std::vector<std::string>& inputs);

struct AnalyzedTrace {
  std::string path;
  Analysis analysis;
  std::string package;  // import path from the test functions' frames ("" if none)
};

// Analyzes the trace at `path`; findings name the Go tests they belong to
// (`run_order`: AnalysisOptions::test_run_order). nullopt after printing the
// error; *error is set also when the trace is partial (the analysis of what
// came before the break is still returned).
// With `live` (and the command's `flags`), a `path` that is an http(s) URL is
// fetched from the live service (cli/live_input.h).
std::optional<AnalyzedTrace> AnalyzeTraceFile(const std::string& path, const AnalysisOptions& options,
                                              const std::vector<std::string>& run_order, bool* error,
                                              const LiveFlags* live = nullptr, const AnalysisFlags* flags = nullptr);

// The findings as text (each line prefixed by `prefix(trace)`), for stdout.
std::string FindingsText(const report::CheckedTrace& t, const std::string& prefix);

// Writes every report requested in `opts`; false if one could not be written
// (printed).
bool WriteGateReports(const report::CheckResult& result, const GateOptions& opts);

// The OTLP export (--otlp URL or the OTEL_* variables; src/export/otlp_http.h),
// after the local reports: a failure is printed on stderr and changes
// nothing else (no exit status, no report).
void ExportOtlp(const report::CheckResult& result, const std::string& flag_url, const otlp::Attributes& resource = {});

}  // namespace cancelflow::cli
