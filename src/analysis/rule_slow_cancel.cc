// slow-cancel: a goroutine that did respond to its cancellation, but later
// than `slow_cancel_ns` after it (docs/findings.md, "Response": it exited,
// returned from the function that waited, or went back to the same wait).
// - With records: `go_overdue` followed by `go_exit`.
// - Without: the slowest response of the goroutine to a cancel wake.
// A test's own goroutine (testing.tRunner) going on with its test is not a
// finding. Time to respond percentiles are per group.
#include <fmt/format.h>

#include "analysis/rules.h"

namespace cancelflow::analysis {

void FindSlowCancels(const ModelState& m, const AnalysisOptions& o, FindingSink* out) {
  enum Evidence : uint8_t { kResponse, kRecords };
  std::vector<GoroutineGroupInput> items;
  for (const GoRecord& g : m.gs) {
    if (!IsCandidate(g, *out) || g.test_runner) continue;
    if (g.slowest_response.valid()) {
      const WokenGoroutine& w = m.Woken(g.slowest_response);
      if (w.response_latency() > o.slow_cancel_ns) {
        items.push_back({&g, w.response_latency(), g.slowest_response.cancellation, kResponse});
        continue;
      }
    }
    if (g.info.ended >= 0 && g.overdue_record && g.go_exit_record) {
      items.push_back({&g, g.info.ended - g.done_at, -1, kRecords});
    }
  }
  EmitGoroutineFindings(m, o, Rule::kSlowCancel, std::move(items), [&](const auto& v, Finding* f) {
    const GoroutineInfo& g = v.front().g->info;
    f->message = fmt::format("{} goroutine{} started at {} responded {} (p50; max {}) after {} context was canceled "
                             "(threshold {})",
                             v.size(), v.size() == 1 ? "" : "s", GoroutineLabel(m, g), Ms(f->latency.p50),
                             Ms(f->latency.max), v.size() == 1 ? "its" : "their", Ms(o.slow_cancel_ns));
    f->evidence = v.front().evidence == kRecords
                      ? "the Go module's watchdog reported it overdue (go_overdue) before it exited (go_exit)"
                      : "time to respond: from the cancel that woke it to its exit, its return from the function "
                        "that waited, or its return to the same wait";
    // Was the time spent waiting for a CPU (scheduling) or working after waking?
    std::vector<Time> waits;
    for (const auto& it : v) {
      if (!it.g->slowest_response.valid()) continue;
      const WokenGoroutine& w = m.Woken(it.g->slowest_response);
      if (w.started >= 0) waits.push_back(w.started - w.unblocked);
    }
    const LatencyStats wait = ComputeLatency(std::move(waits));
    if (wait.count > 0 && wait.p50 * 2 > f->latency.p50) {
      f->hint = fmt::format("most of it was spent waiting to run (median {} from wake-up to running): the "
                            "process is CPU-starved; reduce load or GOMAXPROCS contention",
                            Ms(wait.p50));
    } else {
      f->hint = "check ctx.Done() more often in the work it does after waking, or pass ctx into the calls that take long";
    }
  }, out);
}

}  // namespace cancelflow::analysis
