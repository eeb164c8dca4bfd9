#include <fmt/format.h>

#include "analysis/rules.h"
#include "analysis/stack_patterns.h"
#include "base/go_quote.h"

namespace cancelflow::analysis {

namespace {
constexpr std::string_view kCtxtraceGo = "github.com/cancelflow/cancelflow/go/ctxtrace.Go.";
}  // namespace

bool IsCandidate(const GoRecord& g, const ModelState& m) {
  if (g.info.created < 0 || g.info.system || g.info.start_func == kEmptyString) return false;
  const std::string_view start = m.Str(g.info.start_func);
  if (IsInstrumentationGoroutine(start)) return false;
  // ctxtrace.Go runs the user's function: the goroutine is user work.
  return m.IsUser(start) || IsPropagateCancelGoroutine(start) || start.substr(0, kCtxtraceGo.size()) == kCtxtraceGo;
}

bool InFlightAtEnd(const GoRecord& g, const ModelState& m, const AnalysisOptions& o) {
  // (end_state is kNotExist for a goroutine that ended.)
  if (g.info.end_state != GoState::kRunnable && g.info.end_state != GoState::kRunning) return false;
  Time since = -1;
  if (g.open_woken.valid()) {
    since = m.cancellations[static_cast<size_t>(g.open_woken.cancellation)].woken[g.open_woken.woken].unblocked;
  } else if (g.info.blocked_since < 0) {
    since = g.info.created;
  }
  return since >= 0 && m.trace_end - since < o.grace_ns;
}

std::string GoroutineLabel(const ModelState& m, const GoroutineInfo& g) {
  const std::string_view start = m.Str(g.start_func);
  if (!g.name.empty() && start.substr(0, kCtxtraceGo.size()) == kCtxtraceGo) {
    return fmt::format("{} (ctxtrace.Go)", g.name);
  }
  return std::string(start);
}

std::string SiteOf(const ModelState& m, StackId s, int frame) {
  if (frame < 0) return "?";
  const Frame& f = m.stacks->GetFrame(m.stacks->Frames(s)[static_cast<size_t>(frame)]);
  std::string_view file = m.Str(f.file);
  const size_t slash = file.rfind('/');
  if (slash != std::string_view::npos) file.remove_prefix(slash + 1);
  return fmt::format("{} ({}:{})", m.Str(f.func), file, f.line);
}

LatencyStats ComputeLatency(std::vector<Time> v) {
  LatencyStats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  auto pct = [&](double p) {
    size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
  };
  s.count = static_cast<uint32_t>(v.size());
  s.p50 = pct(0.50);
  s.p90 = pct(0.90);
  s.p99 = pct(0.99);
  s.max = v.back();
  return s;
}

Finding ContextFinding(const ModelState& m, const AnalysisOptions& o, Rule rule, const ContextInfo& c) {
  (void)m;
  Finding f;
  f.rule = rule;
  f.severity = o.severity[static_cast<int>(rule)];
  f.contexts.push_back(c.id);
  f.context_id = c.id;
  f.context_site = c.created_at;
  f.test = c.test;
  return f;
}

}  // namespace cancelflow::analysis
