// leaked-goroutine on hand-written traces: what the end of a whole-program
// trace proves (the scope is set: these traces have no trace start record).
//
// A goroutine alive at the end is a leak only if it has had time to return:
// one that was created, ran, blocked or woke less than `grace` before the
// end, whatever its state, is caught in flight (GoRecord::in_flight). This is the
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
#include "report/json_report.h"

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
                 "String id=11\n\tdata=\"runtime.main\"\n"
                 "String id=12\n\tdata=\"main.wait\"\n"
                 "String id=13\n\tdata=\"testing.tRunner\"\n"
                 "String id=14\n\tdata=\"main.TestX\"\n"
                 "String id=15\n\tdata=\"sync.(*Mutex).Lock\"\n"
                 "String id=16\n\tdata=\"sync\"\n"
                 "String id=17\n\tdata=\"runtime.selectgo\"\n"
                 "String id=18\n\tdata=\"select\"\n"
                 "String id=19\n\tdata=\"context.(*cancelCtx).propagateCancel.func2\"\n");
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
                 "Stack id=5 nframes=2\n\tpc=4198800 func=8 file=9 line=160\n\tpc=4198420 func=1 file=2 line=14\n"
                 // 6: goroutine 2 waiting in main.wait, called by main.worker
                 "Stack id=6 nframes=2\n\tpc=4198900 func=12 file=2 line=30\n\tpc=4198520 func=3 file=2 line=22\n"
                 // 7: goroutine 2 back in main.worker (main.wait returned), blocked elsewhere
                 "Stack id=7 nframes=1\n\tpc=4198530 func=3 file=2 line=25\n"
                 // 8: still in main.wait (same call), blocked at another line of it
                 "Stack id=8 nframes=2\n\tpc=4198910 func=12 file=2 line=31\n\tpc=4198520 func=3 file=2 line=22\n"
                 // 9: a test's goroutine: testing.tRunner's start, and main.TestX creating a goroutine
                 "Stack id=9 nframes=1\n\tpc=4199000 func=13 file=2 line=1792\n"
                 "Stack id=10 nframes=2\n\tpc=4199100 func=14 file=2 line=40\n\tpc=4199010 func=13 file=2 line=1792\n"
                 // 11: goroutine 2 blocked in sync.(*Mutex).Lock
                 "Stack id=11 nframes=2\n\tpc=4199200 func=15 file=2 line=90\n\tpc=4198540 func=3 file=2 line=23\n"
                 // 12: main.worker blocked in a select
                 "Stack id=12 nframes=2\n\tpc=4199300 func=17 file=9 line=350\n\tpc=4198550 func=3 file=2 line=26\n"
                 // 13: context.propagateCancel's goroutine: its start, and blocked in its select
                 "Stack id=13 nframes=1\n\tpc=4199400 func=19 file=6 line=510\n"
                 "Stack id=14 nframes=2\n\tpc=4199300 func=17 file=9 line=350\n\tpc=4199410 func=19 file=6 line=511\n");
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
  int leaked = 0, ignored = 0, slow = 0;
  int likely_leaked = 0;  // of `leaked`, in likely findings
  Severity leak_severity = Severity::kNote;
  std::string leak_evidence;
  WaitKind leak_wait = WaitKind::kNone;
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
    if (f.rule == Rule::kLeakedGoroutine) {
      c.leaked += static_cast<int>(f.count());
      if (f.certainty == Certainty::kLikely) c.likely_leaked += static_cast<int>(f.count());
      c.leak_severity = f.severity;
      c.leak_evidence = f.evidence;
      c.leak_wait = f.wait;
    }
    if (f.rule == Rule::kIgnoredCancel) c.ignored += static_cast<int>(f.count());
    if (f.rule == Rule::kSlowCancel) c.slow += static_cast<int>(f.count());
  }
  return c;
}

TEST(LeakedGoroutineRule, CreatedJustBeforeTheEndIsInFlight) {
  // Runnable, never ran.
  EXPECT_EQ(Analyze(Trace(EndAfter(1))).leaked, 0);
  // Running, never blocked.
  EXPECT_EQ(Analyze(Trace(kWorkerRuns + EndAfter(1))).leaked, 0);
}

TEST(LeakedGoroutineRule, RunnableOrRunningPastGraceIsALikelyLeak) {
  // Not blocked and not a loop: the trace cannot tell work that never ends
  // from work waiting for a CPU (issue 20: certain needs a block longer than grace).
  for (const Counts& c : {Analyze(Trace(EndAfter(200))), Analyze(Trace(kWorkerRuns + EndAfter(200))),
                          Analyze(Trace(EndAfter(1)), kMs / 2) /* the threshold is the grace option */}) {
    EXPECT_EQ(c.leaked, 1);
    EXPECT_EQ(c.likely_leaked, 1);
    EXPECT_EQ(c.leak_severity, Severity::kWarning);
  }
}

TEST(LeakedGoroutineRule, BlockedOnAChannelJustBeforeTheEndIsLikely) {
  // Blocked in chan receive 1 ms before the end: in flight, so not certain,
  // but a channel wait that recent is a likely leak (issue 20, item 6).
  const Counts recent = Analyze(Trace(kWorkerBlocks + EndAfter(1)));
  EXPECT_EQ(recent.leaked, 1);
  EXPECT_EQ(recent.likely_leaked, 1);
  EXPECT_EQ(recent.leak_severity, Severity::kWarning);
  EXPECT_NE(recent.leak_evidence.find("for less than"), std::string::npos) << recent.leak_evidence;
  const Counts old = Analyze(Trace(kWorkerBlocks + EndAfter(200)));
  EXPECT_EQ(old.leaked, 1);
  EXPECT_EQ(old.likely_leaked, 0);
  EXPECT_EQ(old.leak_severity, Severity::kError);
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

// ---- The response to a cancellation (docs/findings.md, "Response") ----

// Goroutine 2 runs and waits in main.wait (stack 6); main.main cancels (stack
// 4) and goroutine 2 runs again.
const std::string kWaitThenCanceled = kWorkerRuns +
                                      "GoBlock dt=1000 reason_string=4 stack=6\n"
                                      "GoStart dt=1000 g=1 g_seq=1\n"
                                      "GoUnblock dt=1000 g=2 g_seq=2 stack=4\n"
                                      "GoStop dt=1000 reason_string=10 stack=1\n"
                                      "GoStart dt=1000 g=2 g_seq=3\n";
// Goroutine 2 blocks `ms` after it runs again at `stack`, then main.main runs
// for 200 ms more and the trace ends.
std::string BlocksAfter(int64_t ms, int stack) {
  return "GoBlock dt=" + std::to_string(ms * kMs) + " reason_string=4 stack=" + std::to_string(stack) +
         "\nGoStart dt=1000 g=1 g_seq=2\n" + EndAfter(200);
}

TEST(ResponseToCancel, BackAtTheSameWaitIsAResponse) {
  // A loop with a fresh context per iteration: woken, it goes back to the
  // same wait. Not ignored-cancel, not slow, however long the trace goes on.
  Counts c = Analyze(Trace(kWaitThenCanceled + BlocksAfter(1, 6)));
  EXPECT_EQ(c.ignored, 0);
  EXPECT_EQ(c.slow, 0);
}

TEST(ResponseToCancel, ReturningFromTheWaitingFunctionIsAResponse) {
  // main.wait returned 1 ms after the cancel: responded in time.
  Counts fast = Analyze(Trace(kWaitThenCanceled + BlocksAfter(1, 7)));
  EXPECT_EQ(fast.ignored, 0);
  EXPECT_EQ(fast.slow, 0);
  // ... exited 150 ms after it: slow-cancel (threshold 100 ms), not ignored.
  Counts slow = Analyze(Trace(kWaitThenCanceled + "GoDestroy dt=" + std::to_string(150 * kMs) +
                              "\nGoStart dt=1000 g=1 g_seq=2\n" + EndAfter(200)));
  EXPECT_EQ(slow.ignored, 0);
  EXPECT_EQ(slow.slow, 1);
  // ... returned 150 ms after it and then blocked for good: one finding, the
  // stronger one (leaked-goroutine), not also slow-cancel.
  Counts both = Analyze(Trace(kWaitThenCanceled + BlocksAfter(150, 7)));
  EXPECT_EQ(both.leaked, 1);
  EXPECT_EQ(both.slow, 0);
}

TEST(ResponseToCancel, StillInTheWaitingFunctionIsIgnored) {
  // Blocked again inside main.wait (another line): it did not respond; 200
  // ms later it is ignored-cancel, and only that.
  Counts c = Analyze(Trace(kWaitThenCanceled + BlocksAfter(1, 8)));
  EXPECT_EQ(c.ignored, 1);
  EXPECT_EQ(c.leaked, 0);
  EXPECT_EQ(c.slow, 0);
}

// ---- Evidence of leaks by scope ----

// Goroutine 1 creates goroutines 2..n+1, each runs and blocks at `stack`.
std::string CreateAndBlock(int n, int stack) {
  std::string s;
  for (int g = 2; g < 2 + n; ++g) s += "GoCreate dt=1000 new_g=" + std::to_string(g) + " new_stack=2 stack=1\n";
  s += "GoStop dt=1000 reason_string=10 stack=1\n";
  for (int g = 2; g < 2 + n; ++g) {
    s += "GoStart dt=1000 g=" + std::to_string(g) + " g_seq=1\n";
    s += "GoBlock dt=1000 reason_string=4 stack=" + std::to_string(stack) + "\n";
  }
  return s + "GoStart dt=1000 g=1 g_seq=1\n";
}

// The same head as Trace(), without its GoCreate of goroutine 2.
std::string TraceNoCreate(const std::string& events) {
  return "Trace Go1.22\n" + Tables() +
         TextBatch(1, 1, 0, "ProcStatus dt=1 p=0 pstatus=1\nGoStatus dt=1 g=1 m=1 gstatus=2\n" + events);
}

TEST(LeakEvidence, AWaitSiteThatOnlyGrowsInAWindowIsALikelyLeak) {
  const Time grace = AnalysisOptions{}.grace_ns;
  Counts grew = Analyze(TraceNoCreate(CreateAndBlock(3, 3) + EndAfter(200)), grace, TraceScope::kWindow);
  EXPECT_EQ(grew.leaked, 3);
  EXPECT_EQ(grew.leak_severity, Severity::kWarning);  // likely: at most a warning
  EXPECT_NE(grew.leak_evidence.find("3 joined"), std::string::npos) << grew.leak_evidence;
  // One of them was woken there (it left): the site drains, no evidence.
  Counts drained = Analyze(TraceNoCreate(CreateAndBlock(3, 3) + "GoUnblock dt=1000 g=2 g_seq=2 stack=5\n" + EndAfter(200)),
                           grace, TraceScope::kWindow);
  EXPECT_EQ(drained.leaked, 0);
  // Two joined: below the growth threshold.
  EXPECT_EQ(Analyze(TraceNoCreate(CreateAndBlock(2, 3) + EndAfter(200)), grace, TraceScope::kWindow).leaked, 0);
}

TEST(LeakEvidence, WaitReasonComesFromTheStack) {
  // The trace says "sync"; the stack says sync.Mutex.Lock.
  Counts c = Analyze(Trace(kWorkerRuns + "GoBlock dt=1000 reason_string=16 stack=11\nGoStart dt=1000 g=1 g_seq=1\n" +
                           EndAfter(200)));
  EXPECT_EQ(c.leaked, 1);
  EXPECT_EQ(c.leak_wait, WaitKind::kMutexLock);
}

// Goroutine 2 is a test (testing.tRunner); it creates goroutine 3, which
// blocks; the test ends (goroutine 2 exits) and goroutine 1 runs again.
const std::string kTestLeavesAWorkerBlocked =
    "GoCreate dt=1000 new_g=2 new_stack=9 stack=1\n"
    "GoStop dt=1000 reason_string=10 stack=1\n"
    "GoStart dt=1000 g=2 g_seq=1\n"
    "GoCreate dt=1000 new_g=3 new_stack=2 stack=10\n"
    "GoStop dt=1000 reason_string=10 stack=10\n"
    "GoStart dt=1000 g=3 g_seq=1\n"
    "GoBlock dt=1000 reason_string=4 stack=3\n"
    "GoStart dt=1000 g=2 g_seq=2\n"
    "GoDestroy dt=1000\n"
    "GoStart dt=1000 g=1 g_seq=1\n";

TEST(LeakEvidence, OutlivingItsTestByMoreThanTheGraceIsALeak) {
  // Goroutine 2 is a test (testing.tRunner); it creates goroutine 3, which
  // blocks; the test ends (goroutine 2 exits) and the trace goes on.
  auto trace = [](int64_t ms_after_test) {
    return TraceNoCreate(kTestLeavesAWorkerBlocked + EndAfter(ms_after_test));
  };
  const Time grace = AnalysisOptions{}.grace_ns;
  Counts late = Analyze(trace(200), grace, TraceScope::kTest);
  EXPECT_EQ(late.leaked, 1);
  EXPECT_NE(late.leak_evidence.find("outlived the test it belongs to"), std::string::npos) << late.leak_evidence;
  // Blocked after its test ended is evidence however soon the trace ends
  // (goleak would find it there); alive with no test, it is not judged.
  EXPECT_EQ(Analyze(trace(50), grace, TraceScope::kTest).leaked, 1);
  EXPECT_EQ(Analyze(Trace(kWorkerBlocks + EndAfter(200)), grace, TraceScope::kTest).leaked, 0);
}

TEST(LeakEvidence, AliveLongAfterItsTestIsALeakEvenIfItExitsLater) {
  // goleak's definition (issue 20, item 7): goroutine 3, created by the test
  // goroutine 2, blocks; the test ends; `ms` later goroutine 3 is woken and
  // exits, and the trace ends 300 ms after that.
  auto trace = [](int64_t ms) {
    return TraceNoCreate(
        kTestLeavesAWorkerBlocked +
        "GoUnblock dt=" + std::to_string(ms * kMs) + " g=3 g_seq=2 stack=1\n"
        "GoStop dt=1000 reason_string=10 stack=1\n"
        "GoStart dt=1000 g=3 g_seq=3\n"
        "GoDestroy dt=1000\n"
        "GoStart dt=1000 g=1 g_seq=2\n" +
        EndAfter(300));
  };
  const Time grace = AnalysisOptions{}.grace_ns;
  const Counts late = Analyze(trace(200), grace, TraceScope::kTest);
  EXPECT_EQ(late.leaked, 1);
  EXPECT_EQ(late.likely_leaked, 0);
  EXPECT_EQ(late.leak_severity, Severity::kError);
  EXPECT_NE(late.leak_evidence.find("it exited 200."), std::string::npos) << late.leak_evidence;
  // Exited within grace of its test's end: on its way out, not a leak.
  EXPECT_EQ(Analyze(trace(50), grace, TraceScope::kTest).leaked, 0);
  // The same goroutines in a whole-program trace: it ended, nothing to say.
  EXPECT_EQ(Analyze(trace(200), grace, TraceScope::kProgram).leaked, 0);
}

// ---- What a finding says about its goroutines ----

// The whole result, for the tests below.
Result<Analysis> AnalyzeAll(const std::string& text, const AnalysisOptions& o) {
  auto bytes = wire::TextToBinary(text);
  EXPECT_TRUE(bytes) << bytes.error().ToString();
  const TraceBuffer buf = TraceBuffer::FromBytes(bytes ? *bytes : std::string());
  return cancelflow::Analyze(buf, o);
}

TEST(FindingTests, AFindingOfGoroutinesOfTwoTestsNamesBoth) {
  // Two tests without markers (testing.tRunner goroutines 2 and 4, named by
  // go test's RUN order) each start a main.worker (3 and 5) that blocks at
  // the same site and outlives its test: one bug, one finding, both tests.
  const std::string trace = TraceNoCreate(
      "GoCreate dt=1000 new_g=2 new_stack=9 stack=1\n"
      "GoCreate dt=1000 new_g=4 new_stack=9 stack=1\n"
      "GoStop dt=1000 reason_string=10 stack=1\n"
      "GoStart dt=1000 g=4 g_seq=1\n"
      "GoCreate dt=1000 new_g=5 new_stack=2 stack=10\n"
      "GoDestroy dt=1000\n"
      "GoStart dt=1000 g=2 g_seq=1\n"
      "GoCreate dt=1000 new_g=3 new_stack=2 stack=10\n"
      "GoDestroy dt=1000\n"
      "GoStart dt=1000 g=5 g_seq=1\n"
      "GoBlock dt=1000 reason_string=4 stack=3\n"
      "GoStart dt=1000 g=3 g_seq=1\n"
      "GoBlock dt=1000 reason_string=4 stack=3\n"
      "GoStart dt=1000 g=1 g_seq=1\n" +
      EndAfter(200));
  AnalysisOptions o;
  o.scope = TraceScope::kTest;
  o.test_run_order = {"TestB", "TestA"};  // goroutine 2 runs TestB, goroutine 4 TestA
  auto a = AnalyzeAll(trace, o);
  ASSERT_TRUE(a) << a.error().ToString();
  ASSERT_EQ(a->findings.size(), 1u);
  const Finding& f = a->findings[0];
  EXPECT_EQ(f.rule, Rule::kLeakedGoroutine);
  ASSERT_EQ(f.goroutines, (std::vector<GoId>{GoId(3), GoId(5)}));
  EXPECT_EQ(f.tests, (std::vector<std::string>{"TestA", "TestB"}));  // sorted
  EXPECT_EQ(f.test, "TestB");  // its first goroutine's (3, created by TestB's goroutine 2)
  EXPECT_EQ(a->Goroutine(GoId(5))->test, "TestA");
  const std::string json = report::AnalysisToJson(*a, report::JsonOptions{"t", -1});
  EXPECT_NE(json.find(R"("tests":["TestA","TestB"])"), std::string::npos) << json;
}

TEST(FindingState, AGroupSharesItsStateAtTheEnd) {
  // Goroutines 2 and 3 (main.worker) both block in a select at the same
  // site; goroutine 2 is then woken by a send and is running at the end,
  // 200 ms later. Both leak, but the running one is not "blocked in select"
  // and goroutine 3 is not "running": two findings, each saying what its
  // goroutines do.
  AnalysisOptions o;
  o.scope = TraceScope::kProgram;
  auto a = AnalyzeAll(TraceNoCreate("GoCreate dt=1000 new_g=2 new_stack=2 stack=1\n"
                                    "GoCreate dt=1000 new_g=3 new_stack=2 stack=1\n"
                                    "GoStop dt=1000 reason_string=10 stack=1\n"
                                    "GoStart dt=1000 g=2 g_seq=1\n"
                                    "GoBlock dt=1000 reason_string=18 stack=12\n"
                                    "GoStart dt=1000 g=3 g_seq=1\n"
                                    "GoBlock dt=1000 reason_string=18 stack=12\n"
                                    "GoStart dt=1000 g=1 g_seq=1\n"
                                    "GoUnblock dt=1000 g=2 g_seq=2 stack=5\n"
                                    "GoStop dt=1000 reason_string=10 stack=1\n"
                                    "GoStart dt=1000 g=2 g_seq=3\n" +
                                    WorkerStopsAfter(200) + "GoStart dt=1000 g=2 g_seq=4\n"),
                      o);
  ASSERT_TRUE(a) << a.error().ToString();
  ASSERT_NE(a->Goroutine(GoId(2)), nullptr);
  ASSERT_NE(a->Goroutine(GoId(3)), nullptr);
  ASSERT_EQ(a->Goroutine(GoId(2))->end_state, GoState::kRunning);
  ASSERT_EQ(a->Goroutine(GoId(3))->end_state, GoState::kWaiting);
  int leaks = 0;
  for (const Finding& f : a->findings) {
    if (f.rule != Rule::kLeakedGoroutine) continue;
    ++leaks;
    ASSERT_EQ(f.goroutines.size(), 1u) << f.message;
    if (f.goroutines[0] == GoId(2)) {
      EXPECT_NE(f.message.find("leaked: running"), std::string::npos) << f.message;
      EXPECT_EQ(f.wait, WaitKind::kNone);
    } else {
      EXPECT_NE(f.message.find("leaked: blocked in select"), std::string::npos) << f.message;
      EXPECT_EQ(f.wait, WaitKind::kSelect);
    }
  }
  EXPECT_EQ(leaks, 2);
}

TEST(FindingState, CancelNotCalledSaysWhereThePropagateCancelGoroutineIs) {
  // context.propagateCancel's goroutine (started for a custom parent), blocked
  // in its select when the trace ends: the finding says so, not "running".
  auto a = AnalyzeAll(TraceNoCreate("GoCreate dt=1000 new_g=2 new_stack=13 stack=1\n"
                                    "GoStop dt=1000 reason_string=10 stack=1\n"
                                    "GoStart dt=1000 g=2 g_seq=1\n"
                                    "GoBlock dt=1000 reason_string=18 stack=14\n"
                                    "GoStart dt=1000 g=1 g_seq=1\n" +
                                    EndAfter(200)),
                      [] {
                        AnalysisOptions o;
                        o.scope = TraceScope::kProgram;
                        return o;
                      }());
  ASSERT_TRUE(a) << a.error().ToString();
  ASSERT_EQ(a->findings.size(), 1u);
  const Finding& f = a->findings[0];
  EXPECT_EQ(f.rule, Rule::kCancelNotCalled);
  EXPECT_NE(f.message.find("is still blocked in select"), std::string::npos) << f.message;
  EXPECT_EQ(f.message.find("running"), std::string::npos) << f.message;
}

}  // namespace
}  // namespace cancelflow
