// The runtime's goroutine leak profile joined to the trace
// (analysis/leak_profile_join.cc, rule_leaked_goroutine.cc): the leakprofile
// program's traces (tests/corpus/traces/go1.26, PROVENANCE.md) with the
// profiles it wrote at their end, in both forms, whole and window.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"

namespace cancelflow {
namespace {

const std::string kDir = std::string(CANCELFLOW_SOURCE_DIR) + "/tests/corpus/traces/go1.26/";

Result<Analysis> RunOn(const std::string& trace, const std::string& profile, AnalysisOptions o = {}) {
  auto buf = TraceBuffer::Open(kDir + trace);
  if (!buf) return tl::unexpected(buf.error());
  if (!profile.empty()) {
    auto p = LoadLeakProfile(kDir + profile);
    if (!p) return tl::unexpected(p.error());
    o.leak_profile = std::make_shared<const LeakProfile>(std::move(*p));
  }
  return Analyze(*buf, o);
}

std::string Start(const Analysis& a, const Finding& f) { return std::string(a.Str(f.start_func)); }

class LeakProfileJoin : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

// The fetch workers the profile marks leaked are proven errors in a window
// too, where timing alone proves nothing; the pool workers it lists alive
// (their channel is reachable) and the sleeping poller get no finding.
TEST_P(LeakProfileJoin, ProvesTheLeakedGoroutinesInEveryScope) {
  const auto& [trace, profile] = GetParam();
  auto a = RunOn(trace, profile);
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  const bool window = trace.find("window") != std::string::npos;
  EXPECT_EQ(a->quality.scope, window ? TraceScope::kWindow : TraceScope::kProgram) << a->quality.scope_reason;
  EXPECT_TRUE(a->quality.leak_profile.present);
  EXPECT_EQ(a->quality.leak_profile.leaked, 3u);
  EXPECT_EQ(a->quality.leak_profile.leaked_joined, 3u);
  // The window: the proven leak only. The whole program: also the sleeping
  // poller (certain by timing) and the pool workers (likely: reachable, where
  // the profile says so).
  ASSERT_EQ(a->findings.size(), window ? 1u : 3u);
  const Finding* fetch = nullptr;
  for (const Finding& f : a->findings) {
    if (Start(*a, f) == "main.fetch.func1") fetch = &f;
    if (Start(*a, f) == "main.poolWorker") {  // only the debug=2 form lists goroutines alive and not leaked
      EXPECT_EQ(f.certainty, profile.ends_with(".pb.gz") ? Certainty::kCertain : Certainty::kLikely);
    }
  }
  ASSERT_NE(fetch, nullptr);
  const Finding& f = *fetch;
  EXPECT_EQ(f.rule, Rule::kLeakedGoroutine);
  EXPECT_EQ(f.certainty, Certainty::kProven);
  EXPECT_EQ(f.severity, Severity::kError);
  EXPECT_EQ(f.goroutines.size(), 3u);
  EXPECT_EQ(Start(*a, f), "main.fetch.func1");
  EXPECT_NE(f.evidence.find("leak profile"), std::string::npos) << f.evidence;
}

INSTANTIATE_TEST_SUITE_P(
    Forms, LeakProfileJoin,
    ::testing::Values(std::make_pair("leakprofile.trace", "leakprofile.goroutineleak"),
                      std::make_pair("leakprofile.trace", "leakprofile.goroutineleak.pb.gz"),
                      std::make_pair("leakprofile-window.trace", "leakprofile-window.goroutineleak"),
                      std::make_pair("leakprofile-window.trace", "leakprofile-window.goroutineleak.pb.gz")));

// Without the profile, the window gives no error-level leak: precision first.
TEST(LeakProfileJoinBaseline, WithoutTheProfileAWindowProvesNothing) {
  auto a = RunOn("leakprofile-window.trace", "");
  ASSERT_TRUE(a.has_value());
  for (const Finding& f : a->findings) EXPECT_NE(f.severity, Severity::kError) << f.message;
  EXPECT_FALSE(a->quality.leak_profile.present);
}

// Judged as a whole program, the pool workers blocked at the end look leaked
// by timing; the profile lists them alive, not leaked: likely, a warning.
TEST(LeakProfileJoinBaseline, AliveInTheProfileIsNeverCertainByTiming) {
  auto without = RunOn("leakprofile.trace", "");
  auto with = RunOn("leakprofile.trace", "leakprofile.goroutineleak");
  ASSERT_TRUE(without.has_value() && with.has_value());
  auto pool = [&](const Analysis& a) -> const Finding* {
    for (const Finding& f : a.findings)
      if (Start(a, f) == "main.poolWorker") return &f;
    return nullptr;
  };
  ASSERT_NE(pool(*without), nullptr);
  EXPECT_EQ(pool(*without)->certainty, Certainty::kCertain);
  ASSERT_NE(pool(*with), nullptr);
  EXPECT_EQ(pool(*with)->certainty, Certainty::kLikely);
  EXPECT_EQ(pool(*with)->severity, Severity::kWarning);
  EXPECT_NE(pool(*with)->evidence.find("not leaked"), std::string::npos) << pool(*with)->evidence;
}

// A profile of another process (goroutine ids reused) is an error, not a silent non-join.
TEST(LeakProfileJoinBaseline, AProfileOfAnotherProcessIsAnError) {
  for (const auto& [trace, profile] :
       {std::make_pair("leaks.trace", "leakprofile.goroutineleak"),
        std::make_pair("leaks.trace", "leakprofile.goroutineleak.pb.gz"),
        std::make_pair("leakprofile-window.trace", "leakprofile.goroutineleak")}) {
    auto a = RunOn(trace, profile);
    ASSERT_FALSE(a.has_value()) << trace << " + " << profile;
    EXPECT_EQ(a.error().code, ErrorCode::kProfileMismatch) << a.error().message;
  }
}

// The runtime prints a Mutex wait deeper than the trace records it
// (internal/sync.runtime_SemacquireMutex and lockSlow under sync.(*Mutex).Lock):
// the same wait, joined and proven (tests/compare's TestLeakMutex).
TEST(LeakProfileJoinStacks, AWaitTheTraceRecordsShallowerStillJoins) {
  auto a = RunOn("leakmutex.trace", "leakmutex.goroutineleak");
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  EXPECT_EQ(a->quality.leak_profile.leaked_joined, 1u);
  ASSERT_EQ(a->findings.size(), 1u);
  EXPECT_EQ(a->findings[0].certainty, Certainty::kProven);
  EXPECT_EQ(Start(*a, a->findings[0]), "cancelflow.test/compare/cases.TestLeakMutex.func1");
}

// A goroutine the trace saw sleeping at its end cannot be leaked in a send
// at the same moment, though both stacks end in the same function: the
// trace's stack has a frame (time.Sleep) the profile's lacks. (The poller of
// leakprofile.trace, rewritten as leaked in a send.)
TEST(LeakProfileJoinStacks, ASleepIsNotTheSendTheProfileMarksLeaked) {
  std::ifstream in(kDir + "leakprofile.goroutineleak");
  std::stringstream text;
  text << in.rdbuf();
  std::string p = text.str();
  const std::string sleeping = "goroutine 23 [sleep]:\ntime.Sleep(0x989680)\n\truntime/time.go:363 +0x165\n";
  const size_t at = p.find(sleeping);
  ASSERT_NE(at, std::string::npos);
  p.replace(at, sleeping.size(), "goroutine 23 [chan send (leaked)]:\nruntime.chansend1(0x1, 0x2)\n\truntime/chan.go:161 +0x1d\n");
  const std::string path = ::testing::TempDir() + "/moved.goroutineleak";
  std::ofstream(path) << p;
  auto buf = TraceBuffer::Open(kDir + "leakprofile.trace");
  ASSERT_TRUE(buf.has_value());
  auto profile = LoadLeakProfile(path);
  ASSERT_TRUE(profile.has_value()) << profile.error().ToString();
  AnalysisOptions o;
  o.leak_profile = std::make_shared<const LeakProfile>(std::move(*profile));
  auto a = Analyze(*buf, o);
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().code, ErrorCode::kProfileMismatch);
  EXPECT_NE(a.error().message.find("goroutine 23"), std::string::npos) << a.error().message;
}

}  // namespace
}  // namespace cancelflow
