// The gate's result as OpenMetrics text (`--metrics FILE`), for a
// Pushgateway or a textfile collector feeding alert rules:
//
//   cancelflow_findings{package,test,rule,severity,gating}   gauge: findings of this run
//   cancelflow_failing_findings                              gauge: findings failing the gate
//   cancelflow_cancellations{package,test,kind}               gauge: cancellations seen
//   cancelflow_cancel_response_seconds{package,test}          histogram: from a cancel to each
//                                                             woken goroutine's exit or next block
//   cancelflow_tests{package,result}                          gauge: Go tests by result (when known)
//   cancelflow_tests_with_findings{package,rule}              gauge: Go tests with at least one finding
//                                                             of the rule (the numerator of "share of
//                                                             tests with ignored cancellations")
//   cancelflow_build_info{version}                            gauge: 1, the version that wrote the file
//   cancelflow_run_timestamp_seconds                          gauge: Unix time the run wrote the file
//                                                             (a stale gate must not look like a clean one)
//
// The values are this run's, not cumulative counters: a Pushgateway PUT or a
// textfile collector file holds one run until the next replaces it, so alert
// rules read them as they are (no rate()); deploy/prometheus has the rules.
//
// `test` is the Go test the finding, the canceling goroutine or the woken
// goroutine belongs to ("" for none). Label values are escaped as the
// exposition format requires (backslash, double quote, newline); the text
// ends with "# EOF".
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "report/check_result.h"

namespace cancelflow::report {

// What the run knows beyond its traces. An empty version or a negative time
// leaves the metric out (the unit tests' outputs stay deterministic).
struct MetricsRunInfo {
  std::string_view version;
  double unix_seconds = -1;
};

std::string WriteOpenMetrics(const CheckResult& result, const MetricsRunInfo& run = {});

// A label value in the exposition format's escaping (exposed for tests).
std::string MetricsLabelEscape(std::string_view s);

// ---- cancelflow watch ---------------------------------------------------------
//
// `cancelflow watch` serves the latest state of every target on /metrics,
// with the same label escaping, histogram buckets and HELP/TYPE layout:
//
//   cancelflow_watch_findings{service,instance,rule,severity,certainty,fingerprint}
//                                         gauge: findings of the target's latest successful round
//   cancelflow_watch_finding_goroutines{service,instance,rule,fingerprint}
//                                         gauge: goroutines those findings name
//   cancelflow_watch_up{service,instance} gauge: 1 if the latest round of the target succeeded
//   cancelflow_watch_leak_profile{service,instance}
//                                         gauge: 1 if its latest round joined the runtime's leak profile
//   cancelflow_watch_rounds_total{service,instance}  counter: rounds attempted
//   cancelflow_watch_errors_total{service,instance,kind} counter: failed rounds by kind (refused, timeout, ...)
//   cancelflow_watch_round_seconds{service,instance} gauge: how long the target's latest round took
//   cancelflow_watch_last_success_timestamp_seconds{service,instance} gauge (Unix time)
//   cancelflow_watch_cancel_response_seconds{service} histogram, cumulative since watch started
//   cancelflow_watch_finding_series{state="kept|dropped"} gauge: finding series kept, and those
//                                         dropped by the cap (WatchMetrics::max_finding_series)
//   cancelflow_build_info{version}        gauge: 1
//
// Counters are typed with their sample name (`# TYPE x_total counter`), as the
// Prometheus text format writes them, so that `promtool check metrics` lints
// the page clean; the page ends with "# EOF" like the --metrics file.

// Bucket bounds of the cancel-response histograms, in seconds.
inline constexpr std::array<double, 12> kResponseBuckets = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025,
                                                            0.05,   0.1,    0.25,  0.5,   1,    5};

struct ResponseHistogram {
  std::array<uint64_t, kResponseBuckets.size()> le{};
  uint64_t count = 0;
  double sum = 0;
  void Add(double seconds);
};

// Calls fn(cancellation, woken goroutine, seconds) for every woken goroutine
// with a known response time (from the cancel to its exit or next block).
template <typename Fn>
void ForEachCancelResponse(const Analysis& a, Fn&& fn) {
  for (const auto& c : a.cancellations) {
    for (const auto& w : c.woken) {
      if (w.stopped < 0 || c.time < 0 || w.stopped < c.time) continue;
      fn(c, w, static_cast<double>(w.stopped - c.time) / 1e9);
    }
  }
}

struct WatchFindingSeries {
  std::string rule, severity, certainty, fingerprint;
  uint64_t findings = 0, goroutines = 0;
};

struct WatchTargetState {
  std::string service, instance;
  uint64_t rounds = 0;
  std::map<std::string, uint64_t> errors;  // kind -> failed rounds
  bool up = false;
  bool leak_profile = false;
  double round_seconds = 0;
  double last_success_unix = -1;
  std::vector<WatchFindingSeries> findings;  // the latest successful round's
};

struct WatchMetrics {
  std::vector<WatchTargetState> targets;
  std::map<std::string, ResponseHistogram> response_by_service;
  size_t max_finding_series = 1000;
  uint64_t finding_series_dropped = 0;  // in the latest update that hit the cap
};

// Replaces target `index`'s findings with those of `result` (its latest
// round) and adds its cancel-response times to its service's histogram.
// Returns how many finding series the cap dropped (0: none).
uint64_t UpdateWatchTarget(WatchMetrics& m, size_t index, const CheckResult& result);

std::string WriteWatchMetrics(const WatchMetrics& m, const MetricsRunInfo& run = {});

}  // namespace cancelflow::report
