#include "report/baseline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "report/testing/sample_analysis.h"

namespace cancelflow::report {
namespace {

using testing::SampleAnalysis;

CheckResult Check(const std::string& root, const CheckConfig& config, const std::set<std::string>& baseline,
                  const std::string& trace_root = "") {
  CheckResult r;
  r.module_root = root;
  AddTrace(r, "t.trace", SampleAnalysis(trace_root.empty() ? root : trace_root), config, baseline);
  return r;
}

TEST(Fingerprint, StableAcrossRootsLinesAndTests) {
  const auto a = Check("/ci/checkout", CheckConfig{}, {});
  const auto b = Check("/home/dev/src", CheckConfig{}, {});
  ASSERT_EQ(a.traces[0].findings.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(a.traces[0].findings[i].fingerprint, b.traces[0].findings[i].fingerprint);
    EXPECT_EQ(a.traces[0].findings[i].fingerprint.size(), 16u);
  }
  // Same sites, different rules: different fingerprints.
  EXPECT_NE(a.traces[0].findings[0].fingerprint, a.traces[0].findings[1].fingerprint);
  // Test names and lines are not part of it.
  testing::SampleBuilder sb;
  Analysis x = sb.Make();
  x.findings.push_back(testing::MakeFinding(sb, Rule::kLeakedGoroutine, "/r", "p.f.func1", "p.f.func1", 10, "p.f", 5, "T1"));
  x.findings.push_back(testing::MakeFinding(sb, Rule::kLeakedGoroutine, "/r", "p.f.func1", "p.f.func1", 99, "p.f", 50, "T2"));
  x.findings.push_back(testing::MakeFinding(sb, Rule::kLeakedGoroutine, "/r", "p.f.func1", "p.g", 10, "p.f", 5, "T1"));
  EXPECT_EQ(FindingFingerprint(x, x.findings[0]), FindingFingerprint(x, x.findings[1]));
  EXPECT_NE(FindingFingerprint(x, x.findings[0]), FindingFingerprint(x, x.findings[2]));
}

TEST(Check, SitesRelativeToModuleRoot) {
  const auto r = Check("/src/mod", CheckConfig{}, {});
  const auto& f = r.traces[0].findings[0];
  EXPECT_EQ(f.primary.file, "pkg/file.go");
  EXPECT_TRUE(f.primary.relative);
  EXPECT_EQ(f.primary.line, 27);
  EXPECT_EQ(f.primary.func, "example.com/m/pkg.search.func1");
  EXPECT_EQ(f.creation.line, 24);
  // Outside the root: kept absolute.
  EXPECT_EQ(r.traces[0].findings[2].primary.file, "/elsewhere/pkg/file.go");
  EXPECT_FALSE(r.traces[0].findings[2].primary.relative);
  EXPECT_EQ(RelativeTo("/src/mod2/x.go", "/src/mod"), "/src/mod2/x.go");
  EXPECT_EQ(RelativeTo("/src/mod/x.go", ""), "/src/mod/x.go");
}

TEST(Check, GateCountsAndSeverityThreshold) {
  CheckConfig c;  // fail_on warning: the late-deadline note does not fail
  auto r = Check("/src/mod", c, {});
  EXPECT_EQ(r.total, 3u);
  EXPECT_EQ(r.failing, 2u);
  EXPECT_EQ(Verdict(r), 1);
  c.analysis.rule_enabled[static_cast<int>(Rule::kIgnoredCancel)] = false;
  c.analysis.rule_enabled[static_cast<int>(Rule::kLeakedGoroutine)] = false;
  r = Check("/src/mod", c, {});
  EXPECT_EQ(r.total, 1u);
  EXPECT_EQ(Verdict(r), 0);
  c.fail_on = Severity::kNote;
  EXPECT_EQ(Verdict(Check("/src/mod", c, {})), 1);
}

TEST(Baseline, RoundTripSuppressesEverything) {
  const auto first = Check("/src/mod", CheckConfig{}, {});
  const std::string text = WriteBaseline(first);
  auto fps = ParseBaseline(text);
  ASSERT_TRUE(fps) << fps.error().message;
  EXPECT_EQ(fps->size(), 3u);
  // Another checkout, same code: nothing fails, everything is counted as suppressed.
  const auto second = Check("/other/place", CheckConfig{}, *fps);
  EXPECT_EQ(second.failing, 0u);
  EXPECT_EQ(second.suppressed, 3u);
  EXPECT_EQ(Verdict(second), 0);
  // Deterministic bytes.
  EXPECT_EQ(WriteBaseline(second), WriteBaseline(Check("/other/place", CheckConfig{}, {})));
  EXPECT_THAT(text, ::testing::HasSubstr("\"location\": \"pkg/file.go:27\""));
}

TEST(Baseline, PartialBaselineOnlySuppressesListed) {
  const auto first = Check("/src/mod", CheckConfig{}, {});
  const auto second = Check("/src/mod", CheckConfig{}, {first.traces[0].findings[0].fingerprint});
  EXPECT_TRUE(second.traces[0].findings[0].suppressed);
  EXPECT_FALSE(second.traces[0].findings[0].fails);
  EXPECT_TRUE(second.traces[0].findings[1].fails);
  EXPECT_EQ(second.failing, 1u);
}

TEST(Baseline, RejectsMalformed) {
  for (const char* bad : {"", "{}", R"({"version": 1})", R"({"version": 1, "findings": [1]})",
                          R"({"version": 1, "findings": [{"rule": "x"}]})", R"({"version": 3, "findings": []})"}) {
    auto r = ParseBaseline(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kUsage);
  }
  EXPECT_EQ(LoadBaseline("/nonexistent/baseline.json").error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace cancelflow::report
