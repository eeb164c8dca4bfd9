// DecideScope: what a trace covers, decided once from the trace itself
// (docs/findings.md, "Trace scope"), so that every rule that reads the end of
// the trace reads it the same way.
//
// EVIDENCE, in order:
// 1. Who started tracing: runtime.StartTrace's stop-the-world ("start
//    trace") in the first generation carries the starter's stack:
//    (*FlightRecorder).Start -> flight; testing.(*M).before -> test.
// 2. No start in the trace and a first generation above 1: the file begins
//    in the middle of a tracing session -> a flight-recorder snapshot.
// 3. Otherwise trace.Start: goroutines other than the starter and the
//    runtime's that existed when it began (status records of the first
//    generation) -> a window taken while work ran; none -> the whole
//    program, or a whole test run when testing.tRunner goroutines appear.
#include <fmt/format.h>

#include "analysis/model_state.h"

namespace cancelflow::analysis {

void DecideScope(ModelState& m, const AnalysisOptions& o) {
  DataQuality& q = m.quality;
  const ScopeFacts& f = m.scope_facts;
  if (o.scope) {
    q.scope = *o.scope;
    q.scope_reason = "set with --scope";
  } else if (f.start_seen && f.started_by_flight_recorder) {
    q.scope = TraceScope::kFlight;
    q.scope_reason = "tracing began with (*FlightRecorder).Start: a flight-recorder snapshot";
  } else if (!f.start_seen && f.first_generation > 1) {
    q.scope = TraceScope::kFlight;
    q.scope_reason = fmt::format("the trace begins at generation {} without a trace start: a flight-recorder "
                                 "snapshot (or a later part of a tracing session)",
                                 f.first_generation);
  } else if (f.start_seen && f.started_by_test_main) {
    q.scope = TraceScope::kTest;
    q.scope_reason = "tracing began in testing.(*M).before: a whole `go test -trace` run";
  } else if (q.goroutines_before_trace > 0) {
    q.scope = TraceScope::kWindow;
    q.scope_reason = fmt::format("{} goroutine{} already existed when tracing began: a window taken while work ran",
                                 q.goroutines_before_trace, q.goroutines_before_trace == 1 ? "" : "s");
  } else if (f.runner_tests) {
    q.scope = TraceScope::kTest;
    q.scope_reason = "tracing began before any goroutine of the program and tests ran in it: a whole test run";
  } else {
    q.scope = TraceScope::kProgram;
    q.scope_reason = "tracing began before the program started any goroutine: the whole program";
  }
  q.starts_mid_execution = q.starts_mid_execution || q.scope == TraceScope::kWindow || q.scope == TraceScope::kFlight;
}

}  // namespace cancelflow::analysis

namespace cancelflow {

std::string_view TraceScopeName(TraceScope s) {
  switch (s) {
    case TraceScope::kProgram: return "program";
    case TraceScope::kTest: return "test";
    case TraceScope::kWindow: return "window";
    case TraceScope::kFlight: return "flight";
  }
  return "program";
}

std::optional<TraceScope> TraceScopeFromName(std::string_view name) {
  for (TraceScope s : {TraceScope::kProgram, TraceScope::kTest, TraceScope::kWindow, TraceScope::kFlight})
    if (TraceScopeName(s) == name) return s;
  return std::nullopt;
}

std::string_view CertaintyName(Certainty c) {
  switch (c) {
    case Certainty::kProven: return "proven";
    case Certainty::kCertain: return "certain";
    case Certainty::kLikely: break;
  }
  return "likely";
}

}  // namespace cancelflow
