#include "report/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cancelflow::report {
namespace {

TEST(Config, DefaultsWhenEmpty) {
  auto c = ParseConfig("{}");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->fail_on, Severity::kWarning);
  EXPECT_FALSE(c->fail_never);
  EXPECT_EQ(c->analysis.grace_ns, AnalysisOptions{}.grace_ns);
  for (int r = 0; r < static_cast<int>(Rule::kCount); ++r) EXPECT_TRUE(c->enabled(static_cast<Rule>(r)));
}

TEST(Config, FullFile) {
  auto c = ParseConfig(R"({
    "version": 1,
    // comments are allowed
    "fail_on": "note",
    "user_packages": ["net/http", "example.com/lib/"],
    "thresholds": {"grace": "250ms", "slow_cancel": "1.5s", "late_deadline": "20us", "burst_gap": "0"},
    "rules": {"slow-cancel": "error", "late-deadline": "off", "detached-context": "note"}
  })");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->fail_on, Severity::kNote);
  ASSERT_EQ(c->analysis.user_packages.size(), 2u);
  EXPECT_EQ(c->analysis.user_packages[0], "net/http.");
  EXPECT_EQ(c->analysis.user_packages[1], "example.com/lib/");
  EXPECT_EQ(c->analysis.grace_ns, 250'000'000);
  EXPECT_EQ(c->analysis.slow_cancel_ns, 1'500'000'000);
  EXPECT_EQ(c->analysis.late_deadline_ns, 20'000);
  EXPECT_EQ(c->analysis.burst_gap_ns, 0);
  EXPECT_EQ(c->analysis.severity[static_cast<int>(Rule::kSlowCancel)], Severity::kError);
  EXPECT_EQ(c->analysis.severity[static_cast<int>(Rule::kDetachedContext)], Severity::kNote);
  EXPECT_FALSE(c->enabled(Rule::kLateDeadline));
  EXPECT_TRUE(c->Fails(Severity::kNote));
}

TEST(Config, FailOnNeverAndThreshold) {
  auto never = ParseConfig(R"({"fail_on": "never"})");
  ASSERT_TRUE(never);
  EXPECT_FALSE(never->Fails(Severity::kError));
  auto err = ParseConfig(R"({"fail_on": "error"})");
  ASSERT_TRUE(err);
  EXPECT_FALSE(err->Fails(Severity::kWarning));
  EXPECT_TRUE(err->Fails(Severity::kError));
}

TEST(Config, RejectsMistakes) {
  for (const char* bad : {
           "not json", "[]", R"({"version": 2})", R"({"fail_on": "fatal"})", R"({"typo": 1})",
           R"({"rules": {"no-such-rule": "error"}})", R"({"rules": {"slow-cancel": "loud"}})",
           R"({"rules": {"slow-cancel": 3}})", R"({"thresholds": {"grace": 100}})",
           R"({"thresholds": {"grace": "100"}})", R"({"thresholds": {"grace": "1h"}})",
           R"({"thresholds": {"speed": "1s"}})", R"({"user_packages": "net/http"})"}) {
    auto c = ParseConfig(bad);
    ASSERT_FALSE(c) << bad;
    EXPECT_EQ(c.error().code, ErrorCode::kUsage) << bad;
  }
}

TEST(Config, MissingFileIsIoError) {
  auto c = LoadConfig("/nonexistent/.cancelflow.json");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kIo);
}

TEST(Config, Durations) {
  EXPECT_EQ(ParseDuration("0"), 0);
  EXPECT_EQ(ParseDuration("15ns"), 15);
  EXPECT_EQ(ParseDuration("2us"), 2000);
  EXPECT_EQ(ParseDuration("0.5ms"), 500'000);
  EXPECT_EQ(ParseDuration("2m"), 120'000'000'000);
  EXPECT_EQ(ParseDuration(""), -1);
  EXPECT_EQ(ParseDuration("ms"), -1);
  EXPECT_EQ(ParseDuration("-1s"), -1);
  EXPECT_EQ(ParseDuration("1 s"), -1);
}

}  // namespace
}  // namespace cancelflow::report
