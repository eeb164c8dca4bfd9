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

#include <string>
#include <string_view>

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

}  // namespace cancelflow::report
