// cancel-not-called: a CancelFunc was never called.
// - With records: each `leak` record (the Go module saw the CancelFunc become
//   unreachable, or still uncalled at test end / Flush).
// - Without records: each goroutine context.(*cancelCtx).propagateCancel
//   started for a custom Context parent that is still alive at the end of
//   the trace — it only exits when the parent or the child is canceled.
//   (With records, leak records are authoritative and this signature is not
//   counted again: its goroutines are claimed, so no weaker rule reports the
//   same bug as a leaked goroutine.)
#include <fmt/format.h>

#include "analysis/rules.h"

namespace cancelflow::analysis {

void FindCancelsNotCalled(const ModelState& m, const AnalysisOptions& o, FindingSink* out) {
  if (m.quality.instrumentation_records > 0) {
    for (uint64_t id : m.leak_records) {
      const ContextInfo* c = m.Context(id);
      if (c == nullptr) continue;
      Finding f = ContextFinding(m, o, Rule::kCancelNotCalled, *c);
      f.message = fmt::format("the CancelFunc of the {} context created at {} was never called ({})", c->kind,
                              c->created_at.func, c->leak_reason == "unreachable" ? "it became unreachable"
                                                  : c->leak_reason == "test_end" ? "still uncalled when its test ended"
                                                                                 : "still uncalled when tracing stopped");
      f.hint = "call cancel on every path: defer cancel() right after creating the context";
      f.evidence = "the Go module's leak record (" + c->leak_reason + ")";
      out->findings.push_back(std::move(f));
    }
    for (const GoRecord& g : m.gs)
      if (g.info.ended < 0 && g.propagate_cancel)
        out->claimed.Insert(static_cast<uint64_t>(g.info.id.value()), 1);
    return;
  }
  std::vector<GoroutineGroupInput> items;
  for (const GoRecord& g : m.gs) {
    if (g.info.ended >= 0 || !g.propagate_cancel || out->Claimed(g.info.id)) continue;
    items.push_back({&g, -1, -1});
  }
  EmitGoroutineFindings(m, o, Rule::kCancelNotCalled, std::move(items), [&](const auto& v, Finding* f) {
    // Where the goroutines are (a group shares its state at the end): usually
    // blocked in propagateCancel's select, not running.
    f->message = fmt::format("{} context{} derived from a custom Context parent at {} {} never canceled: the "
                             "goroutine{} context.propagateCancel started for {} still {}",
                             v.size(), v.size() == 1 ? "" : "s", SiteOf(m, f->creation_stack, f->creation_user_frame),
                             v.size() == 1 ? "was" : "were", v.size() == 1 ? "" : "s", v.size() == 1 ? "it is" : "them are",
                             EndState(m, *v.front().g));
    f->hint = "call the CancelFunc on every path (defer cancel()); a custom parent makes every leak cost a goroutine";
    f->evidence = "context.propagateCancel's goroutine runs until the child context or its custom parent is "
                  "canceled, and it was still alive when the trace ended";
  }, out);
}

}  // namespace cancelflow::analysis
