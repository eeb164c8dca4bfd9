// late-deadline: a deadline fired materially later than it was set for.
// Needs the records (the trace never names a deadline):
// - a context whose requested deadline is later than its parent's
//   (`deadline_ns > parent_deadline_ns > 0`): the requested timeout can never
//   apply, the parent's fires first;
// - a context done by its own deadline more than `late_deadline_ns` after the
//   requested deadline (placed on the trace clock with the Go 1.25+ clock
//   snapshot; skipped for older traces).
#include <fmt/format.h>

#include "analysis/rules.h"

namespace cancelflow::analysis {

void FindLateDeadlines(const ModelState& m, const AnalysisOptions& o, FindingSink* out) {
  for (const ContextInfo& c : m.contexts) {
    if (c.parent_deadline_unix_ns > 0 && c.deadline_unix_ns > c.parent_deadline_unix_ns) {
      Finding f = ContextFinding(m, o, Rule::kLateDeadline, c);
      f.message = fmt::format("the {} context created at {} asks for a deadline {:.1f} ms after its parent's: its "
                              "own timeout can never fire",
                              c.kind, c.created_at.func,
                              static_cast<double>(c.deadline_unix_ns - c.parent_deadline_unix_ns) / 1e6);
      f.hint = "budget the timeout from the parent's remaining time (ctx.Deadline()) or drop it";
      f.evidence = "the Go module's ctx record: the requested deadline is later than the parent's";
      out->findings.push_back(std::move(f));
      continue;
    }
    if (c.done_by == "deadline" && c.deadline_unix_ns > 0 && m.wall_offset_known) {
      const int64_t done_wall = c.done + m.wall_offset;
      if (done_wall - c.deadline_unix_ns > o.late_deadline_ns) {
        Finding f = ContextFinding(m, o, Rule::kLateDeadline, c);
        f.message = fmt::format("the deadline of the {} context created at {} fired {:.1f} ms late", c.kind,
                                c.created_at.func, static_cast<double>(done_wall - c.deadline_unix_ns) / 1e6);
        f.hint = "the process was too busy to run the timer in time (CPU starvation, long STW, GOMAXPROCS too low)";
        f.evidence = "the Go module's done record, placed on the trace clock by the clock snapshot";
        out->findings.push_back(std::move(f));
      }
    }
  }
}

}  // namespace cancelflow::analysis
