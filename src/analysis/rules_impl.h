// Template part of rules.h (grouping of goroutine findings).
#pragma once

#include <algorithm>
#include <map>
#include <utility>

namespace cancelflow::analysis {

template <typename Describe>
void EmitGoroutineFindings(const ModelState& /*m: the groups are facts of the model*/, const AnalysisOptions& o, Rule rule,
                           std::vector<GoroutineGroupInput> items, Describe describe, FindingSink* out) {
  // key: the model's group key (start func, waiting site at the end, marker
  // test), evidence and certainty (groups never mix kinds of evidence, nor
  // how sure they are)
  std::map<std::tuple<GroupKey, uint8_t, uint8_t>, std::vector<GoroutineGroupInput>> groups;
  for (const auto& it : items) groups[{it.g->group, it.evidence, static_cast<uint8_t>(it.certainty)}].push_back(it);
  for (auto& [k, v] : groups) {
    // Representative: the first goroutine created in the trace (its creation
    // site is known), else the lowest id.
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
      if (a.g->info.before_trace() != b.g->info.before_trace()) return !a.g->info.before_trace();
      return a.g->info.id < b.g->info.id;
    });
    const GoRecord& rep_record = *v.front().g;
    const GoroutineInfo& rep = rep_record.info;
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
    f.creation_user_frame = rep_record.creation_user_frame;
    f.block_reason = rep.block_reason;
    f.block_stack = rep_record.where;
    f.block_user_frame = rep_record.where_user_frame;
    f.wait = rep.wait;
    f.cancellation = v.front().cancellation;
    f.context_id = rep.context_id;
    // The test of its first goroutine (the lowest id).
    const GoRecord* first = v.front().g;
    for (const auto& it : v)
      if (it.g->info.id < first->info.id) first = it.g;
    f.test = first->info.test;
    for (const auto& it : v)
      if (!it.g->info.test.empty()) f.tests.push_back(it.g->info.test);
    std::sort(f.tests.begin(), f.tests.end());
    f.tests.erase(std::unique(f.tests.begin(), f.tests.end()), f.tests.end());
    std::vector<Time> lat;
    for (const auto& it : v)
      if (it.latency >= 0) lat.push_back(it.latency);
    f.latency = ComputeLatency(std::move(lat));
    describe(v, &f);
    out->findings.push_back(std::move(f));
  }
}

}  // namespace cancelflow::analysis
