// detached-context: work under a cancelable context runs on a context cut
// from it.
// - With records: a context created from Background/TODO, or detached by
//   WithoutCancel, on a goroutine that is bound to a cancelable context or
//   was created (transitively) by one: the request's cancellation cannot
//   reach that work.
// - Always: goroutines blocked forever (reason "forever") in a plain channel
//   receive at the end of the trace: the nil Done channel of a context that
//   can never be canceled (Background, TODO, WithoutCancel), or any nil channel.
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

void FindDetachedContexts(const ModelState& m, const AnalysisOptions& o, std::vector<Finding>* out) {
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
    out->push_back(std::move(f));
  }
  std::vector<GoroutineGroupInput> items;
  for (const GoRecord& g : m.gs) {
    if (!IsCandidate(g, m) || g.info.ended >= 0 || g.info.end_state != GoState::kWaiting) continue;
    if (m.Str(g.info.block_reason) != "forever") continue;
    const auto funcs = m.Funcs(g.info.block_stack);
    if (!IsChannelReceive(funcs)) continue;
    items.push_back({&g, -1, -1});
  }
  EmitGoroutineFindings(m, o, Rule::kDetachedContext, std::move(items), [&](const auto& v, Finding* f) {
    f->message = fmt::format("{} goroutine{} blocked forever receiving from a nil channel at {}: the Done() of a "
                             "context that can never be canceled (Background, TODO, WithoutCancel)?",
                             v.size(), v.size() == 1 ? " is" : "s are", SiteOf(m, f->block_stack, f->block_user_frame));
    f->hint = "pass the caller's cancelable ctx down instead of context.Background()/TODO(), or close a real channel";
  }, out);
}

}  // namespace cancelflow::analysis
