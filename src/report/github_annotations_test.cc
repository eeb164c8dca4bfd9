#include "report/github_annotations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "report/testing/sample_analysis.h"

namespace cancelflow::report {
namespace {

using ::testing::HasSubstr;

TEST(GitHubAnnotations, OneCommandPerFinding) {
  CheckResult r;
  r.module_root = "/src/mod";
  AddTrace(r, "t.trace", testing::SampleAnalysis("/src/mod"), {}, {});
  const std::string out = WriteGitHubAnnotations(r);
  std::vector<std::string> lines;
  for (size_t b = 0, e; b < out.size(); b = e + 1) {
    e = out.find('\n', b);
    lines.push_back(out.substr(b, e - b));
  }
  ASSERT_EQ(lines.size(), 3u) << out;
  EXPECT_THAT(lines[0], ::testing::StartsWith(
                            "::error file=pkg/file.go,line=27,title=ignored-cancel%3A example.com/m/pkg.search.func1::"
                            "goroutine example.com/m/pkg.search.func1 is still blocked"));
  EXPECT_THAT(lines[0], HasSubstr("(test TestBuggy_Send/odd<&>\"item\")%0Aselect on ctx.Done()%0Acreated at pkg/file.go:24"));
  EXPECT_THAT(lines[2], ::testing::StartsWith("::notice file=/elsewhere/pkg/file.go,line=3,title=late-deadline%3A weird.fn::"));
  // The message cannot break out of the command: a line break inside a trace
  // string is shown as \n, not even as an annotation line break.
  EXPECT_THAT(lines[2], HasSubstr("line1\\nline2 ::error:: 100%25 <b>"));
}

TEST(GitHubAnnotations, BaselinedAreSilent) {
  CheckResult first;
  AddTrace(first, "t", testing::SampleAnalysis("/m"), {}, {});
  std::set<std::string> all;
  for (const auto& f : first.traces[0].findings) all.insert(f.fingerprint);
  CheckResult r;
  AddTrace(r, "t", testing::SampleAnalysis("/m"), {}, all);
  EXPECT_EQ(WriteGitHubAnnotations(r), "");
}

TEST(GitHubAnnotations, Escaping) {
  // Data: the caller's \n is an annotation line break (%0A); any other control is inert text.
  EXPECT_EQ(EscapeAnnotationData("a%b\r\nc:d,e"), "a%25b\\r%0Ac:d,e");
  EXPECT_EQ(EscapeAnnotationData("x\x1b]0;t\x07\u202e\xff"), "x\\x1b]0;t\\x07\\u202e\\xff");
  // Properties hold no line break at all.
  EXPECT_EQ(EscapeAnnotationProperty("a%b\nc:d,e"), "a%25b\\nc%3Ad%2Ce");
  EXPECT_EQ(EscapeAnnotationProperty("f.go\n::add-mask::x"), "f.go\\n%3A%3Aadd-mask%3A%3Ax");
}

}  // namespace
}  // namespace cancelflow::report
