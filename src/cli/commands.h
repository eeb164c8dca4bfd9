// cancelflow's subcommands. Each returns the process exit status:
//   0  success
//   1  findings (analysis gates; not used by dump/stats)
//   2  the input is unusable (missing, not a trace, malformed), or bad usage
//   3  partial: the input broke part-way; everything before the break was
//      processed and printed, then the error
#pragma once

#include <string>
#include <vector>

namespace cancelflow::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitError = 2;
inline constexpr int kExitPartial = 3;

struct DumpOptions {
  std::string format = "go-wire";  // go-wire | go-parsed
  std::string path;
};
int RunDump(const DumpOptions& opts);

struct StatsOptions {
  std::string path;
};
int RunStats(const StatsOptions& opts);

struct Text2BinOptions {
  std::string in, out;
};
int RunText2Bin(const Text2BinOptions& opts);

struct AnalyzeOptions {
  std::string path;
  bool json = false;
  std::string color = "auto";  // auto | always | never
  double grace_ms = 100;
  double slow_ms = 100;
  bool fail_on_findings = false;
};
int RunAnalyze(const AnalyzeOptions& opts);

// `cancelflow check TRACE...`: the CI gate (docs/ci.md).
struct CheckOptions {
  std::vector<std::string> inputs;  // trace files or directories (their *.trace / *.out files)
  std::string junit, sarif;         // output paths ("" = none, "-" = stdout)
  std::string github = "auto";      // auto (when GITHUB_ACTIONS=true), always, never
  bool github_flag = false;         // --github
  std::string module_root;          // "" = find go.mod upward
  std::string baseline, write_baseline, config;
  bool quiet = false;
};
int RunCheck(const CheckOptions& opts);

// Prints "cancelflow: <message>" to stderr.
void PrintError(const std::string& message);

}  // namespace cancelflow::cli
