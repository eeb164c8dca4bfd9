// GitHub Actions workflow commands, one per finding:
//   ::error file=pkg/x.go,line=42,title=leaked-goroutine: main.f.func1::message
// (error / warning / notice from the finding's severity; baselined findings
// are not printed). Paths are the SARIF ones: relative to the module root,
// so run check with --module-root at the repository root when go.mod is in
// a subdirectory. Escaping follows the runner's rules: in the message
// % \r \n become %25 %0D %0A; in properties also : and , (%3A %2C).
#pragma once

#include <string>
#include <string_view>

#include "report/check_result.h"

namespace cancelflow::report {

std::string WriteGitHubAnnotations(const CheckResult& result);

std::string EscapeAnnotationData(std::string_view s);
std::string EscapeAnnotationProperty(std::string_view s);

}  // namespace cancelflow::report
