// PprofWriter: post-cancel CPU samples and wall time on a real trace with CPU
// samples and a hand-built cancellation (decoded by protoc), leaked
// goroutines from the real analysis of a leaking program, and the output
// opened by `go tool pprof`.
#include "report/pprof_writer.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/trace_buffer.h"
#include "report/testing/trace_fixture.h"

namespace cancelflow::report {
namespace {

using ::testing::HasSubstr;

std::string DecodeProfile(const std::string& proto, const std::string& name) {
  const std::string path = testing::TempPath(name);
  EXPECT_TRUE(testing::WriteFile(path, proto));
  int status = 0;
  std::string out = testing::RunCommand(std::string(PROTOC_EXECUTABLE) + " --proto_path=" + CANCELFLOW_SOURCE_DIR +
                                            "/proto --decode=perftools.profiles.Profile profile.proto < " + path +
                                            " 2>&1",
                                        &status);
  EXPECT_EQ(status, 0) << out;
  return out;
}

size_t Count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

std::string GoPprof(const std::string& args, const std::string& file) {
  int status = 0;
  std::string out = testing::RunCommand(
      std::string("GOTOOLCHAIN=local GOFLAGS=-mod=mod ") + GO_EXECUTABLE + " tool pprof " + args + " " + file + " 2>&1",
      &status);
  EXPECT_EQ(status, 0) << out;
  return out;
}

TEST(PprofWriter, PostCancelCpuSamplesAndWallTime) {
  PprofWriter w;
  auto pass = testing::RunPass("tests/corpus/traces/go1.23/cpuprofile.trace", {&w});
  ASSERT_TRUE(pass);
  // Every CPU sample of the spinning goroutines G11 and G12.
  int samples = 0;
  for (const Event& e : pass->events)
    if (e.kind == EventKind::kStackSample && (e.goroutine == GoId(11) || e.goroutine == GoId(12))) ++samples;
  ASSERT_GT(samples, 0);
  Analysis& a = *pass->analysis;
  Cancellation c;
  c.kind = CancelKind::kDeadline;
  c.time = a.quality.start;
  c.canceler = GoId(1);
  c.cause = "deadline exceeded";
  for (int g : {11, 12}) {
    WokenGoroutine wg;
    wg.goroutine = GoId(g);
    wg.unblocked = a.quality.start;
    wg.stopped = -1;  // never stopped: the window runs to the goroutine's end / trace end
    wg.outcome = WakeOutcome::kRunning;
    c.woken.push_back(wg);
  }
  a.cancellations.push_back(c);
  Finding f;
  f.rule = Rule::kIgnoredCancel;
  f.goroutines = {GoId(11)};
  f.cancellation = 0;
  a.findings.push_back(f);

  std::string proto;
  const PprofStats st = w.Encode(a, &proto);
  EXPECT_EQ(st.windows, 2u);
  EXPECT_EQ(st.post_cancel_cpu_samples, static_cast<uint64_t>(samples));
  EXPECT_EQ(st.leaked_goroutines, 1u);  // the ignored-cancel goroutine
  const std::string text = DecodeProfile(proto, "cpu.pb");
  EXPECT_EQ(Count(text, "sample_type {"), 4u);
  EXPECT_THAT(text, HasSubstr("string_table: \"post_cancel_cpu\""));
  EXPECT_THAT(text, HasSubstr("string_table: \"cancelflow.test/corpus/progs/internal/load.spin\""));
  EXPECT_THAT(text, HasSubstr("string_table: \"deadline exceeded\""));
  EXPECT_THAT(text, HasSubstr("string_table: \"ignored-cancel\""));

  std::string gz;
  ASSERT_TRUE(w.Write(a, &gz));
  const std::string path = testing::TempPath("cpu.pb.gz");
  ASSERT_TRUE(testing::WriteFile(path, gz));
  // Default sample type is post-cancel CPU: every sample is in the spin loop.
  const std::string top = GoPprof("-top", path);
  EXPECT_THAT(top, HasSubstr("Type: post_cancel_cpu"));
  EXPECT_THAT(top, HasSubstr("internal/load.spin"));
  EXPECT_THAT(top, HasSubstr(std::to_string(samples * 10) + "ms"));  // samples x 10 ms period
  // Labels are visible to pprof.
  const std::string tags = GoPprof("-tags", path);
  EXPECT_THAT(tags, HasSubstr("rule"));
  EXPECT_THAT(tags, HasSubstr("ignored-cancel"));
  EXPECT_THAT(tags, HasSubstr("deadline exceeded"));
  // Wall time after the cancel is there too.
  const std::string wall = GoPprof("-sample_index=post_cancel_wall -top", path);
  EXPECT_THAT(wall, HasSubstr("Type: post_cancel_wall"));
}

TEST(PprofWriter, LeakedGoroutinesFromTheRealAnalysis) {
  auto buf = TraceBuffer::Open(std::string(CANCELFLOW_SOURCE_DIR) + "/tests/corpus/traces/go1.23/leaks.trace");
  ASSERT_TRUE(buf);
  PprofWriter w;
  // The program leaks its goroutines 20 ms before the trace ends: with the
  // default grace (100 ms) all but the blocked-forever ones are in flight.
  AnalysisOptions o;
  o.grace_ns = 5'000'000;
  auto a = Analyze(*buf, o, {&w});
  ASSERT_TRUE(a);
  uint64_t leaked = 0;
  for (const Finding& f : a->findings)
    if (f.rule == Rule::kLeakedGoroutine || f.rule == Rule::kIgnoredCancel) leaked += f.goroutines.size();
  ASSERT_GT(leaked, 0u);
  std::string gz;
  PprofStats st;
  ASSERT_TRUE(w.Write(*a, &gz, &st));
  EXPECT_EQ(st.leaked_goroutines, leaked);
  EXPECT_EQ(st.windows, 0u);  // no cancellations in this trace
  const std::string path = testing::TempPath("leaks.pb.gz");
  ASSERT_TRUE(testing::WriteFile(path, gz));
  // With no post-cancel windows the default sample type is leaked_goroutines;
  // each sample's stack is the block stack, then the creation stack.
  const std::string top = GoPprof("-top", path);
  EXPECT_THAT(top, HasSubstr("Type: leaked_goroutines"));
  EXPECT_THAT(top, HasSubstr("Total samples = " + std::to_string(leaked)));
  EXPECT_THAT(top, HasSubstr("main.leakSelect"));
  EXPECT_THAT(top, HasSubstr("runtime.selectgo"));
  const std::string traces = GoPprof("-traces", path);
  // leakSelect's block stack is followed by its creator main.main.
  const size_t at = traces.find("main.leakSelect");
  ASSERT_NE(at, std::string::npos);
  EXPECT_NE(traces.find("main.main", at), std::string::npos);
  EXPECT_THAT(traces, HasSubstr("leaked-goroutine"));
}

TEST(PprofWriter, APureLeakOpensOnTheLeak) {
  // blocked-send: a goroutine leaks after a cancel woke others for a few
  // microseconds; no CPU samples, no slow-cancel finding. The profile is
  // about the leak, so it opens on leaked_goroutines, not on that wall time.
  auto buf = TraceBuffer::Open(std::string(CANCELFLOW_SOURCE_DIR) + "/examples/traces/blocked-send.trace");
  ASSERT_TRUE(buf);
  PprofWriter w;
  auto a = Analyze(*buf, AnalysisOptions{}, {&w});
  ASSERT_TRUE(a);
  std::string gz;
  PprofStats st;
  ASSERT_TRUE(w.Write(*a, &gz, &st));
  ASSERT_GT(st.windows, 0u);
  ASSERT_GT(st.leaked_goroutines, 0u);
  EXPECT_EQ(st.post_cancel_cpu_samples, 0u);
  const std::string path = testing::TempPath("blocked-send.pb.gz");
  ASSERT_TRUE(testing::WriteFile(path, gz));
  EXPECT_THAT(GoPprof("-top", path), HasSubstr("Type: leaked_goroutines"));
  // The wall time is still there for whoever asks.
  EXPECT_THAT(GoPprof("-sample_index=post_cancel_wall -top", path), HasSubstr("Type: post_cancel_wall"));
}

TEST(PprofWriter, PostCancelWallTimeIsWhereItWasSpent) {
  // slow-responder: three workers hear the cancel on a channel receive, then
  // sleep ~200 ms before returning (a slow-cancel finding). The wall time is
  // the finding's time to return, and it sits on time.Sleep, not on the
  // chanrecv they woke at.
  auto buf = TraceBuffer::Open(std::string(CANCELFLOW_SOURCE_DIR) + "/examples/traces/slow-responder.instrumented.trace");
  ASSERT_TRUE(buf);
  PprofWriter w;
  auto a = Analyze(*buf, AnalysisOptions{}, {&w});
  ASSERT_TRUE(a);
  Time finding_total = 0;
  for (const Finding& f : a->findings)
    if (f.rule == Rule::kSlowCancel) finding_total = f.latency.p50 * static_cast<Time>(f.goroutines.size());
  ASSERT_GT(finding_total, 0);
  PprofStats st;
  const auto samples = w.Samples(*a, &st);
  Time sleep = 0, total = 0;
  for (const auto& s : samples) {
    total += s.values[2];
    if (!s.frames.empty() && a->Str(a->stacks().GetFrame(s.frames.front()).func) == "time.Sleep") sleep += s.values[2];
  }
  EXPECT_GT(sleep, total * 9 / 10);
  EXPECT_NEAR(static_cast<double>(total), static_cast<double>(finding_total), 0.05 * static_cast<double>(finding_total));
}

TEST(PprofWriter, GzipIsGzip) {
  std::string gz;
  ASSERT_TRUE(Gzip("hello", &gz));
  ASSERT_GE(gz.size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
}

}  // namespace
}  // namespace cancelflow::report
