// ignored-cancel: a goroutine that a cancellation reached and that did not
// respond to it (docs/findings.md, "Response").
// - Without records: woken by a cancel (GoUnblock from
//   context.(*cancelCtx).cancel, or started as an AfterFunc callback), it has
//   not responded when the trace ends, `grace_ns` or more after the wake:
//   it neither exited, nor returned from the function that waited, nor went
//   back to the same wait. A loop that makes a fresh context per job or per
//   tick responds each time and is never reported. A test's own goroutine
//   (testing.tRunner) going on with its test is not a finding.
// - With records: a goroutine bound to a context (ctxtrace.Go/Bind) that the
//   watchdog reported overdue (`go_overdue`) and that never exited.
#include <fmt/format.h>

#include "analysis/rules.h"

namespace cancelflow::analysis {

void FindIgnoredCancels(const ModelState& m, const AnalysisOptions& o, FindingSink* out) {
  enum Evidence : uint8_t { kRecords, kNoResponse };
  std::vector<GoroutineGroupInput> items;
  for (const GoRecord& g : m.gs) {
    if (!IsCandidate(g, *out) || g.info.ended >= 0 || g.test_runner) continue;
    if (g.overdue_record && !g.go_exit_record) {
      items.push_back({&g, m.trace_end - g.done_at, g.last_woken.valid() ? g.last_woken.cancellation : -1, kRecords});
      continue;
    }
    if (!g.pending_response.valid()) continue;
    const WokenGoroutine& w = m.Woken(g.pending_response);
    if (m.trace_end - w.unblocked >= o.grace_ns) {
      items.push_back({&g, m.trace_end - w.unblocked, g.pending_response.cancellation, kNoResponse});
    }
  }
  EmitGoroutineFindings(m, o, Rule::kIgnoredCancel, std::move(items), [&](const auto& v, Finding* f) {
    const GoroutineInfo& g = v.front().g->info;
    f->message = fmt::format("{} goroutine{} started at {} did not respond to {} context's cancellation for at "
                             "least {}: {}",
                             v.size(), v.size() == 1 ? "" : "s", GoroutineLabel(m, g), v.size() == 1 ? "its" : "their",
                             Ms(f->latency.max), EndState(m, *v.front().g));
    if (v.front().evidence == kRecords) {
      f->evidence = "the Go module's watchdog reported it still running after its context was done (go_overdue), "
                    "and it never exited";
    } else {
      const GoRecord& r = *v.front().g;
      const Cancellation& c = m.cancellations[static_cast<size_t>(f->cancellation)];
      const int k = r.wait_user_frame;
      f->evidence = fmt::format(
          "woken by a {} cancellation{}{}; {} later it had neither exited nor returned from the function that "
          "waited, nor gone back to the same wait",
          CancelKindName(c.kind), c.via_afterfunc ? " (through an AfterFunc)" : "",
          k >= 0 ? " while waiting at " + SiteOf(m, r.wait_stack, k) : std::string(), Ms(f->latency.max));
    }
    f->hint = std::string(HintForWait(g.end_state == GoState::kWaiting ? g.wait : WaitKind::kNone));
  }, out);
}

}  // namespace cancelflow::analysis
