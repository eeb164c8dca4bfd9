#include "analysis/stack_patterns.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cancelflow::analysis {
namespace {

CancelStack Classify(std::vector<std::string_view> f) { return ClassifyCancelStack(f); }

// Stacks below are copied from `go tool trace -d=parsed` of real Go 1.26 traces
// (examples/traces/cancel-demo.trace and tests/corpus).
TEST(ClassifyCancelStack, ExplicitWithCancel) {
  auto c = Classify({"context.(*cancelCtx).cancel", "context.WithCancel.func1", "main.main"});
  EXPECT_TRUE(c.is_cancel);
  EXPECT_EQ(c.kind, CancelKind::kExplicit);
  EXPECT_EQ(c.depth, 0);
  EXPECT_EQ(c.caller_frame, 1);
  EXPECT_EQ(c.user_frame, 2);
}

TEST(ClassifyCancelStack, DeadlineTimerGoroutine) {
  auto c = Classify({"context.(*cancelCtx).cancel", "context.(*timerCtx).cancel", "context.WithDeadlineCause.func2"});
  EXPECT_TRUE(c.is_cancel);
  EXPECT_EQ(c.kind, CancelKind::kDeadline);
  EXPECT_EQ(c.depth, 0);
  EXPECT_EQ(c.user_frame, -1);
}

TEST(ClassifyCancelStack, ExplicitCancelOfATimeoutContextIsNotADeadline) {
  // defer cancel() of WithTimeout: the CancelFunc closure has the caller below it.
  auto c = Classify({"context.(*cancelCtx).cancel", "context.(*timerCtx).cancel", "context.WithDeadlineCause.func3",
                     "main.handle", "main.main"});
  EXPECT_EQ(c.kind, CancelKind::kExplicit);
  EXPECT_EQ(c.user_frame, 3);
}

TEST(ClassifyCancelStack, ClosureNumberingDoesNotMatter) {
  // Older/newer compilers number the timer closure differently.
  for (std::string_view f : {"context.WithDeadlineCause.func1", "context.WithDeadlineCause.func7",
                             "context.WithDeadline.func2", "context.WithDeadlineCause.func2.1"}) {
    auto c = Classify({"context.(*cancelCtx).cancel", "context.(*timerCtx).cancel", f});
    EXPECT_EQ(c.kind, CancelKind::kDeadline) << f;
  }
}

TEST(ClassifyCancelStack, DepthCountsNestedCancelCtxFrames) {
  auto c = Classify({"context.(*cancelCtx).cancel", "context.(*cancelCtx).cancel", "context.(*timerCtx).cancel",
                     "context.(*cancelCtx).cancel", "context.WithCancel.func1", "main.run"});
  EXPECT_EQ(c.depth, 2);
  EXPECT_EQ(c.kind, CancelKind::kExplicit);
}

TEST(ClassifyCancelStack, PropagationGoroutineIsParent) {
  auto c = Classify({"context.(*cancelCtx).cancel", "context.(*cancelCtx).propagateCancel.func2"});
  EXPECT_EQ(c.kind, CancelKind::kParent);
}

TEST(ClassifyCancelStack, AfterFuncCallbackStartGo126) {
  // Go 1.26: sync.Once is inlined away in the creator stack.
  auto c = Classify({"context.(*afterFuncCtx).cancel.func1", "context.(*afterFuncCtx).cancel",
                     "context.(*cancelCtx).cancel", "context.WithCancel.func1", "main.main"});
  EXPECT_TRUE(c.via_afterfunc);
  EXPECT_EQ(c.kind, CancelKind::kExplicit);
  EXPECT_EQ(c.user_frame, 4);
}

TEST(ClassifyCancelStack, AfterFuncCallbackStart) {
  // The creator stack of the goroutine that runs an AfterFunc callback, with
  // the sync.Once frames an un-inlined build shows.
  auto c = Classify({"context.(*afterFuncCtx).cancel.func1", "sync.(*Once).doSlow", "sync.(*Once).Do",
                     "context.(*afterFuncCtx).cancel", "context.(*cancelCtx).cancel", "context.WithCancel.func1",
                     "main.main"});
  EXPECT_TRUE(c.is_cancel);
  EXPECT_TRUE(c.via_afterfunc);
  EXPECT_EQ(c.kind, CancelKind::kExplicit);
  EXPECT_EQ(c.depth, 0);
  EXPECT_EQ(c.user_frame, 6);
}

TEST(ClassifyCancelStack, NotACancel) {
  EXPECT_FALSE(Classify({"runtime.chansend1", "main.main"}).is_cancel);
  EXPECT_FALSE(Classify({}).is_cancel);
  EXPECT_FALSE(Classify({"sync.(*Mutex).Unlock", "context.(*cancelCtx).Done", "main.main"}).is_cancel);
}

TEST(StackPatterns, PropagateCancelGoroutine) {
  EXPECT_TRUE(IsPropagateCancelGoroutine("context.(*cancelCtx).propagateCancel.func2"));
  EXPECT_TRUE(IsPropagateCancelGoroutine("context.propagateCancel.func1"));
  EXPECT_FALSE(IsPropagateCancelGoroutine("context.(*cancelCtx).propagateCancel"));
  EXPECT_FALSE(IsPropagateCancelGoroutine("main.propagateCancel.func1"));
}

TEST(StackPatterns, ChannelReceive) {
  std::vector<std::string_view> recv = {"runtime.chanrecv1", "main.worker"};
  std::vector<std::string_view> sel = {"runtime.selectgo", "main.worker"};
  EXPECT_TRUE(IsChannelReceive(recv));
  EXPECT_FALSE(IsChannelReceive(sel));
}

TEST(StackPatterns, UserFrames) {
  EXPECT_TRUE(IsRuntimeOrStdFrame("runtime.gopark"));
  EXPECT_TRUE(IsRuntimeOrStdFrame("internal/poll.(*FD).Read"));
  EXPECT_FALSE(IsRuntimeOrStdFrame("main.main"));
  EXPECT_FALSE(IsRuntimeOrStdFrame("github.com/x/y.(*S).Run"));
  // net/http does the blocking for its users: a handler's frame below it is the user frame.
  EXPECT_TRUE(IsRuntimeOrStdFrame("net/http.(*conn).serve"));
  // The whole standard library, not only its blocking plumbing: a goroutine
  // caught in syscall.Close under net.(*conn).Close is in the library.
  EXPECT_TRUE(IsRuntimeOrStdFrame("syscall.Close"));
  EXPECT_TRUE(IsRuntimeOrStdFrame("bufio.(*Reader).Read"));
  EXPECT_TRUE(IsRuntimeOrStdFrame("crypto/tls.(*Conn).Read"));
  EXPECT_TRUE(IsRuntimeOrStdFrame("slices.SortFunc[go.shape.struct { example.com/x.A int }]"));
  EXPECT_TRUE(IsRuntimeOrStdFrame("vendor/golang.org/x/net/http2/hpack.(*Decoder).Write"));
  EXPECT_FALSE(IsRuntimeOrStdFrame("go.opentelemetry.io/otel/sdk/trace.(*batchSpanProcessor).processQueue"));
  EXPECT_FALSE(IsRuntimeOrStdFrame("golang.org/x/sync/errgroup.(*Group).Go.func1"));
  EXPECT_FALSE(IsRuntimeOrStdFrame("main.(*server).handle.func1"));
  EXPECT_FALSE(IsRuntimeOrStdFrame("example.com/app/io.Copy"));
  EXPECT_TRUE(IsRuntimeOrStdFrame("github.com/cancelflow/cancelflow/go/ctxtrace.(*canceler).do"));
  EXPECT_FALSE(IsRuntimeOrStdFrame("github.com/cancelflow/cancelflow/go/scenarios/sleep_loop.run"));
}

}  // namespace
TEST(ParseTestFunc, TestFunctionsAndTheirClosures) {
  TestFunc f = ParseTestFunc("example.com/m/pkg.TestX");
  EXPECT_EQ(f.import_path, "example.com/m/pkg");
  EXPECT_EQ(f.test, "TestX");
  f = ParseTestFunc("example.com/m/pkg.TestParallel.func2.1");
  EXPECT_EQ(f.import_path, "example.com/m/pkg");
  EXPECT_EQ(f.test, "TestParallel");
  // An external test package belongs to the package it tests.
  f = ParseTestFunc("example.com/m/v2/pkg_test.Test_underscore");
  EXPECT_EQ(f.import_path, "example.com/m/v2/pkg");
  EXPECT_EQ(f.test, "Test_underscore");
  EXPECT_EQ(ParseTestFunc("example.com/m/pkg.Test").test, "Test");
  EXPECT_EQ(ParseTestFunc("pkg.FuzzParse").test, "FuzzParse");
  EXPECT_EQ(ParseTestFunc("pkg.FuzzParse").import_path, "pkg");
}

TEST(ParseTestFunc, NotTests) {
  // go test's rule: after "Test", end of name or not a lower-case letter.
  EXPECT_EQ(ParseTestFunc("example.com/m/pkg.Testify").test, "");
  EXPECT_EQ(ParseTestFunc("example.com/m/pkg.search.func1").test, "");
  EXPECT_EQ(ParseTestFunc("testing.tRunner").test, "");
  EXPECT_EQ(ParseTestFunc("example.com/m/pkg.(*T).TestLike").test, "");
  EXPECT_EQ(ParseTestFunc("").test, "");
  EXPECT_EQ(ParseTestFunc("a/b/c").test, "");
  EXPECT_EQ(ParseTestFunc("example.com/Test.dir/pkg.f").test, "");
}

TEST(IsPlumbingGoroutine, OnlyTheBlockingAndCancellationPlumbing) {
  EXPECT_TRUE(IsPlumbingGoroutine("net/http.(*conn).serve"));
  EXPECT_TRUE(IsPlumbingGoroutine("runtime.gcBgMarkWorker"));
  EXPECT_TRUE(IsPlumbingGoroutine("os/signal.loop"));
  EXPECT_TRUE(IsPlumbingGoroutine("github.com/cancelflow/cancelflow/go/ctxtrace.(*binding).watch"));
  // Other standard packages' goroutines are judged (their frames are still
  // not user frames).
  EXPECT_FALSE(IsPlumbingGoroutine("database/sql.(*DB).connectionOpener"));
  EXPECT_TRUE(IsRuntimeOrStdFrame("database/sql.(*DB).connectionOpener"));
  EXPECT_FALSE(IsPlumbingGoroutine("main.worker"));
}

TEST(PackagePath, UpToTheFirstDotAfterTheLastSlash) {
  EXPECT_EQ(PackagePath("example.com/m/pkg.(*T).M.func1"), "example.com/m/pkg");
  EXPECT_EQ(PackagePath("main.main"), "main");
  EXPECT_EQ(PackagePath("pkg.F[example.com/x.T]"), "pkg");
  EXPECT_EQ(PackagePath("a/b/c"), "");
}

TEST(CancelflowOwn, OneListForFramesAndInstrumentationGoroutines) {
  constexpr std::string_view kGo = "github.com/cancelflow/cancelflow/go/";
  auto own = [&](std::string_view rest) { return std::string(kGo) + std::string(rest); };
  // Frames of every own package are not user frames.
  for (std::string_view f : {"ctxtrace.WithCancel", "ctxtracetest.T.func1", "flightrec.(*Recorder).loop",
                             "scenarios/internal/run.Main"}) {
    EXPECT_TRUE(IsCancelflowOwn(own(f))) << f;
    EXPECT_TRUE(IsRuntimeOrStdFrame(own(f))) << f;
  }
  EXPECT_FALSE(IsCancelflowOwn("github.com/cancelflow/cancelflowx.F"));
  EXPECT_FALSE(IsCancelflowOwn(own("scenarios/leak.main")));
  // The module's own goroutines; ctxtrace.Go's run the user's function.
  EXPECT_TRUE(IsInstrumentationGoroutine(own("ctxtrace.instrument.func1")));
  EXPECT_TRUE(IsInstrumentationGoroutine(own("ctxtrace.(*binding).ctxDone-fm")));
  EXPECT_TRUE(IsInstrumentationGoroutine(own("flightrec.(*Recorder).loop")));
  EXPECT_FALSE(IsInstrumentationGoroutine(own("ctxtrace.Go.func1")));
  EXPECT_TRUE(IsCtxtraceGoGoroutine(own("ctxtrace.Go.func1")));
  EXPECT_FALSE(IsInstrumentationGoroutine(own("ctxtracetest.T.func1")));
  EXPECT_FALSE(IsInstrumentationGoroutine("main.main.func1"));
}

TEST(TestFunctionFrame, TheFrameTRunnerCalled) {
  const std::vector<std::string_view> s = {"main.helper", "example.com/m.TestX", "testing.tRunner", "testing.(*T).Run.gowrap1"};
  EXPECT_EQ(TestFunctionFrame(s), 1);
  EXPECT_EQ(TestFunctionFrame(std::vector<std::string_view>{"testing.tRunner"}), -1);
  EXPECT_EQ(TestFunctionFrame(std::vector<std::string_view>{"main.main", "runtime.main"}), -1);
  EXPECT_TRUE(IsTestRunner("testing.tRunner"));
}

TEST(TraceStart, WhoStartedTracing) {
  EXPECT_TRUE(IsTestMainTraceStart(std::vector<std::string_view>{"runtime/trace.Start", "testing.(*M).before"}));
  EXPECT_TRUE(IsFlightRecorderTraceStart(std::vector<std::string_view>{"runtime/trace.(*FlightRecorder).Start", "main.main"}));
  EXPECT_FALSE(IsFlightRecorderTraceStart(std::vector<std::string_view>{"runtime/trace.Start", "main.main"}));
}

TEST(InContextPackage, AnyFrameOfPackageContext) {
  EXPECT_TRUE(InContextPackage(std::vector<std::string_view>{"runtime.chanrecv1", "context.(*valueCtx).Done", "main.f"}));
  EXPECT_FALSE(InContextPackage(std::vector<std::string_view>{"runtime.chanrecv1", "main.context.f"}));
  EXPECT_TRUE(IsDeadlineTimerStart("context.WithDeadlineCause.func2"));
  EXPECT_FALSE(IsDeadlineTimerStart("context.WithCancel.func1"));
}

}  // namespace cancelflow::analysis
