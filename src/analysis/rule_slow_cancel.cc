// slow-cancel: a goroutine whose context was canceled did return, but later
// than `slow_cancel_ns` after the cancel.
// - With records: `go_overdue` followed by `go_exit`.
// - Without: woken by a cancel, GoDestroy more than the threshold later.
// Latency percentiles are per group (start function and sites).
#include <fmt/format.h>

#include "analysis/rules.h"

namespace cancelflow::analysis {

void FindSlowCancels(const ModelState& m, const AnalysisOptions& o, std::vector<Finding>* out) {
  std::vector<GoroutineGroupInput> items;
  for (const GoRecord& g : m.gs) {
    if (!IsCandidate(g, m) || g.info.ended < 0) continue;
    Time latency = -1;
    int64_t ci = -1;
    if (g.last_woken.valid()) {
      const WokenGoroutine& w =
          m.cancellations[static_cast<size_t>(g.last_woken.cancellation)].woken[g.last_woken.woken];
      if (g.info.ended - w.unblocked > o.slow_cancel_ns) {
        latency = g.info.ended - w.unblocked;
        ci = g.last_woken.cancellation;
      }
    }
    if (latency < 0 && g.overdue_record && g.go_exit_record) {
      const ContextInfo* c = m.Context(g.info.context_id);
      latency = c != nullptr && c->done >= 0 ? g.info.ended - c->done : g.info.ended - g.overdue_at;
    }
    if (latency >= 0) items.push_back({&g, latency, ci});
  }
  EmitGoroutineFindings(m, o, Rule::kSlowCancel, std::move(items), [&](const auto& v, Finding* f) {
    const GoroutineInfo& g = v.front().g->info;
    f->message = fmt::format("{} goroutine{} started at {} returned {:.1f} ms (p50; max {:.1f} ms) after {} context "
                             "was canceled (threshold {} ms)",
                             v.size(), v.size() == 1 ? "" : "s", GoroutineLabel(m, g),
                             static_cast<double>(f->latency.p50) / 1e6, static_cast<double>(f->latency.max) / 1e6,
                             v.size() == 1 ? "its" : "their", o.slow_cancel_ns / 1'000'000);
    // Was the time spent waiting for a CPU (scheduling) or working after waking?
    std::vector<Time> waits;
    for (const auto& it : v) {
      if (!it.g->last_woken.valid()) continue;
      const WokenGoroutine& w =
          m.cancellations[static_cast<size_t>(it.g->last_woken.cancellation)].woken[it.g->last_woken.woken];
      if (w.started >= 0) waits.push_back(w.started - w.unblocked);
    }
    const LatencyStats wait = ComputeLatency(std::move(waits));
    if (wait.count > 0 && wait.p50 * 2 > f->latency.p50) {
      f->hint = fmt::format("most of it was spent waiting to run (median {:.1f} ms from wake-up to running): the "
                            "process is CPU-starved; reduce load or GOMAXPROCS contention",
                            static_cast<double>(wait.p50) / 1e6);
    } else {
      f->hint = "check ctx.Done() more often in the work it does after waking, or pass ctx into the calls that take long";
    }
  }, out);
}

}  // namespace cancelflow::analysis
