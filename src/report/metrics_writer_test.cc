#include "report/metrics_writer.h"

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "report/testing/sample_analysis.h"

namespace cancelflow::report {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(Metrics, LabelEscaping) {
  // Trace strings are made inert first (base/inert_text.h: a newline becomes
  // the two characters \n, an invalid byte \xff), then the exposition
  // format escapes quote and backslash.
  EXPECT_EQ(MetricsLabelEscape("a\"b\\c\nd"), "a\\\"b\\\\c\\\\nd");
  EXPECT_EQ(MetricsLabelEscape("\xff"), "\\\\xff");
}

TEST(Metrics, FindingsPerPackageTestRuleSeverity) {
  CheckResult r;
  AddTrace(r, "t.trace", testing::SampleAnalysis("/src/mod"), {}, {});
  r.traces[0].package = "example.com/m/pkg";
  r.traces[0].go_tests = {{"TestA", "pass", 0.1, ""}, {"TestB", "fail", 0.1, ""}};
  const std::string m = WriteOpenMetrics(r);
  EXPECT_THAT(m, HasSubstr("# TYPE cancelflow_findings gauge\n"));
  EXPECT_THAT(m, HasSubstr("cancelflow_findings{package=\"example.com/m/pkg\",test=\"TestBuggy_Send/odd<&>\\\"item\\\"\","
                           "rule=\"ignored-cancel\",severity=\"error\",gating=\"true\"} 1\n"));
  EXPECT_THAT(m, HasSubstr("rule=\"late-deadline\",severity=\"note\",gating=\"false\"} 1\n"));
  EXPECT_THAT(m, HasSubstr("cancelflow_failing_findings " + std::to_string(r.failing) + "\n"));
  EXPECT_THAT(m, HasSubstr("cancelflow_tests{package=\"example.com/m/pkg\",result=\"fail\"} 1\n"));
  EXPECT_THAT(m, EndsWith("# EOF\n"));
}

TEST(Metrics, TestsWithFindingsCountEachTestOncePerRule) {
  CheckResult r;
  AddTrace(r, "t.trace", testing::SampleAnalysis("/src/mod"), {}, {});
  r.traces[0].package = "p";
  // The sample's ignored-cancel and leaked-goroutine findings are in one test; its note in none.
  const std::string m = WriteOpenMetrics(r);
  EXPECT_THAT(m, HasSubstr("# TYPE cancelflow_tests_with_findings gauge\n"));
  EXPECT_THAT(m, HasSubstr("cancelflow_tests_with_findings{package=\"p\",rule=\"ignored-cancel\"} 1\n"));
  EXPECT_THAT(m, HasSubstr("cancelflow_tests_with_findings{package=\"p\",rule=\"leaked-goroutine\"} 1\n"));
  EXPECT_THAT(m, Not(HasSubstr("rule=\"late-deadline\"} ")));  // outside any test: no test to count

  // The same finding seen in two tests counts two tests; a second finding in one of them does not add one.
  auto& findings = r.traces[0].findings;
  ASSERT_GE(findings.size(), 1u);
  const size_t ignored = static_cast<size_t>(
      std::find_if(findings.begin(), findings.end(),
                   [&](const auto& cf) { return r.traces[0].analysis.findings[cf.index].rule == Rule::kIgnoredCancel; }) -
      findings.begin());
  ASSERT_LT(ignored, findings.size());
  findings[ignored].tests = {"TestA", "TestB"};
  findings.push_back(findings[ignored]);
  findings.back().tests = {"TestB"};
  EXPECT_THAT(WriteOpenMetrics(r), HasSubstr("cancelflow_tests_with_findings{package=\"p\",rule=\"ignored-cancel\"} 2\n"));
}

TEST(Metrics, BuildInfoAndRunTimestampOnlyWhenGiven) {
  CheckResult r;
  const std::string bare = WriteOpenMetrics(r);
  EXPECT_THAT(bare, Not(HasSubstr("cancelflow_build_info")));
  EXPECT_THAT(bare, Not(HasSubstr("cancelflow_run_timestamp_seconds")));
  EXPECT_THAT(bare, Not(HasSubstr("cancelflow_tests_with_findings")));  // no findings: no family
  const std::string m = WriteOpenMetrics(r, {"1.2.3", 1765000000.25});
  EXPECT_THAT(m, HasSubstr("# TYPE cancelflow_build_info gauge\n"));
  EXPECT_THAT(m, HasSubstr("cancelflow_build_info{version=\"1.2.3\"} 1\n"));
  EXPECT_THAT(m, HasSubstr("# TYPE cancelflow_run_timestamp_seconds gauge\n# UNIT cancelflow_run_timestamp_seconds seconds\n"));
  EXPECT_THAT(m, HasSubstr("cancelflow_run_timestamp_seconds 1765000000.250\n"));
  EXPECT_THAT(m, EndsWith("# EOF\n"));
}

TEST(WatchMetrics, LatestRoundPerTargetAndCounters) {
  CheckResult r;
  AddTrace(r, "http://h:1/debug/pprof/", testing::SampleAnalysis("/src/mod"), {}, {});
  ASSERT_FALSE(r.traces[0].findings.empty());
  WatchMetrics w;
  w.targets.resize(2);
  w.targets[0].service = "shop\"x";  // label values escaped
  w.targets[0].instance = "h:1";
  w.targets[1].service = "shop";
  w.targets[1].instance = "h:2";
  w.targets[1].rounds = 3;
  w.targets[1].errors["refused"] = 3;
  EXPECT_EQ(UpdateWatchTarget(w, 0, r), 0u);
  EXPECT_EQ(UpdateWatchTarget(w, 0, r), 0u);  // replaces, does not add up
  const std::string m = WriteWatchMetrics(w);
  const auto& cf = r.traces[0].findings[0];
  EXPECT_THAT(m, HasSubstr("cancelflow_watch_findings{service=\"shop\\\"x\",instance=\"h:1\",rule=\""));
  EXPECT_THAT(m, HasSubstr("fingerprint=\"" + cf.fingerprint + "\"} 1\n"));
  EXPECT_THAT(m, HasSubstr("# TYPE cancelflow_watch_errors_total counter\n"));
  EXPECT_THAT(m, HasSubstr("cancelflow_watch_errors_total{service=\"shop\",instance=\"h:2\",kind=\"refused\"} 3\n"));
  EXPECT_THAT(m, HasSubstr("cancelflow_watch_rounds_total{service=\"shop\",instance=\"h:2\"} 3\n"));
  EXPECT_THAT(m, HasSubstr("cancelflow_watch_finding_series{state=\"kept\"} " + std::to_string(w.targets[0].findings.size())));
  EXPECT_THAT(m, EndsWith("# EOF\n"));
}

TEST(WatchMetrics, SeriesCapDropsAndSaysSo) {
  CheckResult r;
  AddTrace(r, "http://h:1/debug/pprof/", testing::SampleAnalysis("/src/mod"), {}, {});
  WatchMetrics w;
  w.max_finding_series = 1;
  w.targets.resize(2);
  UpdateWatchTarget(w, 0, r);
  ASSERT_EQ(w.targets[0].findings.size(), 1u);
  const uint64_t dropped = UpdateWatchTarget(w, 1, r);  // the cap is taken by target 0
  EXPECT_EQ(w.targets[1].findings.size(), 0u);
  EXPECT_GT(dropped, 0u);
  EXPECT_THAT(WriteWatchMetrics(w), HasSubstr("cancelflow_watch_finding_series{state=\"dropped\"} " + std::to_string(dropped)));
}

}  // namespace
}  // namespace cancelflow::report
