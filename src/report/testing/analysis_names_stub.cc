// TEMPORARY, tests only: weak stand-ins for the analysis-result functions the
// lead implements on main (src/analysis). Weak, so the real definitions win
// once they are linked; delete this file when main's Analyze is merged.
#include <algorithm>

#include "cancelflow/analysis.h"

namespace cancelflow {

[[gnu::weak]] std::string_view RuleId(Rule r) {
  switch (r) {
    case Rule::kLeakedGoroutine: return "leaked-goroutine";
    case Rule::kIgnoredCancel: return "ignored-cancel";
    case Rule::kSlowCancel: return "slow-cancel";
    case Rule::kCancelNotCalled: return "cancel-not-called";
    case Rule::kDetachedContext: return "detached-context";
    case Rule::kLateDeadline: return "late-deadline";
    default: return "?";
  }
}
[[gnu::weak]] std::string_view SeverityName(Severity s) {
  return s == Severity::kError ? "error" : s == Severity::kWarning ? "warning" : "note";
}
[[gnu::weak]] std::string_view CancelKindName(CancelKind k) {
  switch (k) {
    case CancelKind::kExplicit: return "explicit";
    case CancelKind::kDeadline: return "deadline";
    case CancelKind::kParent: return "parent";
    case CancelKind::kAfterFunc: return "afterfunc";
  }
  return "?";
}
[[gnu::weak]] std::string_view WakeOutcomeName(WakeOutcome o) {
  switch (o) {
    case WakeOutcome::kExited: return "exited";
    case WakeOutcome::kBlockedAgain: return "blocked";
    case WakeOutcome::kRunning: return "running";
    case WakeOutcome::kNotStarted: return "not-started";
  }
  return "?";
}
[[gnu::weak]] const GoroutineInfo* Analysis::Goroutine(GoId id) const {
  auto it = std::lower_bound(goroutines.begin(), goroutines.end(), id,
                             [](const GoroutineInfo& g, GoId x) { return g.id < x; });
  return it != goroutines.end() && it->id == id ? &*it : nullptr;
}

}  // namespace cancelflow
