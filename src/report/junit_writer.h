// JUnit XML for CI test reporters (GitHub, GitLab, Jenkins).
//
// Like gotestsum: one <testsuite> per package, named by its import path
// (CheckedTrace::package; the trace path when unknown), and
// <testcase classname="IMPORT/PATH" name="TestX/sub"> per Go test with its
// own pass/fail/skip and time: go test's results when known
// (CheckedTrace::go_tests, from cancelflow test), else the trace's
// ctxtracetest marks. A finding attributed to a test (Finding::test) is a
// <failure> of that test when it fails the gate and, like `go test`, of its
// parent tests; findings below the gate's severity or in the baseline go to
// the test's <system-out>. Findings that belong to no test go to one
// package-level testcase named "cancelflow", present only when there is such
// a finding. The trace path is the suite's "trace" property. Untrusted
// strings are made inert (base/inert_text.h: controls, bidi controls, invalid
// UTF-8 become Go escapes), then XML-escaped; characters XML 1.0 cannot carry
// are replaced by U+FFFD.
#pragma once

#include <string>

#include "report/check_result.h"

namespace cancelflow::report {

std::string WriteJUnit(const CheckResult& result);

// XML 1.0 text/attribute escaping (exposed for tests).
std::string XmlEscape(std::string_view s);

}  // namespace cancelflow::report
