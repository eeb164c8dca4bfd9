// Small text helpers shared by the gate's writers.
#pragma once

#include <string>
#include <string_view>

#include "report/check_result.h"

namespace cancelflow::report {

// "file:line" of a site ("" when unknown; "func" when there is no file).
std::string SiteString(const Site& s);

// A Go-style duration: "100ms", "1.5s", "250us", "0s".
std::string GoDuration(Time ns);

// One line naming the options an analysis ran with, for every report:
// "grace 100ms, slow-cancel 100ms, late-deadline 50ms, scope from the trace;
// config /m/.cancelflow.json; set by flags: grace; rules off: late-deadline".
std::string OptionsSummary(const AnalysisOptions& o);

// A few lines describing a finding for humans: message, hint, goroutines,
// sites, test, fingerprint. Ends with a newline. Every trace string in it is
// inert (base/inert_text.h): the line breaks are the writer's own.
std::string FindingText(const Analysis& a, const CheckedFinding& cf);

}  // namespace cancelflow::report
