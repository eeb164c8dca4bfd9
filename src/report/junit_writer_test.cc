#include "report/junit_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "report/testing/sample_analysis.h"

namespace cancelflow::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Junit(const CheckConfig& c = {}, const std::set<std::string>& baseline = {}) {
  CheckResult r;
  r.module_root = "/src/mod";
  AddTrace(r, "out/a&b.trace", testing::SampleAnalysis("/src/mod"), c, baseline);
  return WriteJUnit(r);
}

// The <testcase ...>...</testcase> element named `name` (escaped), or "".
std::string Case(const std::string& xml, const std::string& escaped_name) {
  const auto at = xml.find("name=\"" + escaped_name + "\" time=");
  if (at == std::string::npos) return "";
  const auto begin = xml.rfind("<testcase", at);
  const auto end = xml.find("</testcase>", at);
  return xml.substr(begin, end - begin);
}

TEST(JUnit, OneCasePerGoTestAndFailuresOnTheirTest) {
  const std::string xml = Junit();
  EXPECT_THAT(xml, HasSubstr("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  // 5 Go tests + the "outside any test" case.
  EXPECT_THAT(xml, HasSubstr("<testsuites name=\"cancelflow\" tests=\"6\" failures=\"2\">"));
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"out/a&amp;b.trace\" tests=\"6\" failures=\"2\" errors=\"0\" skipped=\"1\""));
  const std::string sub = Case(xml, "TestBuggy_Send/odd&lt;&amp;&gt;&quot;item&quot;");
  ASSERT_FALSE(sub.empty());
  EXPECT_THAT(sub, HasSubstr("<failure message=\"ignored-cancel: goroutine"));
  EXPECT_THAT(sub, HasSubstr("(and 1 more)"));
  EXPECT_THAT(sub, HasSubstr("type=\"ignored-cancel\""));
  EXPECT_THAT(sub, HasSubstr("blocked on chan send at pkg/file.go:27"));
  EXPECT_THAT(sub, HasSubstr("created at pkg/file.go:24"));
  EXPECT_THAT(sub, HasSubstr("time=\"0.198\""));
  // The parent fails like go test's; the sibling and the control pass.
  EXPECT_THAT(Case(xml, "TestBuggy_Send"), HasSubstr("<failure message=\"subtest TestBuggy_Send/odd"));
  EXPECT_THAT(Case(xml, "TestBuggy_Send/even"), Not(HasSubstr("<failure")));
  EXPECT_THAT(Case(xml, "TestControl_OK"), Not(HasSubstr("<failure")));
  EXPECT_THAT(Case(xml, "TestSkipped"), HasSubstr("<skipped/>"));
  // The note outside tests does not fail (fail_on warning) but is shown.
  const std::string outside = Case(xml, "cancelflow");
  EXPECT_THAT(outside, Not(HasSubstr("<failure")));
  EXPECT_THAT(outside, HasSubstr("<system-out>[not gating] [note] late-deadline"));
}

TEST(JUnit, HostileStringsAreEscaped) {
  CheckConfig c;
  c.fail_on = Severity::kNote;
  const std::string xml = Junit(c);
  const std::string outside = Case(xml, "cancelflow");
  // Trace strings are inert (base/inert_text.h), then XML-escaped: the
  // newline, the control byte and the invalid byte show as Go escapes.
  EXPECT_THAT(outside, HasSubstr("<failure message=\"late-deadline: line1\\nline2 ::error:: 100% "
                                 "&lt;b&gt;&amp;amp;&lt;/b&gt; \\x02 \\xc3( done, ok\""));
  EXPECT_THAT(outside, Not(HasSubstr("line1&#10;line2")));
  EXPECT_THAT(xml, Not(HasSubstr("\x01")));
  EXPECT_THAT(xml, Not(HasSubstr("\x02")));
  EXPECT_THAT(xml, Not(HasSubstr("\xff")));
}

TEST(JUnit, BaselinedFindingsDoNotFail) {
  CheckResult first;
  AddTrace(first, "t", testing::SampleAnalysis("/src/mod"), {}, {});
  std::set<std::string> all;
  for (const auto& f : first.traces[0].findings) all.insert(f.fingerprint);
  const std::string xml = Junit({}, all);
  EXPECT_THAT(xml, HasSubstr("failures=\"0\""));
  EXPECT_THAT(xml, HasSubstr("[baseline] [error] ignored-cancel"));
}

TEST(JUnit, NoSyntheticCasePerTrace) {
  testing::SampleBuilder b;
  Analysis a = b.Make();
  a.findings.push_back(testing::MakeFinding(b, Rule::kLeakedGoroutine, "/r", "p.f.func1", "p.f.func1", 3, "p.f", 2, ""));
  CheckResult r;
  r.module_root = "/r";
  AddTrace(r, "prog.trace", std::move(a), {}, {});
  AddTrace(r, "clean.trace", b.Make(), {}, {});
  const std::string xml = WriteJUnit(r);
  // The finding belongs to no test: one package-level case; the clean trace has none.
  EXPECT_THAT(xml, HasSubstr("<testsuites name=\"cancelflow\" tests=\"1\" failures=\"1\">"));
  EXPECT_THAT(Case(xml, "cancelflow"), HasSubstr("<failure message=\"leaked-goroutine:"));
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"clean.trace\" tests=\"0\" failures=\"0\""));
}

TEST(JUnit, GoTestResultsPerPackageLikeGotestsum) {
  testing::SampleBuilder b;
  Analysis a = b.Make();
  a.findings.push_back(
      testing::MakeFinding(b, Rule::kLeakedGoroutine, "/r", "p.f.func1", "p.f.func1", 3, "p.f", 2, "TestA/sub"));
  a.findings.push_back(testing::MakeFinding(b, Rule::kLeakedGoroutine, "/r", "p.g.func1", "p.g.func1", 3, "p.g", 2, ""));
  CheckResult r;
  AddTrace(r, "/tmp/x/example.com_m_p.trace", std::move(a), {}, {});
  r.traces[0].package = "example.com/m/p";
  r.traces[0].go_tests = {{"TestA", "pass", 0.5, ""},
                          {"TestA/sub", "pass", 0.25, ""},
                          {"TestB", "fail", 0.125, "    p_test.go:9: boom\n"},
                          {"TestC", "skip", 0, ""}};
  const std::string xml = WriteJUnit(r);
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"example.com/m/p\" tests=\"5\" failures=\"4\" errors=\"0\" skipped=\"1\""));
  EXPECT_THAT(xml, HasSubstr("<property name=\"trace\" value=\"/tmp/x/example.com_m_p.trace\"/>"));
  EXPECT_THAT(Case(xml, "TestA/sub"), HasSubstr("<testcase classname=\"example.com/m/p\" name=\"TestA/sub\" time=\"0.250\">"));
  EXPECT_THAT(Case(xml, "TestA/sub"), HasSubstr("<failure message=\"leaked-goroutine:"));
  EXPECT_THAT(Case(xml, "TestA"), HasSubstr("<failure message=\"subtest TestA/sub"));
  EXPECT_THAT(Case(xml, "TestB"), HasSubstr("<failure message=\"test failed\" type=\"go test\">    p_test.go:9: boom"));
  EXPECT_THAT(Case(xml, "TestC"), HasSubstr("<skipped/>"));
  EXPECT_THAT(Case(xml, "cancelflow"), HasSubstr("<failure message=\"leaked-goroutine:"));
}

TEST(JUnit, ParentsWithoutMarkersGetACase) {
  testing::SampleBuilder b;
  Analysis a = b.Make();
  a.tests = {{"TestP/a", "pass", 0, 10, GoId{1}}, {"TestP/b/c", "pass", 0, 10, GoId{2}}};
  a.findings.push_back(testing::MakeFinding(b, Rule::kLeakedGoroutine, "/r", "p.f.func1", "p.f.func1", 3, "p.f", 2, "TestP/b/c"));
  CheckResult r;
  AddTrace(r, "t", std::move(a), {}, {});
  const std::string xml = WriteJUnit(r);
  EXPECT_THAT(Case(xml, "TestP"), HasSubstr("<failure message=\"subtest TestP/b/c"));
  EXPECT_THAT(Case(xml, "TestP/b"), HasSubstr("<failure message=\"subtest TestP/b/c"));
  EXPECT_THAT(Case(xml, "TestP/a"), Not(HasSubstr("<failure")));
  EXPECT_THAT(xml, HasSubstr("tests=\"4\" failures=\"3\""));  // no synthetic case: every finding has its test
}

TEST(XmlEscape, ControlAndNonCharacters) {
  // Inert first: a tab or NUL is shown as its Go escape; only '\n' stays a line break.
  EXPECT_EQ(XmlEscape("a<b>&\"'\t\n"), "a&lt;b&gt;&amp;&quot;&apos;\\t&#10;");
  EXPECT_EQ(XmlEscape(std::string("\0x", 2)), "\\x00x");
  EXPECT_EQ(XmlEscape("\xEF\xBF\xBF"), "\\uffff");
  EXPECT_EQ(XmlEscape("\x1b]0;t\x07\xE2\x80\xAE"), "\\x1b]0;t\\x07\\u202e");
  EXPECT_EQ(XmlEscape("h\xC3\xA9"), "h\xC3\xA9");
}

}  // namespace
}  // namespace cancelflow::report
