// GitHub Actions workflow commands, one per finding:
//   ::error file=pkg/x.go,line=42,title=leaked-goroutine: main.f.func1::message
// (error / warning / notice from the finding's severity; baselined findings
// are not printed). Paths are the SARIF ones: relative to the module root,
// so run check with --module-root at the repository root when go.mod is in
// a subdirectory. Trace strings are made inert first (base/inert_text.h: a
// newline, ESC, BEL, NUL or bidi control in a name prints as \n, \x1b, ...),
// so no string from the trace can start a line or a workflow command; then
// the runner's rules: in the message % \r \n become %25 %0D %0A; in
// properties also : and , (%3A %2C).
#pragma once

#include <string>
#include <string_view>

#include "report/check_result.h"

namespace cancelflow::report {

std::string WriteGitHubAnnotations(const CheckResult& result);

// Message data: each line of s made inert, lines joined with %0A.
std::string EscapeAnnotationData(std::string_view s);
// A property value (file, title): all of s made inert, then escaped.
std::string EscapeAnnotationProperty(std::string_view s);

}  // namespace cancelflow::report
