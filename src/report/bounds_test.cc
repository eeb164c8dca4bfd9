// The writers' bounds policy: strings cut at a UTF-8 boundary.
#include "report/bounds.h"

#include <gtest/gtest.h>

namespace cancelflow::report {
namespace {

TEST(Bounds, Utf8PrefixNeverSplitsASequence) {
  EXPECT_EQ(Utf8Prefix("abc", 5), 3u);
  EXPECT_EQ(Utf8Prefix("abcdef", 4), 4u);
  const std::string s = "ab\xE2\x80\xA6z";  // "ab…z": the ellipsis is 3 bytes
  EXPECT_EQ(Utf8Prefix(s, 2), 2u);
  EXPECT_EQ(Utf8Prefix(s, 3), 2u);  // would end after the lead byte
  EXPECT_EQ(Utf8Prefix(s, 4), 2u);  // would end inside the sequence
  EXPECT_EQ(Utf8Prefix(s, 5), 5u);
  EXPECT_EQ(Utf8Prefix("\xE2\x80\xA6", 1), 0u);
}

TEST(Bounds, CapsHitLineOnlyWhenACapWasHit) {
  CapsRecord r{{{0, "flows"}, {0, "strings cut"}}};
  EXPECT_FALSE(r.Hit());
  EXPECT_EQ(CapsHitLine(r), "");
  r.caps[1].count = 5;
  EXPECT_TRUE(r.Hit());
  // Every cap of the record, in order, so the line always reads the same.
  EXPECT_EQ(CapsHitLine(r), "; caps hit: 0 flows, 5 strings cut");
}

}  // namespace
}  // namespace cancelflow::report
