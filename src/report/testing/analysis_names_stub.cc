// Stand-in definitions of the analysis name functions (RuleId, RuleFromId,
// SeverityName) for report tests while src/analysis does not define them
// yet. src/report/CMakeLists.txt links this file only when no source of
// src/analysis defines RuleId, so it disappears once the analysis lands.
#include "cancelflow/analysis.h"

namespace cancelflow {

namespace {
constexpr std::string_view kRuleIds[] = {"leaked-goroutine", "ignored-cancel",    "slow-cancel",
                                         "cancel-not-called", "detached-context", "late-deadline"};
}

std::string_view RuleId(Rule r) { return kRuleIds[static_cast<size_t>(r)]; }

std::optional<Rule> RuleFromId(std::string_view id) {
  for (size_t i = 0; i < std::size(kRuleIds); ++i) {
    if (kRuleIds[i] == id) return static_cast<Rule>(i);
  }
  return std::nullopt;
}

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kNote: return "note";
    case Severity::kWarning: return "warning";
    case Severity::kError: return "error";
  }
  return "warning";
}

}  // namespace cancelflow
