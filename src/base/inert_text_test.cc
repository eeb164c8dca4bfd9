#include "base/inert_text.h"

#include <gtest/gtest.h>

namespace cancelflow {
namespace {

// The bytes no inert text may hold: C0 controls, DEL, C1 controls (as UTF-8),
// bidi controls and line/paragraph separators.
bool HasDangerousBytes(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xA0) return true;
    if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80) {
      const auto d = static_cast<unsigned char>(s[i + 2]);
      if ((d >= 0xA8 && d <= 0xAE) || d == 0x8E || d == 0x8F) return true;
    }
    if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x81) {
      const auto d = static_cast<unsigned char>(s[i + 2]);
      if (d >= 0xA6 && d <= 0xA9) return true;
    }
  }
  return false;
}

TEST(InertText, PrintableTextIsUnchanged) {
  for (std::string_view s : {"", "main.worker", "github.com/x/y.(*T).Run.func1", "/src/a b/c.go",
                             "TestX/sub_case#01", "quote \" backslash \\ ok", "héllo 世界 🙂", "\xEF\xBF\xBD"}) {
    EXPECT_EQ(InertText(s), s);
    EXPECT_TRUE(IsInertText(s));
  }
}

TEST(InertText, LineBreaksAndControls) {
  EXPECT_EQ(InertText("a\nb\r\nc\td"), "a\\nb\\r\\nc\\td");
  EXPECT_EQ(InertText("x\n::error file=x::pwned"), "x\\n::error file=x::pwned");
  EXPECT_EQ(InertText(std::string_view("nul\0bel\a", 8)), "nul\\x00bel\\x07");
  EXPECT_EQ(InertText("\x1b[2J\x1b]0;pwned\x07"), "\\x1b[2J\\x1b]0;pwned\\x07");
  EXPECT_EQ(InertText("del\x7f"), "del\\x7f");
  EXPECT_EQ(InertText("c1\xC2\x9B" "2J"), "c1\\u009b2J");  // CSI as a C1 control
  EXPECT_EQ(InertText("nel\xC2\x85"), "nel\\u0085");
}

TEST(InertText, BidiAndSeparators) {
  EXPECT_EQ(InertText("a\u202Eb"), "a\\u202eb");
  EXPECT_EQ(InertText("\u202A\u202B\u202C\u202D"), "\\u202a\\u202b\\u202c\\u202d");
  EXPECT_EQ(InertText("\u2066\u2067\u2068\u2069"), "\\u2066\\u2067\\u2068\\u2069");
  EXPECT_EQ(InertText("\u200E\u200F\u061C"), "\\u200e\\u200f\\u061c");
  EXPECT_EQ(InertText("l\u2028p\u2029"), "l\\u2028p\\u2029");
  EXPECT_EQ(InertText("\U000F0000"), "\\U000f0000");  // private use
}

TEST(InertText, InvalidUtf8BytewiseHex) {
  EXPECT_EQ(InertText("bad \xff\xfe end"), "bad \\xff\\xfe end");
  EXPECT_EQ(InertText("trunc \xE2\x80"), "trunc \\xe2\\x80");
  EXPECT_EQ(InertText("overlong \xC0\xAF"), "overlong \\xc0\\xaf");
  EXPECT_EQ(InertText("surrogate \xED\xA0\x80"), "surrogate \\xed\\xa0\\x80");
  EXPECT_FALSE(IsInertText("\xff"));
}

TEST(InertText, InertLinesKeepsOnlyNewlines) {
  EXPECT_EQ(InertLines("a\x1b[2J\nb\r\n\nc\u202e"), "a\\x1b[2J\nb\\r\n\nc\\u202e");
  EXPECT_EQ(InertLines("\n"), "\n");
  EXPECT_EQ(InertLines(""), "");
}

TEST(InertText, EveryByteStringBecomesSafe) {
  // All two-byte strings and a sweep of three-byte prefixes: the output is
  // always valid UTF-8 without dangerous bytes, and inert text is a fixed point.
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const char raw[3] = {static_cast<char>(a), static_cast<char>(b), static_cast<char>(0x80 | (a ^ b) % 64)};
      for (size_t n : {size_t{2}, size_t{3}}) {
        const std::string out = InertText(std::string_view(raw, n));
        ASSERT_FALSE(HasDangerousBytes(out)) << a << " " << b;
        ASSERT_TRUE(IsInertText(out)) << a << " " << b;
        ASSERT_EQ(InertText(out), out);
      }
    }
  }
}

}  // namespace
}  // namespace cancelflow
