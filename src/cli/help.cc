// `cancelflow help [TOPIC]` and `cancelflow version`: what a user who only
// has the binary can read without the repository. Each topic is a short
// summary and the URL of the full document (the docs/ directory on GitHub).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"

namespace cancelflow::cli {
namespace {

constexpr std::string_view kDocs = "https://github.com/cancelflow/cancelflow/blob/main/docs/";

struct Topic {
  std::string_view name;
  std::string_view doc;  // file under docs/
  std::string_view summary;
};

constexpr Topic kTopics[] = {
    {"test", "ci.md",
     "cancelflow test [flags] [packages] [-- go test flags]\n"
     "  Runs `go test` on each package with an execution trace (packages default to ./...), analyzes each\n"
     "  trace as its package finishes and prints one summary. Exit 0 clean, 1 a test failed or a finding\n"
     "  fails the gate, 2 an error (go missing, a build failure). Each test binary also writes the runtime's\n"
     "  goroutine leak profile before its trace stops (Go 1.27; Go 1.26: goroutineleakprofile is added to\n"
     "  GOEXPERIMENT): a TestMain is added through go test -overlay where a package has none; a package with\n"
     "  its own calls ctxtracetest.RunWithLeakProfile(m) instead of m.Run(). Leaks it lists are proven.\n"
     "  --no-leak-profile: trace evidence only."},
    {"check", "ci.md",
     "cancelflow check TRACE_OR_DIR...\n"
     "  The CI gate on traces you produced yourself; directories are searched for trace files (recognized\n"
     "  by their header). Exit 0 clean, 1 findings, 2 error."},
    {"ci", "ci.md",
     "Reports for CI: --junit (one <testsuite> per package, one <testcase> per Go test, as gotestsum),\n"
     "  --sarif (SARIF 2.1.0), --github (annotations), --metrics (OpenMetrics text), --baseline and\n"
     "  --write-baseline (adopt the gate on existing code)."},
    {"alerting", "observability.md",
     "Alerting on --metrics: the metrics to a Pushgateway (PUT) or a textfile collector, Prometheus\n"
     "  rules (a gating finding on the default branch blocks the deploy, ignored-cancel share, p99\n"
     "  cancel-response time rising, a silent gate), an Alertmanager route, fleet queries."},
    {"config", "ci.md#config-file-cancelflowjson",
     ".cancelflow.json in the module root (or --config FILE), read by every command that analyzes:\n"
     "  fail_on, thresholds (grace, slow_cancel, late_deadline, burst_gap), rules (severity or off per\n"
     "  rule id), user_packages. --grace-ms, --slow-ms and --scope override it."},
    {"findings", "findings.md",
     "Rules: leaked-goroutine, ignored-cancel, slow-cancel, cancel-not-called, detached-context,\n"
     "  late-deadline."},
    {"json", "json-schema.md", "The JSON document printed by `cancelflow analyze --json`."},
    {"records", "records.md",
     "The instrumentation records the Go module (ctxtrace, ctxtracetest) writes into the trace."},
    {"outputs", "outputs.md", "The Perfetto, pprof and HTML outputs."},
    {"live", "outputs.md#live-services",
     "cancelflow analyze|html|check|perfetto|pprof [--seconds 5] [--timeout 10] [--keep-trace FILE]\n"
     "      http://HOST:PORT/debug/pprof/\n"
     "  A running service with net/http/pprof, as `go tool pprof URL`: takes trace?seconds=N, then at once\n"
     "  goroutineleak?debug=2 (Go 1.27+, or 1.26 with GOEXPERIMENT=goroutineleakprofile), and analyzes them\n"
     "  together: the leaks the runtime proves are `proven`. Without the profile (404) the trace alone is\n"
     "  analyzed and the report says so. Caps: trace 256 MiB, profile 64 MiB. Errors (refused, timeout,\n"
     "  HTTP status, not a trace) are one line and exit 2; no output file is left half-written."},
    {"watch", "observability.md#production-cancelflow-watch",
     "cancelflow watch [--every 15m] [--seconds 5] [--listen 127.0.0.1:9464] [--keep DIR --keep-max-mb N]\n"
     "      [--service NAME] [--max-series 1000] [--rounds N] [--otlp URL] TARGET...\n"
     "  Services in production. TARGETs are http://HOST:PORT/debug/pprof/ URLs or Prometheus file_sd JSON\n"
     "  files (re-read when they change; the \"service\" label names the service). Each round takes each\n"
     "  target's window and leak profile in turn, spread over --every, analyzes them like `analyze`,\n"
     "  exports OTLP when configured (OTEL_* variables), and serves the latest findings by service,\n"
     "  instance, rule and fingerprint, error counters and cancel-response histograms on /metrics.\n"
     "  A failing target is counted and logged, never fatal. SIGTERM/SIGINT: exit 0."},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Levenshtein distance, case-insensitive.
size_t Distance(std::string_view a0, std::string_view b0) {
  const std::string a = Lower(a0), b = Lower(b0);
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string Nearest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = SIZE_MAX;
  for (const auto& c : candidates) {
    const size_t d = Distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  // Only a plausible typo: at most a third of the word (rounded up) changed.
  return best_d <= std::max<size_t>(1, (word.size() + 2) / 3) ? best : "";
}

std::string HelpTopicsLine() {
  std::string names;
  for (const auto& t : kTopics) names += fmt::format("{}{}", names.empty() ? "" : ", ", t.name);
  return names;
}

int RunHelp(const std::string& topic, const std::string& usage) {
  if (topic.empty()) {
    std::fputs(usage.c_str(), stdout);
    std::printf("\nHelp topics (cancelflow help TOPIC): %s\nDocumentation: %s\n", HelpTopicsLine().c_str(),
                std::string(kDocs).c_str());
    return kExitOk;
  }
  for (const auto& t : kTopics) {
    if (t.name == topic) {
      std::printf("%s\n\nMore: %s%s\n", std::string(t.summary).c_str(), std::string(kDocs).c_str(),
                  std::string(t.doc).c_str());
      return kExitOk;
    }
  }
  std::vector<std::string> names;
  for (const auto& t : kTopics) names.emplace_back(t.name);
  const std::string near = Nearest(topic, names);
  PrintError(fmt::format("unknown help topic \"{}\"{}", topic, near.empty() ? "" : "; did you mean \"" + near + "\"?"));
  PrintError("topics: " + HelpTopicsLine());
  return kExitError;
}

}  // namespace cancelflow::cli
