// test2json's events against `go tool test2json -t` (Go 1.26) on the same input.
#include "cli/test2json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

namespace cancelflow::cli {
namespace {

using ::testing::ElementsAre;

// One event per line: action, test, output, elapsed. The expectations below
// are `go tool test2json -t -p p` (Go 1.26) on the same input, Time dropped.
std::vector<std::string> Lines(const std::vector<GoTestEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) {
    std::string s = e.action + "|" + e.test;
    if (e.action == "output" || !e.output.empty()) s += "|" + e.output;
    if (e.elapsed && !e.test.empty()) s += fmt::format("|{}", *e.elapsed);
    out.push_back(s);
  }
  return out;
}

std::vector<std::string> Convert(std::string_view text, bool ok, size_t chunk = 0) {
  std::vector<GoTestEvent> events;
  Test2Json c(&events);
  if (chunk == 0) chunk = text.size();
  for (size_t i = 0; i < text.size(); i += chunk) c.Write(text.substr(i, chunk));
  c.Exited(ok);
  c.Close(0.25);
  return Lines(events);
}

// A failing package's -test.v=test2json output (tests/gate/testmod/failing)
// and the FAIL line go test adds.
constexpr std::string_view kFailing =
    "\x16=== RUN   TestPasses\n\x16--- PASS: TestPasses (0.00s)\n\x16=== NAME  \n"
    "\x16=== RUN   TestFails\n    failing_test.go:11: want 5\n\x16--- FAIL: TestFails (0.01s)\n\x16=== NAME  \n"
    "\x16=== RUN   TestSkips\n    failing_test.go:13: intentional skip\n\x16--- SKIP: TestSkips (0.00s)\n"
    "\x16=== NAME  \n\x16" "FAIL\n\x16" "FAIL\tp\t0.010s\n";

TEST(Test2Json, FailingPackage) {
  const auto lines = Convert(kFailing, false);
  EXPECT_THAT(lines, ElementsAre("run|TestPasses", "output|TestPasses|=== RUN   TestPasses\n",
                                 "output|TestPasses|--- PASS: TestPasses (0.00s)\n", "pass|TestPasses|0",
                                 "run|TestFails", "output|TestFails|=== RUN   TestFails\n",
                                 "output|TestFails|    failing_test.go:11: want 5\n",
                                 "output|TestFails|--- FAIL: TestFails (0.01s)\n", "fail|TestFails|0.01",
                                 "run|TestSkips", "output|TestSkips|=== RUN   TestSkips\n",
                                 "output|TestSkips|    failing_test.go:13: intentional skip\n",
                                 "output|TestSkips|--- SKIP: TestSkips (0.00s)\n", "skip|TestSkips|0", "output||FAIL\n",
                                 "output||FAIL\tp\t0.010s\n", "fail|"));
  // The input's chunking does not matter (a benchmark's name line aside).
  EXPECT_EQ(Convert(kFailing, false, 1), lines);
  EXPECT_EQ(Convert(kFailing, false, 7), lines);
}

TEST(Test2Json, NestedSubtestsAndIndentedOutput) {
  // Output without ^V markers (a binary's plain -test.v output): reports
  // nest by indentation, a report closes the ones nested deeper, and output
  // indented under a report belongs to that report's test.
  constexpr std::string_view kIn =
      "=== RUN   TestNested\n=== RUN   TestNested/a\n=== RUN   TestNested/a/b\n    x_test.go:27: after b\n"
      "--- FAIL: TestNested (0.00s)\n    --- FAIL: TestNested/a (0.00s)\n"
      "        --- PASS: TestNested/a/b (0.00s)\n        late line\nFAIL\n";
  EXPECT_THAT(Convert(kIn, false),
              ElementsAre("run|TestNested", "output|TestNested|=== RUN   TestNested\n", "run|TestNested/a",
                          "output|TestNested/a|=== RUN   TestNested/a\n", "run|TestNested/a/b",
                          "output|TestNested/a/b|=== RUN   TestNested/a/b\n",
                          "output|TestNested/a/b|    x_test.go:27: after b\n",
                          "output|TestNested|--- FAIL: TestNested (0.00s)\n",
                          "output|TestNested/a|    --- FAIL: TestNested/a (0.00s)\n",
                          "output|TestNested/a/b|        --- PASS: TestNested/a/b (0.00s)\n",
                          "output|TestNested/a|        late line\n", "pass|TestNested/a/b|0",
                          "fail|TestNested/a|0", "fail|TestNested|0", "output||FAIL\n", "fail|"));
}

TEST(Test2Json, CrashWithoutFinalMarkers) {
  // A binary that dies mid-test: its panic is the test's output until the
  // FAIL line go test adds; the package fails although Exited says so only.
  constexpr std::string_view kIn =
      "\x16=== RUN   TestPanics\n\x16--- FAIL: TestPanics (0.00s)\npanic: boom\n\ngoroutine 20 [running]:\n"
      "\x16" "FAIL\tp\t0.005s\n";
  EXPECT_THAT(Convert(kIn, false),
              ElementsAre("run|TestPanics", "output|TestPanics|=== RUN   TestPanics\n",
                          "output|TestPanics|--- FAIL: TestPanics (0.00s)\n", "output|TestPanics|panic: boom\n",
                          "output|TestPanics|\n", "output|TestPanics|goroutine 20 [running]:\n",
                          "fail|TestPanics|0", "output||FAIL\tp\t0.005s\n", "fail|"));
}

TEST(Test2Json, LongLinesAndMarkersMidLine) {
  // Lines longer than the buffers are cut where test2json cuts them (4096
  // bytes in, 1024 out, never inside a UTF-8 sequence); a ^V past the first
  // byte ends a line; output after the last line is flushed at Close.
  std::string in = "\x16=== RUN   TestLong\n";
  for (int i = 0; i < 1000; ++i) in += "\xc3\xa9";  // é, 2000 bytes
  in += "\nno newline then \x16 marker\nunterminated";
  std::vector<GoTestEvent> events;
  Test2Json c(&events);
  c.Write(in);
  c.Exited(true);
  c.Close(0.0004);
  const auto lines = Lines(events);
  ASSERT_EQ(lines.size(), 8u);
  EXPECT_EQ(events[2].output.size(), 1024u);                   // cut by the output buffer
  EXPECT_EQ(events[3].output.size(), 2001u - 1024u);           // the rest of the line, with its newline
  EXPECT_EQ(lines[4], "output|TestLong|no newline then ");
  EXPECT_EQ(lines[5], "output|TestLong| marker\n");
  EXPECT_EQ(lines[6], "output|TestLong|unterminated");
  EXPECT_EQ(events[7].action, "pass");
  EXPECT_EQ(events[7].elapsed, 0.0);  // rounded to the millisecond
}

TEST(Test2Json, NoTestFilesIsSkip) {
  EXPECT_THAT(Convert("?   \tp\t[no test files]\n", true), ElementsAre("output||?   \tp\t[no test files]\n", "skip|"));
}

TEST(GoTestJson, DecodesEventsAndKeepsOtherLines) {
  const auto events = DecodeGoTestJson(
      "{\"Action\":\"run\",\"Test\":\"TestA\"}\n# go's message\n"
      "{\"Action\":\"fail\",\"Package\":\"p\",\"Elapsed\":1.5,\"FailedBuild\":\"p\"}\n");
  EXPECT_THAT(Lines(events), ElementsAre("run|TestA", "build-output||# go's message\n", "fail|"));
  EXPECT_EQ(events[2].elapsed, 1.5);
  EXPECT_TRUE(events[2].failed_build);
}

}  // namespace
}  // namespace cancelflow::cli
