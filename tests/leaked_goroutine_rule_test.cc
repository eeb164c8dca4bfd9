// leaked-goroutine on hand-written traces: what the end of a whole-program
// trace proves (the scope is set: these traces have no trace start record).
//
// A goroutine alive at the end is a leak only if it has had time to return:
// one that was created, ran, blocked or woke less than `grace` before the
// end, whatever its state, is caught in flight (InFlightAtEnd). This is the
// race `go test` traces hit: a parallel subtest cancels, its watcher
// goroutine is created or woken, and the test binary stops the trace before
// the scheduler runs it to its return. A goroutine woken by a cancel that has
// not responded `grace` later is ignored-cancel, and only that (one bug, one
// finding).
//
// Every trace: goroutine 1 (running since before the trace) creates
// goroutine 2 (main.worker) 1 ms in; what follows depends on the case.
#include <gtest/gtest.h>

#include <string>

#include "analysis_test_util.h"
#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"

namespace cancelflow {
namespace {

using analysistest::TextBatch;

constexpr int64_t kMs = 1'000'000;  // ticks at freq=1e9 are nanoseconds

// Strings and stacks every case uses.
std::string Tables() {
  constexpr uint64_t kNoM = ~uint64_t{0};
  std::string s = TextBatch(1, kNoM, 0, "Frequency freq=1000000000\n");
  s += TextBatch(1, kNoM, 0,
                 "Strings\n"
                 "String id=1\n\tdata=\"main.main\"\n"
                 "String id=2\n\tdata=\"main.go\"\n"
                 "String id=3\n\tdata=\"main.worker\"\n"
                 "String id=4\n\tdata=\"chan receive\"\n"
                 "String id=5\n\tdata=\"context.(*cancelCtx).cancel\"\n"
                 "String id=6\n\tdata=\"context.go\"\n"
                 "String id=7\n\tdata=\"context.WithCancel.func1\"\n"
                 "String id=8\n\tdata=\"runtime.chansend1\"\n"
                 "String id=9\n\tdata=\"chan.go\"\n"
                 "String id=10\n\tdata=\"preempted\"\n"
                 "String id=11\n\tdata=\"runtime.main\"\n");
  s += TextBatch(1, kNoM, 0,
                 "Stacks\n"
                 // 1: goroutine 1 in main.main, called by runtime.main (its entry: a runtime goroutine)
                 "Stack id=1 nframes=2\n\tpc=4198400 func=1 file=2 line=10\n\tpc=4194400 func=11 file=2 line=283\n"
                 // 2: goroutine 2's start function
                 "Stack id=2 nframes=1\n\tpc=4198500 func=3 file=2 line=20\n"
                 // 3: goroutine 2 blocked in `<-ctx.Done()`
                 "Stack id=3 nframes=1\n\tpc=4198510 func=3 file=2 line=21\n"
                 // 4: a CancelFunc call from main.main
                 "Stack id=4 nframes=3\n\tpc=4198600 func=5 file=6 line=548\n"
                 "\tpc=4198700 func=7 file=6 line=240\n\tpc=4198410 func=1 file=2 line=12\n"
                 // 5: a channel send from main.main
                 "Stack id=5 nframes=2\n\tpc=4198800 func=8 file=9 line=160\n\tpc=4198420 func=1 file=2 line=14\n");
  return s;
}

// Goroutine 1's events after it creates goroutine 2 at 1 ms.
std::string Trace(const std::string& events) {
  const std::string head =
      "ProcStatus dt=1 p=0 pstatus=1\n"
      "GoStatus dt=1 g=1 m=1 gstatus=2\n"
      "GoCreate dt=" + std::to_string(kMs) + " new_g=2 new_stack=2 stack=1\n";
  return "Trace Go1.22\n" + Tables() + TextBatch(1, 1, 0, head + events);
}

// Goroutine 1 yields and goroutine 2 runs.
const std::string kWorkerRuns =
    "GoStop dt=1000 reason_string=10 stack=1\n"
    "GoStart dt=1000 g=2 g_seq=1\n";
// ... then blocks on its context, and goroutine 1 runs again.
const std::string kWorkerBlocks = kWorkerRuns +
                                  "GoBlock dt=1000 reason_string=4 stack=3\n"
                                  "GoStart dt=1000 g=1 g_seq=1\n";

// The trace ends `ms` later with goroutine 1 yielding.
std::string EndAfter(int64_t ms) { return "GoStop dt=" + std::to_string(ms * kMs + 1) + " reason_string=10 stack=1\n"; }

struct Counts {
  int leaked = 0, ignored = 0;
};

Counts Analyze(const std::string& text, Time grace_ns = AnalysisOptions{}.grace_ns,
               TraceScope scope = TraceScope::kProgram) {
  auto bytes = wire::TextToBinary(text);
  EXPECT_TRUE(bytes) << bytes.error().ToString();
  if (!bytes) return {};
  const TraceBuffer buf = TraceBuffer::FromBytes(*bytes);
  AnalysisOptions o;
  o.grace_ns = grace_ns;
  o.scope = scope;
  auto a = cancelflow::Analyze(buf, o);
  EXPECT_TRUE(a) << a.error().ToString();
  if (!a) return {};
  EXPECT_FALSE(a->quality.partial) << (a->quality.error ? a->quality.error->ToString() : "");
  Counts c;
  for (const Finding& f : a->findings) {
    if (f.rule == Rule::kLeakedGoroutine) c.leaked += static_cast<int>(f.count());
    if (f.rule == Rule::kIgnoredCancel) c.ignored += static_cast<int>(f.count());
  }
  return c;
}

TEST(LeakedGoroutineRule, CreatedJustBeforeTheEndIsInFlight) {
  // Runnable, never ran.
  EXPECT_EQ(Analyze(Trace(EndAfter(1))).leaked, 0);
  // Running, never blocked.
  EXPECT_EQ(Analyze(Trace(kWorkerRuns + EndAfter(1))).leaked, 0);
}

TEST(LeakedGoroutineRule, RunnableOrRunningPastGraceIsLeaked) {
  EXPECT_EQ(Analyze(Trace(EndAfter(200))).leaked, 1);
  EXPECT_EQ(Analyze(Trace(kWorkerRuns + EndAfter(200))).leaked, 1);
  // The threshold is the grace option.
  EXPECT_EQ(Analyze(Trace(EndAfter(1)), kMs / 2).leaked, 1);
}

TEST(LeakedGoroutineRule, BlockedJustBeforeTheEndIsInFlight) {
  EXPECT_EQ(Analyze(Trace(kWorkerBlocks + EndAfter(1))).leaked, 0);
  EXPECT_EQ(Analyze(Trace(kWorkerBlocks + EndAfter(200))).leaked, 1);
}

// Goroutine 2 (running) stops `ms` later inside main.worker, where it waited:
// it has not returned from the function that waited.
std::string WorkerStopsAfter(int64_t ms) {
  return "GoStop dt=" + std::to_string(ms * kMs + 1) + " reason_string=10 stack=2\n";
}

TEST(LeakedGoroutineRule, WokenByACancelJustBeforeTheEndIsInFlight) {
  const std::string cancel = "GoUnblock dt=1000 g=2 g_seq=2 stack=4\n";
  const std::string runs = "GoStop dt=1000 reason_string=10 stack=1\nGoStart dt=1000 g=2 g_seq=3\n";
  Counts runnable = Analyze(Trace(kWorkerBlocks + cancel + EndAfter(1)));
  EXPECT_EQ(runnable.leaked, 0);
  EXPECT_EQ(runnable.ignored, 0);
  Counts running = Analyze(Trace(kWorkerBlocks + cancel + runs + WorkerStopsAfter(1)));
  EXPECT_EQ(running.leaked, 0);
  EXPECT_EQ(running.ignored, 0);
  // Still in the function that waited 200 ms after the cancel: it ignored it,
  // and that is the one finding (not also a leak).
  Counts late = Analyze(Trace(kWorkerBlocks + cancel + runs + WorkerStopsAfter(200)));
  EXPECT_EQ(late.leaked, 0);
  EXPECT_EQ(late.ignored, 1);
}

TEST(LeakedGoroutineRule, WokenByAnythingJustBeforeTheEndIsInFlight) {
  // Woken by a channel send 1 ms before the end: the trace cannot tell
  // whether it returns next; 200 ms later, still alive: a leak.
  const std::string send = "GoUnblock dt=1000 g=2 g_seq=2 stack=5\n";
  EXPECT_EQ(Analyze(Trace(kWorkerBlocks + send + EndAfter(1))).leaked, 0);
  EXPECT_EQ(Analyze(Trace(kWorkerBlocks + send + EndAfter(200))).leaked, 1);
}

TEST(LeakedGoroutineRule, AliveAtTheEndOfAWindowIsNoEvidence) {
  // The same goroutine, blocked 200 ms before the end: a leak in a
  // whole-program trace, nothing in a window or a snapshot (work goes on
  // after them), where only evidence such as growth counts.
  EXPECT_EQ(Analyze(Trace(kWorkerBlocks + EndAfter(200)), AnalysisOptions{}.grace_ns, TraceScope::kWindow).leaked, 0);
  EXPECT_EQ(Analyze(Trace(kWorkerBlocks + EndAfter(200)), AnalysisOptions{}.grace_ns, TraceScope::kFlight).leaked, 0);
  EXPECT_EQ(Analyze(Trace(EndAfter(200)), AnalysisOptions{}.grace_ns, TraceScope::kWindow).leaked, 0);
}

}  // namespace
}  // namespace cancelflow
