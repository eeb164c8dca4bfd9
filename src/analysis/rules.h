// The finding rules. Each is a pure function of the finished ModelState that
// appends findings; one rule per file (rule_<id>.cc). Definitions, defaults
// and examples: docs/findings.md. A rule reads the model's facts
// (model_state.h, "WHEN EACH FACT EXISTS"): it walks no stack and matches no
// Go function name; a new kind of evidence is a new fact in the model.
//
// ONE BUG, ONE FINDING: Analyze runs the rules strongest first
// (cancel-not-called, detached-context, ignored-cancel, leaked-goroutine,
// slow-cancel, late-deadline) into one FindingSink; a goroutine a stronger
// rule already reported is left out of a weaker rule's findings.
#pragma once

#include <vector>

#include "analysis/model_state.h"
#include "cancelflow/analysis.h"

namespace cancelflow::analysis {

// Where the rules write: the findings, and the goroutines already reported.
struct FindingSink {
  std::vector<Finding> findings;
  FlatMap<uint8_t> claimed;  // GoId -> 1
  bool Claimed(GoId g) const { return claimed.Find(static_cast<uint64_t>(g.value())) != nullptr; }
};

void FindLeakedGoroutines(const ModelState& m, const AnalysisOptions& o, FindingSink* out);
void FindIgnoredCancels(const ModelState& m, const AnalysisOptions& o, FindingSink* out);
void FindSlowCancels(const ModelState& m, const AnalysisOptions& o, FindingSink* out);
void FindCancelsNotCalled(const ModelState& m, const AnalysisOptions& o, FindingSink* out);
void FindDetachedContexts(const ModelState& m, const AnalysisOptions& o, FindingSink* out);
void FindLateDeadlines(const ModelState& m, const AnalysisOptions& o, FindingSink* out);

// ---- shared by the rules (findings.cc) ----
// The rules read the model's facts (model_state.h, "WHEN EACH FACT EXISTS").

// A goroutine a goroutine rule may report: a candidate (GoRecord::candidate,
// decided by the model) not yet reported by a stronger rule.
inline bool IsCandidate(const GoRecord& g, const FindingSink& out) { return g.candidate && !out.Claimed(g.info.id); }

// Groups goroutines into findings by their GoRecord::group key and the kind
// of evidence, and claims them in `out`. Message, hint and
// evidence are filled by `describe` per group. A likely finding is at most a
// warning.
struct GoroutineGroupInput {
  const GoRecord* g;
  Time latency = -1;
  int64_t cancellation = -1;
  uint8_t evidence = 0;  // the rule's kind of evidence (groups never mix kinds)
  Certainty certainty = Certainty::kCertain;
};
template <typename Describe>
void EmitGoroutineFindings(const ModelState& m, const AnalysisOptions& o, Rule rule,
                           std::vector<GoroutineGroupInput> items, Describe describe, FindingSink* out);

// How messages name a goroutine: its start function, or for ctxtrace.Go
// goroutines the name the program gave it.
std::string GoroutineLabel(const ModelState& m, const GoroutineInfo& g);
// Where a goroutine was created / blocked, as "func (file:line)".
std::string SiteOf(const ModelState& m, StackId s, int frame);
// Where a goroutine is at the end, for messages: "blocked in chan send at f (x.go:12)",
// "runnable", "running", "in a system call".
std::string EndState(const ModelState& m, const GoRecord& g);
// A fix that fits the evidence: where a goroutine is stuck (its wait at the
// end), unless a fact says more (a select that has a ctx.Done() case
// already, a server's Accept, a connection left open, a custom parent).
std::string_view HintFor(const GoRecord& g);
// The fix for a wait kind alone (a goroutine a cancel woke keeps this one).
std::string_view HintForWait(WaitKind w);
// "12.3 ms"
std::string Ms(Time ns);
LatencyStats ComputeLatency(std::vector<Time> v);
Finding ContextFinding(const ModelState& m, const AnalysisOptions& o, Rule rule, const ContextInfo& c);
// Puts findings in a total order on their content, the same on every run of
// the same program (goroutine ids come last): severity (highest first),
// rule, block site, creation site, context site ("func (file:line)"),
// message, count, then goroutine and context ids and evidence.
void SortFindings(const ModelState& m, std::vector<Finding>* findings);

}  // namespace cancelflow::analysis

#include "analysis/rules_impl.h"
