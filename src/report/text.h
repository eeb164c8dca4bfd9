// Small text helpers shared by the gate's writers.
#pragma once

#include <string>
#include <string_view>

#include "report/check_result.h"

namespace cancelflow::report {

// "file:line" of a site ("" when unknown; "func" when there is no file).
std::string SiteString(const Site& s);

// A few lines describing a finding for humans: message, hint, goroutines,
// sites, test, fingerprint. Ends with a newline. Every trace string in it is
// inert (base/inert_text.h): the line breaks are the writer's own.
std::string FindingText(const Analysis& a, const CheckedFinding& cf);

}  // namespace cancelflow::report
