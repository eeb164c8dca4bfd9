// The analysis options, built in one place for every command that analyzes
// (analyze, check, test, html, perfetto, pprof): defaults, then the config
// file (--config, else .cancelflow.json in the module root), then the flags.
// Invariant: two commands given the same trace, config and flags run the same
// analysis and report the same findings with the same fingerprints; the
// reports name the config file and the flags that overrode it
// (AnalysisOptions::config_file, set_by_flags).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/config.h"

namespace CLI {
class App;
}

namespace cancelflow::cli {

// The flags every analyzing command takes (cancelflow help config).
struct AnalysisFlags {
  std::string config;              // --config FILE ("" = .cancelflow.json in the module root, if any)
  std::optional<double> grace_ms;  // --grace-ms
  std::optional<double> slow_ms;   // --slow-ms
  std::string scope;               // --scope: program, test, window, flight ("" = decided from the trace)
  int threads = 0;                 // --threads (0: the default pipeline)
  std::string leak_profile;        // --leak-profile FILE: the runtime's goroutine leak profile (debug=2 or .pb.gz)
  bool no_leak_profile = false;    // --no-leak-profile: do not read X.goroutineleak beside trace X.trace
};

// The leak profile beside a trace, by the name the Go module's flight
// recorder and `cancelflow test` write (X.trace -> X.goroutineleak, also
// X.out -> X.goroutineleak, as go test -trace trace.out names it; else, or
// when that is absent, NAME.goroutineleak), or "" when there is none.
std::string LeakProfileBeside(const std::string& trace_path);

// Loads the leak profile at `path` into `options` (nullopt-style: false after
// printing why not).
bool LoadLeakProfileInto(const std::string& path, AnalysisOptions& options);

// Registers the flags of AnalysisFlags on `cmd`.
void AddAnalysisFlags(CLI::App* cmd, AnalysisFlags& flags);

struct ResolvedOptions {
  report::CheckConfig config;  // analysis options (config.analysis) and the gate's fail_on
  std::string module_root;     // absolute, "" if no go.mod was found
};

// The module root: `module_root_flag` when given, else the first go.mod upward
// from the working directory, then from each input's directory.
std::string ModuleRootFor(const std::string& module_root_flag, const std::vector<std::string>& inputs);

// Defaults < config file < flags. nullopt after printing why (an unreadable or
// invalid config file, a flag out of range).
std::optional<ResolvedOptions> ResolveAnalysisOptions(const AnalysisFlags& flags, const std::string& module_root_flag,
                                                      const std::vector<std::string>& inputs);

}  // namespace cancelflow::cli
