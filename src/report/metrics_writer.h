// The gate's result as OpenMetrics text (`--metrics FILE`), for a
// Pushgateway or a textfile collector feeding alert rules:
//
//   cancelflow_findings{package,test,rule,severity,gating}   gauge: findings of this run
//   cancelflow_failing_findings                              gauge: findings failing the gate
//   cancelflow_cancellations{package,test,kind}               gauge: cancellations seen
//   cancelflow_cancel_response_seconds{package,test}          histogram: from a cancel to each
//                                                             woken goroutine's exit or next block
//   cancelflow_tests{package,result}                          gauge: Go tests by result (when known)
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

std::string WriteOpenMetrics(const CheckResult& result);

// A label value in the exposition format's escaping (exposed for tests).
std::string MetricsLabelEscape(std::string_view s);

}  // namespace cancelflow::report
