#include "report/sarif_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "report/testing/sample_analysis.h"

namespace cancelflow::report {
namespace {

using nlohmann::json;

json Sarif(const std::set<std::string>& baseline = {}) {
  CheckResult r;
  r.module_root = "/src/my mod";
  AddTrace(r, "t.trace", testing::SampleAnalysis("/src/my mod"), {}, baseline);
  const std::string text = WriteSarif(r, "0.1.0");
  json j = json::parse(text, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << text;
  return j;
}

TEST(Sarif, Structure) {
  const json j = Sarif();
  EXPECT_EQ(j["version"], "2.1.0");
  const json& run = j["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "cancelflow");
  ASSERT_EQ(run["tool"]["driver"]["rules"].size(), static_cast<size_t>(Rule::kCount));
  EXPECT_EQ(run["tool"]["driver"]["rules"][1]["id"], "ignored-cancel");
  EXPECT_EQ(run["originalUriBaseIds"]["SRCROOT"]["uri"], "file:///src/my%20mod/");
  ASSERT_EQ(run["results"].size(), 3u);
  const json& r0 = run["results"][0];
  EXPECT_EQ(r0["ruleId"], "ignored-cancel");
  EXPECT_EQ(r0["ruleIndex"], 1);
  EXPECT_EQ(r0["level"], "error");
  const json& loc = r0["locations"][0]["physicalLocation"];
  EXPECT_EQ(loc["artifactLocation"]["uri"], "pkg/file.go");
  EXPECT_EQ(loc["artifactLocation"]["uriBaseId"], "SRCROOT");
  EXPECT_EQ(loc["region"]["startLine"], 27);
  EXPECT_EQ(r0["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], "example.com/m/pkg.search.func1");
  EXPECT_EQ(r0["relatedLocations"][0]["physicalLocation"]["region"]["startLine"], 24);
  EXPECT_EQ(r0["partialFingerprints"]["cancelflow/v1"].get<std::string>().size(), 16u);
  EXPECT_EQ(r0["properties"]["test"], "TestBuggy_Send/odd<&>\"item\"");
  EXPECT_EQ(r0["properties"]["goroutines"], 2);
  EXPECT_EQ(r0["stacks"][0]["frames"].size(), 3u);
  EXPECT_FALSE(r0.contains("suppressions"));
  // Outside the module root: an absolute file URI.
  EXPECT_EQ(run["results"][2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "file:///elsewhere/pkg/file.go");
  EXPECT_EQ(run["results"][2]["level"], "note");
}

TEST(Sarif, BaselinedResultsCarrySuppressions) {
  const json first = Sarif();
  const std::string fp = first["runs"][0]["results"][1]["partialFingerprints"]["cancelflow/v1"];
  const json j = Sarif({fp});
  EXPECT_EQ(j["runs"][0]["results"][1]["suppressions"][0]["kind"], "external");
  EXPECT_FALSE(j["runs"][0]["results"][0].contains("suppressions"));
}

TEST(Sarif, UriEscape) {
  EXPECT_EQ(UriEscapePath("a b/c%d#e?f"), "a%20b/c%25d%23e%3Ff");
  EXPECT_EQ(UriEscapePath("h\xC3\xA9.go"), "h%C3%A9.go");
}

}  // namespace
}  // namespace cancelflow::report
