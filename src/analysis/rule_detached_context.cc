// detached-context: work under a cancelable context runs on a context cut
// from it.
// - With records: a context created from Background/TODO, or detached by
//   WithoutCancel, on a goroutine that is bound to a cancelable context or
//   was created (transitively) by one: the request's cancellation cannot
//   reach that work.
// - Without records, only where the trace shows a context: a goroutine
//   blocked forever receiving from a nil channel whose block or creation
//   stack runs through package context (the nil Done channel of a context
//   that can never be canceled), or, when the module's source is at hand,
//   whose waiting line reads `<-x.Done()` (GoRecord::nil_done_from_source):
//   Done() of Background, TODO or WithoutCancel is a nil channel. Where its
//   creator got the context is said when the evidence shows it
//   (GoRecord::context_origin). It runs before leaked-goroutine, so the
//   goroutine is not also a leak (one bug, one finding): blocked forever, it
//   is proven, and gates as leaked-goroutine does (the more severe of the two
//   rules' severities). A plain nil-channel
//   wait is a leak that is blocked forever (leaked-goroutine), not evidence of
//   a context.
#include <algorithm>

#include <fmt/format.h>

#include "analysis/rules.h"

namespace cancelflow::analysis {
void FindDetachedContexts(const ModelState& m, const AnalysisOptions& o, FindingSink* out) {
  for (const ContextInfo& c : m.contexts) {
    const bool detached = c.kind == "withoutcancel" || c.parent_kind == "background" || c.parent_kind == "todo" ||
                          c.parent_kind == "detached";
    if (!detached || !c.under_cancelable) continue;
    Finding f = ContextFinding(m, o, Rule::kDetachedContext, c);
    f.message = fmt::format("{} context created at {} is cut from the cancelable context its goroutine works for "
                            "({}): canceling the request does not stop this work",
                            c.kind, c.created_at.func,
                            c.kind == "withoutcancel" ? "context.WithoutCancel" : "parent is context." +
                                                            std::string(c.parent_kind == "todo" ? "TODO()" : "Background()"));
    f.hint = "derive the context from the request's ctx; if the work must outlive it, bound it with its own timeout";
    f.evidence = "the Go module's ctx record: created from " + std::string(c.kind == "withoutcancel" ? "WithoutCancel" : c.parent_kind) +
                 " on a goroutine working for a cancelable context";
    out->findings.push_back(std::move(f));
  }
  std::vector<GoroutineGroupInput> items;
  for (const GoRecord& g : m.gs) {
    if (!IsCandidate(g, *out) || g.info.ended >= 0 || !g.nil_done_wait) continue;
    // Blocked forever: the leak is proven, whatever shows the context.
    items.push_back({&g, -1, -1, 0, Certainty::kProven});
  }
  EmitGoroutineFindings(m, o, Rule::kDetachedContext, std::move(items), [&](const auto& v, Finding* f) {
    const GoRecord& r = *v.front().g;
    f->message = fmt::format("{} goroutine{} blocked forever receiving from the nil Done channel of a context that "
                             "can never be canceled (Background, TODO, WithoutCancel), at {}{}",
                             v.size(), v.size() == 1 ? " is" : "s are", SiteOf(m, f->block_stack, f->block_user_frame),
                             r.context_origin.empty() ? std::string() : "; its creator got it from " + r.context_origin);
    f->evidence = r.nil_done_from_source
                      ? "blocked forever in chan receive (nil chan), and the source line where it waits receives "
                        "from Done() (<-x.Done()): the Done channel of a context that can never be canceled is nil"
                      : "blocked forever in chan receive (nil chan), in code of package context";
    if (r.context_origin.empty()) f->evidence += "; the trace does not show where its creator got the context";
    f->hint = "pass the caller's cancelable ctx down instead of context.Background()/TODO(), or close a real channel";
    // It is also the leak leaked-goroutine would report: it gates as that rule does.
    if (o.enabled(Rule::kLeakedGoroutine))
      f->severity = std::max(f->severity, o.severity[static_cast<int>(Rule::kLeakedGoroutine)]);
  }, out);
}

}  // namespace cancelflow::analysis
