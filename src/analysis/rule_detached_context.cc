// detached-context: work under a cancelable context runs on a context cut
// from it.
// - With records: a context created from Background/TODO, or detached by
//   WithoutCancel, on a goroutine that is bound to a cancelable context or
//   was created (transitively) by one: the request's cancellation cannot
//   reach that work.
// - Without records, only where the trace shows a context: a goroutine
//   blocked forever receiving from a nil channel whose block or creation
//   stack runs through package context (the nil Done channel of a context
//   that can never be canceled). A plain nil-channel wait is a leak that is
//   blocked forever (leaked-goroutine), not evidence of a context.
#include <fmt/format.h>

#include "analysis/rules.h"
#include "analysis/stack_patterns.h"

namespace cancelflow::analysis {
namespace {

bool UnderCancelableContext(const ModelState& m, GoId g) {
  for (int depth = 0; depth < 1000 && g != kNoGoroutine; ++depth) {
    const GoRecord* r = m.Find(g);
    if (r == nullptr) {
      // A retired goroutine (ended, no context): only its creator link is kept.
      const int64_t* creator = m.retired_creator.Find(static_cast<uint64_t>(g.value()));
      if (creator == nullptr) return false;
      g = GoId(*creator);
      continue;
    }
    if (r->info.context_id != 0) {
      const ContextInfo* c = m.Context(r->info.context_id);
      // Bound to an uninstrumented context (ctx=0 is skipped above) or to a
      // cancelable instrumented one.
      if (c == nullptr || c->kind != "withoutcancel") return true;
    }
    g = r->info.creator;
  }
  return false;
}

}  // namespace

void FindDetachedContexts(const ModelState& m, const AnalysisOptions& o, FindingSink* out) {
  for (const ContextInfo& c : m.contexts) {
    const bool detached = c.kind == "withoutcancel" || c.parent_kind == "background" || c.parent_kind == "todo" ||
                          c.parent_kind == "detached";
    if (!detached || !UnderCancelableContext(m, c.created_by)) continue;
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
    if (!IsCandidate(g, m, *out) || g.info.ended >= 0 || g.info.wait != WaitKind::kChanReceiveNil) continue;
    auto through_context = [&](StackId s) {
      for (std::string_view f : m.Funcs(s))
        if (f.starts_with("context.")) return true;
      return false;
    };
    if (!through_context(g.info.block_stack) && !through_context(g.info.creation_stack)) continue;
    items.push_back({&g, -1, -1});
  }
  EmitGoroutineFindings(m, o, Rule::kDetachedContext, std::move(items), [&](const auto& v, Finding* f) {
    f->message = fmt::format("{} goroutine{} blocked forever receiving from the nil Done channel of a context that "
                             "can never be canceled, at {}",
                             v.size(), v.size() == 1 ? " is" : "s are", SiteOf(m, f->block_stack, f->block_user_frame));
    f->evidence = "blocked forever in chan receive (nil chan), in code of package context";
    f->hint = "pass the caller's cancelable ctx down instead of context.Background()/TODO(), or close a real channel";
  }, out);
}

}  // namespace cancelflow::analysis
