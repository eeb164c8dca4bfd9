// Template part of rules.h (grouping of goroutine findings).
#pragma once

#include <algorithm>
#include <map>
#include <tuple>

namespace cancelflow::analysis {

template <typename Describe>
void EmitGoroutineFindings(const ModelState& m, const AnalysisOptions& o, Rule rule,
                           std::vector<GoroutineGroupInput> items, Describe describe, FindingSink* out) {
  // key: start func, waiting site at the end, test, evidence and certainty
  // (groups never mix kinds of evidence, nor how sure they are)
  using Key = std::tuple<uint32_t, uint64_t, std::string, uint8_t, uint8_t>;
  std::map<Key, std::vector<GoroutineGroupInput>> groups;
  for (const auto& it : items) {
    const GoroutineInfo& gi = it.g->info;
    const StackId where = gi.end_stack != kNoStack ? gi.end_stack : gi.block_stack;
    Key k{gi.start_func.value(), WaitSite(m, where), gi.test, it.evidence, static_cast<uint8_t>(it.certainty)};
    groups[k].push_back(it);
  }
  for (auto& [k, v] : groups) {
    // Representative: the first goroutine created in the trace (its creation
    // site is known), else the lowest id.
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
      if (a.g->info.before_trace() != b.g->info.before_trace()) return !a.g->info.before_trace();
      return a.g->info.id < b.g->info.id;
    });
    const GoroutineInfo& rep = v.front().g->info;
    Finding f;
    f.rule = rule;
    f.certainty = v.front().certainty;
    f.severity = o.severity[static_cast<int>(rule)];
    if (f.certainty == Certainty::kLikely && f.severity > Severity::kWarning) f.severity = Severity::kWarning;
    for (const auto& it : v) {
      f.goroutines.push_back(it.g->info.id);
      out->claimed.Insert(static_cast<uint64_t>(it.g->info.id.value()), 1);
    }
    std::sort(f.goroutines.begin(), f.goroutines.end());
    f.start_func = rep.start_func;
    f.creation_stack = rep.creation_stack;
    f.creation_user_frame = FirstUserFrame(m, rep.creation_stack);
    f.block_reason = rep.block_reason;
    f.block_stack = rep.end_stack != kNoStack ? rep.end_stack : rep.block_stack;
    f.block_user_frame = FirstUserFrame(m, f.block_stack);
    f.wait = rep.wait;
    f.cancellation = v.front().cancellation;
    f.context_id = rep.context_id;
    f.test = rep.test;
    std::vector<Time> lat;
    for (const auto& it : v)
      if (it.latency >= 0) lat.push_back(it.latency);
    f.latency = ComputeLatency(std::move(lat));
    describe(v, &f);
    out->findings.push_back(std::move(f));
  }
}

}  // namespace cancelflow::analysis
