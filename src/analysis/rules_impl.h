// Template part of rules.h (grouping of goroutine findings).
#pragma once

#include <algorithm>
#include <map>
#include <tuple>

namespace cancelflow::analysis {

template <typename Describe>
void EmitGoroutineFindings(const ModelState& m, const AnalysisOptions& o, Rule rule,
                           std::vector<GoroutineGroupInput> items, Describe describe, std::vector<Finding>* out) {
  // key: start func, creation user frame, block user frame, test
  using Key = std::tuple<uint32_t, uint32_t, uint32_t, std::string>;
  std::map<Key, std::vector<GoroutineGroupInput>> groups;
  auto frame_at = [&](StackId s, int i) -> uint32_t {
    if (i < 0) return UINT32_MAX;
    return m.stacks->Frames(s)[static_cast<size_t>(i)].value();
  };
  for (const auto& it : items) {
    const GoroutineInfo& gi = it.g->info;
    Key k{gi.start_func.value(), frame_at(gi.creation_stack, FirstUserFrame(m, gi.creation_stack)),
          frame_at(gi.block_stack, FirstUserFrame(m, gi.block_stack)), gi.test};
    groups[k].push_back(it);
  }
  for (auto& [k, v] : groups) {
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.g->info.id < b.g->info.id; });
    const GoroutineInfo& rep = v.front().g->info;
    Finding f;
    f.rule = rule;
    f.severity = o.severity[static_cast<int>(rule)];
    for (const auto& it : v) f.goroutines.push_back(it.g->info.id);
    f.start_func = rep.start_func;
    f.creation_stack = rep.creation_stack;
    f.creation_user_frame = FirstUserFrame(m, rep.creation_stack);
    f.block_reason = rep.block_reason;
    f.block_stack = rep.block_stack;
    f.block_user_frame = FirstUserFrame(m, rep.block_stack);
    f.cancellation = v.front().cancellation;
    f.context_id = rep.context_id;
    f.test = rep.test;
    std::vector<Time> lat;
    for (const auto& it : v)
      if (it.latency >= 0) lat.push_back(it.latency);
    f.latency = ComputeLatency(std::move(lat));
    describe(v, &f);
    out->push_back(std::move(f));
  }
}

}  // namespace cancelflow::analysis
