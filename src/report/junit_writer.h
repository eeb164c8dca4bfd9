// JUnit XML for CI test reporters (GitHub, GitLab, Jenkins).
//
// One <testsuite> per trace. When the trace has test markers (ctxtracetest),
// one <testcase> per Go test (subtests included, full name "TestX/sub");
// a finding attributed to a test is a <failure> of that test (when it fails
// the gate) and, like `go test`, of its parent tests; findings below the
// gate's severity or in the baseline go to the test's <system-out>.
// Findings attributed to no test, and every finding of a trace without test
// markers, belong to one extra testcase named "cancelflow: <trace>".
// Skipped Go tests are <skipped/>. Untrusted strings are made inert
// (base/inert_text.h: controls, bidi controls, invalid UTF-8 and the
// non-characters XML 1.0 cannot carry become Go escapes), then XML-escaped.
#pragma once

#include <string>

#include "report/check_result.h"

namespace cancelflow::report {

std::string WriteJUnit(const CheckResult& result);

// XML 1.0 text/attribute escaping (exposed for tests).
std::string XmlEscape(std::string_view s);

}  // namespace cancelflow::report
