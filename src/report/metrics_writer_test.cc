#include "report/metrics_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "report/testing/sample_analysis.h"

namespace cancelflow::report {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;

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

}  // namespace
}  // namespace cancelflow::report
