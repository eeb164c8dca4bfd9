// Small text helpers shared by the gate's writers.
#pragma once

#include <string>
#include <string_view>

#include "report/check_result.h"

namespace cancelflow::report {

// `s` with every invalid UTF-8 sequence replaced by U+FFFD (trace strings are untrusted).
std::string ValidUtf8(std::string_view s);

// "file:line" of a site ("" when unknown; "func" when there is no file).
std::string SiteString(const Site& s);

// A few lines describing a finding for humans: message, hint, goroutines,
// sites, test, fingerprint. Ends with a newline.
std::string FindingText(const Analysis& a, const CheckedFinding& cf);

}  // namespace cancelflow::report
