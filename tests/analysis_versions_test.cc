// The cancellation analysis finds the same cancellations and findings in the
// ctxcancel program's traces written by every supported Go release (Go 1.22 to
// 1.27, committed under tests/corpus/traces): closure names and context.go
// lines move between releases, the shapes must not.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"

namespace cancelflow {
namespace {

std::string Short(std::string_view f) {
  const size_t dot = f.rfind('.');
  return std::string(dot == std::string_view::npos ? f : f.substr(dot + 1));
}

class CtxcancelTrace : public ::testing::TestWithParam<std::string> {};

TEST_P(CtxcancelTrace, FindsEveryCancellationShape) {
  const std::string path = std::string(CANCELFLOW_SOURCE_DIR) + "/tests/corpus/traces/" + GetParam() + "/ctxcancel.trace";
  auto buf = TraceBuffer::Open(path);
  ASSERT_TRUE(buf.has_value()) << buf.error().message;
  auto a = Analyze(*buf, AnalysisOptions{});
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  EXPECT_FALSE(a->quality.partial);

  std::map<std::string, int> kinds;
  int via_afterfunc = 0;
  std::map<std::string, std::pair<int, int>> woken;  // waiter function -> (count, depth)
  for (const Cancellation& c : a->cancellations) {
    ++kinds[std::string(CancelKindName(c.kind))];
    via_afterfunc += c.via_afterfunc ? 1 : 0;
    for (const WokenGoroutine& w : c.woken) {
      const GoroutineInfo* g = a->Goroutine(w.goroutine);
      ASSERT_NE(g, nullptr);
      auto& e = woken[Short(a->Str(g->start_func))];
      ++e.first;
      e.second = w.depth;
      EXPECT_EQ(w.outcome, WakeOutcome::kExited) << a->Str(g->start_func);
      EXPECT_GE(w.started, w.unblocked);
      EXPECT_GE(w.stopped, w.started);
    }
  }
  // WithCancel, WithCancelCause, WithTimeout canceled early, child chain, and the cancel that ran an AfterFunc
  EXPECT_EQ(kinds["explicit"], 5);
  EXPECT_EQ(kinds["deadline"], 1);
  EXPECT_EQ(kinds["parent"], 2);     // propagateCancel goroutine and a foreign AfterFunc hook
  EXPECT_EQ(kinds["afterfunc"], 0);  // the kind says who canceled; the AfterFunc is how it was heard
  EXPECT_EQ(via_afterfunc, 1);
  EXPECT_EQ(woken["waitExplicit"].first, 3);
  EXPECT_EQ(woken["selectExplicit"].first, 1);
  EXPECT_EQ(woken["waitDeadline"].first, 2);
  EXPECT_EQ(woken["waitChainDepth1"], std::make_pair(1, 0));
  EXPECT_EQ(woken["waitChainDepth2"], std::make_pair(1, 1));
  EXPECT_EQ(woken["waitChainDepth3"], std::make_pair(1, 2));
  EXPECT_EQ(woken["waitForeignChild"].first, 1);

  // The explicit cancel of the chain is attributed to the function that called cancel().
  for (const Cancellation& c : a->cancellations) {
    if (c.kind == CancelKind::kDeadline) {
      EXPECT_EQ(c.user_frame, -1);  // the timer goroutine has no user frame
      continue;
    }
    if (c.kind != CancelKind::kExplicit) continue;
    ASSERT_GE(c.user_frame, 0);
    const Frame& f = a->stacks().GetFrame(a->stacks().Frames(c.canceler_stack)[static_cast<size_t>(c.user_frame)]);
    const std::string fn = Short(a->Str(f.func));
    EXPECT_TRUE(fn == "ExplicitCancel" || fn == "CancelCause" || fn == "TimeoutCanceledEarly" || fn == "ChildChain" ||
                (fn == "AfterFuncFires" && c.via_afterfunc))
        << fn;
  }

  std::map<std::string, size_t> rules, likely;
  for (const Finding& f : a->findings) {
    rules[std::string(RuleId(f.rule))] += f.count();
    if (f.certainty == Certainty::kLikely) likely[std::string(RuleId(f.rule))] += f.count();
  }
  // The Background and WithoutCancel waiters: blocked forever on a nil Done
  // channel, a leak whatever their age (the trace shows no context and no
  // source is at hand, so not detached-context). The foreign child's waiter
  // blocked on a channel 2 ms before the end: caught in flight, a likely leak
  // only. The propagateCancel goroutine is cancel-not-called only (one bug,
  // one finding).
  EXPECT_EQ(rules["leaked-goroutine"], 3u);
  EXPECT_EQ(likely["leaked-goroutine"], 1u);
  EXPECT_EQ(rules["cancel-not-called"], 1u);
  EXPECT_EQ(rules["detached-context"], 0u);
  EXPECT_EQ(rules["ignored-cancel"], 0u);
  EXPECT_EQ(rules["slow-cancel"], 0u);
}

INSTANTIATE_TEST_SUITE_P(GoVersions, CtxcancelTrace,
                         ::testing::Values("go1.22", "go1.23", "go1.24", "go1.25", "go1.26", "go1.27"));

// tests/corpus/progs/cmd/windowloop: a trace.Start window over loops that wait
// for a fresh per-iteration timeout in the same function. The loops are first
// seen in status records (stacks with runtime.gopark) and, woken by their
// deadline, block again at the same select (block stacks without it): the same
// wait, so they responded. Before the response compared waits from the waiting
// frame down, all three were reported as ignored-cancel.
TEST(WindowTrace, PerIterationTimeoutLoopsRespond) {
  auto buf = TraceBuffer::Open(std::string(CANCELFLOW_SOURCE_DIR) + "/tests/corpus/traces/go1.26/windowloop.trace");
  ASSERT_TRUE(buf.has_value()) << buf.error().message;
  auto a = Analyze(*buf, AnalysisOptions{});
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  EXPECT_EQ(a->quality.scope, TraceScope::kWindow) << a->quality.scope_reason;
  EXPECT_EQ(a->quality.goroutines_before_trace, 3u);
  size_t woken = 0, responded = 0;
  for (const Cancellation& c : a->cancellations) {
    EXPECT_EQ(c.kind, CancelKind::kDeadline);
    for (const WokenGoroutine& w : c.woken) {
      ++woken;
      responded += w.responded >= 0 ? 1u : 0u;
    }
  }
  EXPECT_GE(woken, 3u);
  EXPECT_EQ(responded, woken);
  EXPECT_TRUE(a->findings.empty()) << a->findings.front().message;
}

// tests/corpus/progs/cmd/leaks held for 500 ms with a generation every
// 100 ms: every goroutine it leaks is blocked across several generations, so
// the trace restates each one in a status record per generation, the last
// at its very end. A status record is not a change: before this was known,
// every goroutine looked "in flight" at the end of any program trace longer
// than one generation, and none of these leaks was reported.
TEST(MultiGenerationTrace, LeaksBlockedAcrossGenerationsAreReported) {
  auto buf =
      TraceBuffer::Open(std::string(CANCELFLOW_SOURCE_DIR) + "/tests/corpus/traces/go1.26/leaks-multigen.trace");
  ASSERT_TRUE(buf.has_value()) << buf.error().message;
  auto a = Analyze(*buf, AnalysisOptions{});
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  EXPECT_EQ(a->quality.scope, TraceScope::kProgram) << a->quality.scope_reason;
  EXPECT_GE(a->quality.generations, 5u);
  std::map<std::string, size_t> leaked;
  for (const Finding& f : a->findings) {
    if (f.rule == Rule::kLeakedGoroutine) leaked[Short(a->Str(f.start_func))] += f.count();
  }
  // Each kind leaks 3 goroutines (-copies 3). The pipe and the accepted
  // connection are left out: whether the runtime wakes them while the
  // program exits is up to the scheduler.
  for (const char* fn : {"leakNilRecv", "leakNilSend", "leakSelectEmpty", "leakRecv", "leakSend", "leakMutex",
                         "leakWaitGroup", "leakSleep", "leakCtx", "leakSelect", "leakCond"}) {
    EXPECT_EQ(leaked[fn], 3u) << fn;
  }
  EXPECT_EQ(leaked["waitBackgroundForever"], 1u);
  EXPECT_EQ(leaked["waitWithoutCancelForever"], 1u);
}

}  // namespace
}  // namespace cancelflow
