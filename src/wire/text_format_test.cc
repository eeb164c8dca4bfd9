#include "wire/text_format.h"

#include <gtest/gtest.h>

#include "wire/event_spec.h"
#include "wire/test_util.h"

namespace cancelflow::wire {
namespace {

TEST(TextFormat, ConvertsEventsStacksAndStrings) {
  const char* text =
      "Trace Go1.22\n"
      "# a comment\n"
      "EventBatch gen=1 m=0 time=0 size=5\n"
      "Stacks\n"
      "Stack id=1 nframes=1\n"
      "\tpc=300 func=2 file=3 line=4\n"
      "String id=2\n"
      "\tdata=\"a\\nb\"\n";
  auto bin = TextToBinary(text);
  ASSERT_TRUE(bin.has_value()) << bin.error().message;
  std::string want = wiretest::Header(22) + wiretest::Ev(kEventBatch, {1, 0, 0, 5}) + wiretest::Ev(kStacks, {}) +
                     wiretest::Ev(kStack, {1, 1, 300, 2, 3, 4}) + wiretest::Ev(kString, {2, 3}) + "a\nb";
  EXPECT_EQ(*bin, want);
}

TEST(TextFormat, RejectsWrongArgumentNames) {
  auto bin = TextToBinary("Trace Go1.22\nProcStop t=1\n");
  ASSERT_FALSE(bin.has_value());
  EXPECT_EQ(bin.error().code, ErrorCode::kBadText);
  EXPECT_EQ(bin.error().offset, 2u);
}

TEST(TextFormat, RejectsEventsOutsideTheVersion) {
  EXPECT_FALSE(TextToBinary("Trace Go1.22\nGoSwitch dt=1 g=1 g_seq=1\n").has_value());
  EXPECT_TRUE(TextToBinary("Trace Go1.23\nGoSwitch dt=1 g=1 g_seq=1\n").has_value());
}

TEST(GoTestFile, ParsesExpectation) {
  auto f = ParseGoTestFile("-- expect --\nFAILURE \".*expected a proc.*\"\n-- trace --\nTrace Go1.22\n");
  ASSERT_TRUE(f.has_value());
  EXPECT_TRUE(f->expect_failure);
  EXPECT_EQ(f->error_pattern, ".*expected a proc.*");
  EXPECT_EQ(f->trace_text, "Trace Go1.22\n");
  auto ok = ParseGoTestFile("-- expect --\nSUCCESS\n-- trace --\nTrace Go1.23\n");
  ASSERT_TRUE(ok.has_value());
  EXPECT_FALSE(ok->expect_failure);
}

}  // namespace
}  // namespace cancelflow::wire
