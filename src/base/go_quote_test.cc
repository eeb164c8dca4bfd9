#include "base/go_quote.h"

#include <gtest/gtest.h>

namespace cancelflow {
namespace {

// Expected values are what Go's strconv.Quote returns for the same input.
TEST(GoQuote, MatchesStrconvQuote) {
  EXPECT_EQ(GoQuote(""), "\"\"");
  EXPECT_EQ(GoQuote("plain"), "\"plain\"");
  EXPECT_EQ(GoQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(GoQuote("\n\t\r\a\b\f\v"), "\"\\n\\t\\r\\a\\b\\f\\v\"");
  EXPECT_EQ(GoQuote(std::string_view("\0\x01\x7f", 3)), "\"\\x00\\x01\\x7f\"");
  EXPECT_EQ(GoQuote("\xff\xfe"), "\"\\xff\\xfe\"");          // invalid UTF-8, byte by byte
  EXPECT_EQ(GoQuote("\xe6\x97\xa5"), "\"\xe6\x97\xa5\"");    // 日 is printable
  EXPECT_EQ(GoQuote("\xc2\xa0"), "\"\\u00a0\"");             // NBSP is not printable
  EXPECT_EQ(GoQuote("\xe2\x80\xa8"), "\"\\u2028\"");         // line separator
  EXPECT_EQ(GoQuote("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");  // emoji is printable
  EXPECT_EQ(GoQuote("\xf3\xa0\x80\x81"), "\"\\U000e0001\"");  // language tag: not printable
  EXPECT_EQ(GoQuote("\xed\xa0\x80"), "\"\\xed\\xa0\\x80\"");  // surrogate half: invalid
  EXPECT_EQ(GoQuote("\xe6\x97"), "\"\\xe6\\x97\"");           // truncated sequence
  EXPECT_EQ(GoQuote("<script>"), "\"<script>\"");
}

TEST(GoDecodeRune, RejectsOverlongEncodings) {
  int w = 0;
  EXPECT_EQ(GoDecodeRune("\xc0\x80", &w), 0xFFFDu);
  EXPECT_EQ(w, 1);
  EXPECT_EQ(GoDecodeRune("\xe0\x80\x80", &w), 0xFFFDu);
  EXPECT_EQ(GoDecodeRune("\xf4\x90\x80\x80", &w), 0xFFFDu);  // above U+10FFFF
  EXPECT_EQ(GoDecodeRune("\xef\xbf\xbd", &w), 0xFFFDu);      // a real U+FFFD
  EXPECT_EQ(w, 3);
}

TEST(GoIsPrint, Basics) {
  EXPECT_TRUE(GoIsPrint(' '));
  EXPECT_FALSE(GoIsPrint('\n'));
  EXPECT_FALSE(GoIsPrint(0xAD));  // soft hyphen
  EXPECT_TRUE(GoIsPrint(0xFFFD));
  EXPECT_FALSE(GoIsPrint(0x10FFFF));
}

TEST(GoUnquote, Escapes) {
  std::string out;
  ASSERT_TRUE(GoUnquote("\"\\x00\\u00e9\\101\\\"\"", &out));
  EXPECT_EQ(out, std::string("\0\xc3\xa9" "A\"", 5));
  EXPECT_FALSE(GoUnquote("\"unterminated", &out));
  EXPECT_FALSE(GoUnquote("\"bad \\q escape\"", &out));
  ASSERT_TRUE(GoUnquote("`raw \\n`", &out));
  EXPECT_EQ(out, "raw \\n");
}

TEST(GoUnquote, RoundTripsGoQuote) {
  std::string out;
  for (std::string_view s : {std::string_view("a\"b\\c\n\t"), std::string_view("\xff\xfe<script>", 10),
                             std::string_view("\xe6\x97\xa5\xc2\xa0", 5), std::string_view("\0x", 2)}) {
    ASSERT_TRUE(GoUnquote(GoQuote(s), &out)) << GoQuote(s);
    EXPECT_EQ(out, s);
  }
}

}  // namespace
}  // namespace cancelflow
