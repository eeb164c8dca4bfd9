// leaked-goroutine: a goroutine created during the trace, running user code
// (or context's propagateCancel goroutine), still alive when the trace ends,
// and not caught in flight (InFlightAtEnd: started, or woken by a cancel,
// less than grace_ns before the end and not blocked since).
// When the trace has test markers the goroutine is attributed to the test
// whose goroutine (transitively) created it.
#include <fmt/format.h>

#include "analysis/rules.h"
#include "analysis/stack_patterns.h"

namespace cancelflow::analysis {

void FindLeakedGoroutines(const ModelState& m, const AnalysisOptions& o, std::vector<Finding>* out) {
  std::vector<GoroutineGroupInput> items;
  for (const GoRecord& g : m.gs) {
    if (!IsCandidate(g, m) || g.info.ended >= 0 || InFlightAtEnd(g, m, o)) continue;
    items.push_back({&g, -1, g.last_woken.valid() ? g.last_woken.cancellation : -1});
  }
  EmitGoroutineFindings(m, o, Rule::kLeakedGoroutine, std::move(items), [&](const auto& v, Finding* f) {
    const GoroutineInfo& g = v.front().g->info;
    const std::string_view start = m.Str(g.start_func);
    const std::string state =
        g.end_state == GoState::kWaiting
            ? fmt::format("blocked ({})", g.block_reason == kEmptyString ? "since before it was traced" : m.Str(g.block_reason))
            : std::string(g.end_state == GoState::kSyscall ? "in a system call" : "running");
    f->message = fmt::format("{} goroutine{} started at {} {} still {} when the trace ended", v.size(),
                             v.size() == 1 ? "" : "s", GoroutineLabel(m, g), v.size() == 1 ? "is" : "are", state);
    if (IsPropagateCancelGoroutine(start)) {
      f->hint = "a context derived from a custom Context parent was never canceled: call its CancelFunc "
                "(defer cancel()) where it is created";
    } else if (f->cancellation >= 0) {
      f->hint = "its context was canceled but it did not return: select on <-ctx.Done() where it blocks and return";
    } else {
      f->hint = "give the goroutine a way to stop (a context it selects on, or closing the channel it waits on) and "
                "make its creator wait for it";
    }
  }, out);
}

}  // namespace cancelflow::analysis
