#include "report/timeline_spans.h"

namespace cancelflow::report {

SpanStart SpanOf(const StateTransition& st) {
  switch (st.go_to()) {
    case GoState::kRunning: return {kRunning, {}, {}};
    case GoState::kWaiting: return {kBlocked, st.reason, st.stack};
    case GoState::kSyscall: return {kSyscall, {}, {}};
    default: return {};
  }
}

uint64_t MergePairs(std::vector<Span>* spans, const std::vector<Window>& focus, bool all) {
  std::vector<Span>& s = *spans;
  size_t w = 0;  // first window that does not end before the span
  auto in_focus = [&](const Span& x) {
    while (w < focus.size() && focus[w].end < x.begin) ++w;
    return w < focus.size() && focus[w].begin <= x.end;
  };
  size_t out = 0;
  uint64_t folded = 0;
  for (size_t i = 0; i < s.size();) {
    const Span a = s[i];
    if (i + 1 == s.size() || (!all && (in_focus(a) || in_focus(s[i + 1])))) {
      s[out++] = a;
      ++i;
      continue;
    }
    const Span& b = s[i + 1];
    Span m = (a.end - a.begin) >= (b.end - b.begin) ? a : b;
    m.begin = a.begin;
    m.end = b.end;
    m.merged = a.merged + b.merged;
    folded += 1;
    s[out++] = m;
    i += 2;
  }
  s.resize(out);
  return folded;
}

uint64_t MergeTo(std::vector<Span>* spans, const std::vector<Window>& focus, size_t cap) {
  uint64_t folded = 0;
  while (spans->size() > cap && spans->size() > 1) {
    const uint64_t f = MergePairs(spans, focus, false);
    folded += f;
    // Mostly focus: merging only elsewhere would take many rounds, or none.
    if (f < spans->size() / 8) folded += MergePairs(spans, focus, true);
  }
  return folded;
}

}  // namespace cancelflow::report
