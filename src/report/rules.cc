#include "report/rules.h"

namespace cancelflow::report {

namespace {

// Indexed by Rule; definitions as in docs/scenarios.md ("Rule ids").
constexpr RuleDoc kDocs[] = {
    {"LeakedGoroutine", "A goroutine is still alive when the trace ends.",
     "A goroutine created during the trace, running user code, was still blocked or running when the trace (or "
     "the test) ended.",
     "Make the goroutine return when its context is done: select on ctx.Done() next to every blocking operation."},
    {"IgnoredCancel", "A goroutine kept running after its context was canceled.",
     "A goroutine bound to a context was still running the grace period after the context was done and never "
     "exited.",
     "Watch ctx.Done() in the goroutine's loops and blocking operations (select, deadlines on I/O)."},
    {"SlowCancel", "A goroutine exited late after its context was canceled.",
     "A goroutine woken or bound to a canceled context exited, but later than the slow-cancel threshold.",
     "Check ctx.Err() or ctx.Done() more often in long-running work."},
    {"CancelNotCalled", "A context's CancelFunc is never called.",
     "An instrumented cancelable context whose CancelFunc was never called: its resources (timers, child links, "
     "goroutines waiting on it) live until the parent is done.",
     "Call the CancelFunc on every path, usually with defer cancel() right after creating the context."},
    {"DetachedContext", "Work started for a request uses a context its cancellation cannot reach.",
     "A context rooted at context.Background, context.TODO or WithoutCancel was created by a goroutine working "
     "for a cancelable context.",
     "Derive the context from the request's context, or document why the work must outlive it."},
    {"LateDeadline", "A deadline can never fire: the parent's deadline comes first.",
     "A context's requested deadline is later than its parent's deadline, so the requested timeout never "
     "applies.",
     "Shorten the timeout, or derive the context from a parent with a later deadline."},
};
static_assert(sizeof(kDocs) / sizeof(kDocs[0]) == static_cast<size_t>(Rule::kCount));

}  // namespace

const RuleDoc& DocOf(Rule r) { return kDocs[static_cast<size_t>(r)]; }

}  // namespace cancelflow::report
