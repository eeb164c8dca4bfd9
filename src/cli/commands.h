// cancelflow's subcommands. Each returns the process exit status:
//   0  success
//   1  findings (analysis gates; not used by dump/stats)
//   2  the input is unusable (missing, not a trace, malformed), or bad usage
//   3  partial: the input broke part-way; everything before the break was
//      processed and printed, then the error
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cancelflow/analysis.h"
#include "cli/analysis_options.h"
#include "cli/gate.h"
#include "cli/live_input.h"
#include "report/html_writer.h"
#include "report/perfetto_writer.h"
#include "report/pprof_writer.h"

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
  bool ordered = false;  // also run the full ordering pass
  int threads = 0;       // 0: one per hardware thread
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
  AnalysisFlags analysis;
  bool fail_on_findings = false;
  std::string perfetto_out;  // --perfetto OUT: also write the Perfetto timeline (same pass)
  std::string pprof_out;     // --pprof OUT: also write the pprof profile (same pass)
  std::string html_out;      // --html OUT: also write the HTML report (same pass)
  std::string otlp;          // --otlp URL ("" = the OTEL_* variables decide)
  LiveFlags live;            // a URL as `path`: --seconds, --timeout, --keep-trace
};
int RunAnalyze(const AnalyzeOptions& opts);

// `cancelflow check TRACE...`: the CI gate (cancelflow help check).
struct CheckOptions {
  std::vector<std::string> inputs;  // trace files or directories (trace files recognized by their header)
  AnalysisFlags analysis;
  GateOptions gate;
  LiveFlags live;  // URLs among the inputs: --seconds, --timeout, --keep-trace
};
int RunCheck(const CheckOptions& opts);

// `cancelflow test [flags] [packages] [-- go test flags]` (cmd_gotest.cc).
struct TestOptions {
  std::vector<std::string> packages;  // default ./...
  std::vector<std::string> go_flags;  // after --
  std::string keep_traces;            // "" = a temporary directory, removed
  int parallel = 0;                   // packages at once; 0 = one per CPU (go test -p)
  AnalysisFlags analysis;
  GateOptions gate;
};
int RunTest(const TestOptions& opts);

struct PerfettoOptions {
  std::string path, out;
  uint32_t max_slices_per_goroutine = 2000;
  uint64_t max_records = 500'000;
  AnalysisFlags analysis;
  LiveFlags live;
};
int RunPerfetto(const PerfettoOptions& opts);

struct PprofOptions {
  std::string path, out;
  AnalysisFlags analysis;
  LiveFlags live;
};
int RunPprof(const PprofOptions& opts);

// `cancelflow html FILE -o OUT.html`: the self-contained HTML report.
struct HtmlOptions {
  std::string path, out;
  uint32_t max_lanes = 200;
  uint64_t max_spans = 60'000;
  AnalysisFlags analysis;
  LiveFlags live;
};
int RunHtml(const HtmlOptions& opts);

// Write a finished writer's output to `path` ("-" = stdout); false (after
// printing the error) if the file cannot be written.
bool WritePerfettoFile(report::PerfettoWriter& writer, const Analysis& a, const std::string& path,
                       report::PerfettoStats* stats);
bool WritePprofFile(report::PprofWriter& writer, const Analysis& a, const std::string& path,
                    report::PprofStats* stats);

bool WriteHtmlFile(report::HtmlWriter& writer, const Analysis& a, const TraceBuffer& trace, const std::string& path,
                   report::HtmlStats* stats);

// `cancelflow watch TARGET...` (cmd_watch.cc; cancelflow help watch).
struct WatchOptions {
  std::vector<std::string> targets;  // URLs and file_sd JSON files
  std::string every = "15m";         // --every: round length (15m, 30s, 500ms, 1h; a number is seconds)
  LiveFlags live;                    // --seconds, --timeout
  std::string listen = "127.0.0.1:9464";
  std::string keep_dir;              // --keep DIR ("" = keep no trace)
  double keep_max_mb = 1024;         // --keep-max-mb
  std::string service;               // --service: the service label of URL targets (default host:port)
  uint64_t rounds = 0;               // --rounds N (0 = until a signal)
  size_t max_series = 1000;          // --max-series: finding series on /metrics, all targets together
  AnalysisFlags analysis;
  std::string otlp;                  // --otlp URL ("" = the OTEL_* variables decide)
};
int RunWatch(const WatchOptions& opts);
// "15m", "30s", "500ms", "1h", "2" (seconds) in seconds; nullopt when malformed.
std::optional<double> ParseDurationSeconds(std::string_view text);

// `cancelflow help [TOPIC]` (help.cc): the usage, or a topic's summary and URL.
int RunHelp(const std::string& topic, const std::string& usage);
// The help topics, comma-separated.
std::string HelpTopicsLine();
// The candidate nearest to `word` (case-insensitive edit distance) when it is
// a plausible typo of it, else "".
std::string Nearest(std::string_view word, const std::vector<std::string>& candidates);

// Prints "cancelflow: <message>" to stderr.
void PrintError(const std::string& message);

}  // namespace cancelflow::cli
