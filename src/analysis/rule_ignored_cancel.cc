// ignored-cancel: a goroutine whose cancellation reached it, but which kept
// working or blocked elsewhere beyond the grace period and never exited.
// - With records: a goroutine bound to a context (ctxtrace.Go/Bind) that the
//   watchdog reported overdue (`go_overdue`) and that never exited.
// - Without: a goroutine woken by a cancel (GoUnblock from
//   context.(*cancelCtx).cancel) that then blocked elsewhere or kept running,
//   is still alive at the end, and the trace lasted `grace_ns` past the cancel.
#include <fmt/format.h>

#include "analysis/rules.h"

namespace cancelflow::analysis {

void FindIgnoredCancels(const ModelState& m, const AnalysisOptions& o, std::vector<Finding>* out) {
  std::vector<GoroutineGroupInput> items;
  for (const GoRecord& g : m.gs) {
    if (!IsCandidate(g, m) || g.info.ended >= 0) continue;
    if (g.overdue_record && !g.go_exit_record) {
      const ContextInfo* c = m.Context(g.info.context_id);
      const Time since = c != nullptr && c->done >= 0 ? c->done : g.overdue_at;
      items.push_back({&g, m.trace_end - since, g.last_woken.valid() ? g.last_woken.cancellation : -1});
      continue;
    }
    if (!g.last_woken.valid()) continue;
    const WokenGoroutine& w =
        m.cancellations[static_cast<size_t>(g.last_woken.cancellation)].woken[g.last_woken.woken];
    if ((w.outcome == WakeOutcome::kBlockedAgain || w.outcome == WakeOutcome::kRunning) &&
        m.trace_end - w.unblocked >= o.grace_ns) {
      items.push_back({&g, m.trace_end - w.unblocked, g.last_woken.cancellation});
    }
  }
  EmitGoroutineFindings(m, o, Rule::kIgnoredCancel, std::move(items), [&](const auto& v, Finding* f) {
    const GoroutineInfo& g = v.front().g->info;
    f->message = fmt::format("{} goroutine{} started at {} kept {} after {} context was canceled, for at least {} ms",
                             v.size(), v.size() == 1 ? "" : "s", GoroutineLabel(m, g),
                             g.end_state == GoState::kWaiting ? fmt::format("blocking ({})", m.Str(g.block_reason))
                                                              : std::string("running"),
                             v.size() == 1 ? "its" : "their", f->latency.max / 1'000'000);
    f->hint = "check ctx.Done() (or ctx.Err()) in the loop or select where it blocks, and return when it is closed";
  }, out);
}

}  // namespace cancelflow::analysis
