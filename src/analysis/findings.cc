#include <fmt/format.h>

#include "analysis/rules.h"
#include "analysis/stack_patterns.h"

namespace cancelflow::analysis {

bool IsCandidate(const GoRecord& g, const ModelState& m) {
  if (g.info.created < 0 || g.info.system || g.info.start_func == kEmptyString) return false;
  const std::string_view start = m.Str(g.info.start_func);
  if (IsInstrumentationGoroutine(start)) return false;
  return !IsLibraryFunc(start) || IsPropagateCancelGoroutine(start);
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
