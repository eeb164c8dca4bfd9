// The finding rules. Each is a pure function of the finished ModelState that
// appends findings; one rule per file (rule_<id>.cc). Definitions, defaults
// and examples: docs/findings.md.
#pragma once

#include <vector>

#include "analysis/model_state.h"
#include "cancelflow/analysis.h"

namespace cancelflow::analysis {

void FindLeakedGoroutines(const ModelState& m, const AnalysisOptions& o, std::vector<Finding>* out);
void FindIgnoredCancels(const ModelState& m, const AnalysisOptions& o, std::vector<Finding>* out);
void FindSlowCancels(const ModelState& m, const AnalysisOptions& o, std::vector<Finding>* out);
void FindCancelsNotCalled(const ModelState& m, const AnalysisOptions& o, std::vector<Finding>* out);
void FindDetachedContexts(const ModelState& m, const AnalysisOptions& o, std::vector<Finding>* out);
void FindLateDeadlines(const ModelState& m, const AnalysisOptions& o, std::vector<Finding>* out);

// ---- shared by the rules (findings.cc) ----

// A goroutine a goroutine rule may report: created during the trace, running
// user code (or the context package's propagateCancel goroutine), not a
// runtime or instrumentation goroutine.
bool IsCandidate(const GoRecord& g, const ModelState& m);

// A goroutine caught in flight by the end of the trace: alive, runnable or
// running, and since it was created (never having blocked) or since a cancel
// woke it, less than `grace_ns` passed before the trace ended. The trace
// cannot tell whether it is about to return (a goroutine started after its
// context was canceled, a waiter still on its way out), so it is not evidence
// of a leak, just as ignored-cancel waits `grace_ns` after the cancel.
bool InFlightAtEnd(const GoRecord& g, const ModelState& m, const AnalysisOptions& o);

// Groups goroutines into findings by (start function, creation user frame,
// block user frame, test). `latencies` (optional, parallel to `gs`) fills
// LatencyStats. Message and hint are filled by `describe` per group.
struct GoroutineGroupInput {
  const GoRecord* g;
  Time latency = -1;
  int64_t cancellation = -1;
};
template <typename Describe>
void EmitGoroutineFindings(const ModelState& m, const AnalysisOptions& o, Rule rule,
                           std::vector<GoroutineGroupInput> items, Describe describe, std::vector<Finding>* out);

// How messages name a goroutine: its start function, or for ctxtrace.Go
// goroutines the name the program gave it.
std::string GoroutineLabel(const ModelState& m, const GoroutineInfo& g);
// Where a goroutine was created / blocked, as "func (file:line)".
std::string SiteOf(const ModelState& m, StackId s, int frame);
LatencyStats ComputeLatency(std::vector<Time> v);
Finding ContextFinding(const ModelState& m, const AnalysisOptions& o, Rule rule, const ContextInfo& c);

}  // namespace cancelflow::analysis

#include "analysis/rules_impl.h"
