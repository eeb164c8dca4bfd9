// cancelflow's subcommands. Each returns the process exit status:
//   0  success
//   1  findings (analysis gates; not used by dump/stats)
//   2  the input is unusable (missing, not a trace, malformed), or bad usage
//   3  partial: the input broke part-way; everything before the break was
//      processed and printed, then the error
#pragma once

#include <string>

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

// Prints "cancelflow: <message>" to stderr.
void PrintError(const std::string& message);

}  // namespace cancelflow::cli
