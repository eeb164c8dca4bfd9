// ModelBuilder: the single pass from ordered events to ModelState.
//
// ALGORITHM (per event, in the reference order)
// - Goroutine lifecycle from state transitions: creation (start function,
//   creator and creation stack), blocks (reason, stack, since), exits, and
//   the statuses of goroutines that existed before the trace.
// - Cancellations (docs/cancellation-in-traces.md):
//   * a GoUnblock whose unblocker stack is inside context.(*cancelCtx).cancel
//     wakes a waiter; consecutive such events of one goroutine with the same
//     caller frames, at most `burst_gap_ns` apart, are one cancel call (with
//     the Go module's records, each `cancel` record starts a new call, so a
//     loop of cancels from one line is told apart);
//   * a goroutine created with no creator stack whose start function is a
//     context.WithDeadline* closure is a deadline timer: it opens a
//     `deadline` cancellation at its creation, and its wake-ups join it;
//   * a GoCreate from inside (*afterFuncCtx).cancel starts an AfterFunc
//     callback: a cancellation of kind `afterfunc` waking that goroutine.
//   Each woken goroutine's response is followed: first GoStart, then the
//   GoDestroy or GoBlock that stops it, and when it responded (it exited,
//   returned from the function that waited, or went back to the same wait:
//   docs/findings.md, "Response").
// - Where each goroutine is: its own stacks (blocks, stops, syscalls, status
//   records), which also name goroutines from before the trace by their
//   outermost frame; its last creation, block or wake-up (in flight); the
//   testing.tRunner test it belongs to.
// - Wait sites: per block stack, how many goroutines were there when the
//   trace began, joined and left (the growth evidence of windows).
// - How tracing began (the "start trace" stop-the-world and its stack, the
//   first generation): Finish decides the scope (scope.cc).
// - Instrumentation records (user logs "cancelflow/v1/...", model/records.h)
//   build the context tree, bindings, tests and leak reports; unknown
//   versions and malformed records are counted.
//
// - Finish (once, at the end): the end of the trace, the packages under test
//   (user_packages), each goroutine's end state, wait, `where` and wait site,
//   the scope, then DeriveFacts (model_facts.cc): every fact the rules read
//   (model_state.h, "WHEN EACH FACT EXISTS"). Rules never run before Finish.
//
// INVARIANTS: constant work per event except for stack classification of
// GoUnblock/GoCreate events, which is cached per StackId, and the response
// check of a goroutine woken by a cancel (one comparison of two stacks at its
// next own stack, until it responds). Go's function names are matched only
// through stack_patterns.h and wait_patterns.h.
#pragma once

#include "analysis/model_state.h"
#include "cancelflow/analysis.h"
#include "cancelflow/reader.h"
#include "analysis/stack_patterns.h"

namespace cancelflow::analysis {

class ModelBuilder {
 public:
  ModelBuilder(const AnalysisOptions& options, const Reader& reader);

  void OnEvent(const Event& e);
  // Closes open state at the end of the trace (or at the error) and computes
  // every fact the rules read (model_state.h, "WHEN EACH FACT EXISTS"); `end`:
  // the end of the trace, -1 for the last event's time.
  ModelState Finish(Time end);

 private:
  void OnGoroutineTransition(const Event& e, const StateTransition& t);
  void OnCancelUnblock(const Event& e, GoId woken, const CancelStack& c);
  void OnGoCreate(const Event& e, const StateTransition& t);
  void OnLog(const Event& e);
  void OnRange(const Event& e);
  void StopWoken(GoRecord& g, Time t, WakeOutcome outcome, StringId reason, StackId stack);
  // A stack of the goroutine's own (block, stop, syscall, status): where it
  // is; names a goroutine from before the trace; settles a pending response.
  void OwnStack(GoRecord& g, StackId s, Time t);
  void NameFromStack(GoRecord& g, StackId s);
  // Sets the entry function and what it says: a runtime, main, instrumentation or test goroutine.
  void SetStartFunc(GoRecord& g, StringId func);
  void NameRunnerTest(GoRecord& g, StackId s);
  // At the end: each RunnerTest's name (go test's RUN order, else its test
  // function), and ModelState::tested_package.
  void NameRunnerTests();
  bool StillInWait(const GoRecord& g, StackId now) const;
  void Responded(GoRecord& g, Time t);
  const CancelStack& Classify(StackId s);
  int32_t NewCancellation(CancelKind kind, const Event& e, GoId canceler, const CancelStack& c);

  // The last non-noop `cancel` record: the GoUnblocks that follow on the
  // same goroutine belong to that context.
  struct PendingCancel {
    GoId goroutine = kNoGoroutine;
    Time time = -1;
    uint64_t context_id = 0;
    std::string cause;
  };

  const AnalysisOptions& options_;
  const Reader& reader_;
  ModelState m_;
  FlatMap<CancelStack> classified_;  // StackId -> classification
  PendingCancel pending_cancel_;
  std::vector<GoId> first_generation_goroutines_;  // seen first in a status record of the first generation
  uint32_t runner_names_pending_ = 0;              // runner tests whose function is not known yet
};

}  // namespace cancelflow::analysis
