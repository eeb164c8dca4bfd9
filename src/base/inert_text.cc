#include "base/inert_text.h"

#include "base/go_quote.h"

namespace cancelflow {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendHex(uint32_t v, int digits, std::string* out) {
  for (int k = digits - 1; k >= 0; --k) out->push_back(kHex[(v >> (4 * k)) & 0xF]);
}

// Whether the rune r, decoded from `width` bytes, passes unchanged. GoDecodeRune
// reports invalid bytes as (U+FFFD, 1); a real U+FFFD is three bytes wide.
bool Passes(char32_t r, int width) {
  if (r == 0xFFFD && width == 1) return false;
  if (r < 0x80) return r >= 0x20 && r < 0x7F;
  return GoIsPrint(r);
}

}  // namespace

bool IsInertText(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {  // fast path: printable ASCII
      if (c < 0x20 || c == 0x7F) return false;
      ++i;
      continue;
    }
    int width = 1;
    const char32_t r = GoDecodeRune(s.substr(i), &width);
    if (!Passes(r, width)) return false;
    i += static_cast<size_t>(width);
  }
  return true;
}

void AppendInertText(std::string_view s, std::string* out) {
  if (IsInertText(s)) {
    out->append(s);
    return;
  }
  for (size_t i = 0; i < s.size();) {
    int width = 1;
    const char32_t r = GoDecodeRune(s.substr(i), &width);
    const auto n = static_cast<size_t>(width);
    if (Passes(r, width)) {
      out->append(s.substr(i, n));
    } else if (r == 0xFFFD && width == 1) {
      out->append("\\x");
      AppendHex(static_cast<unsigned char>(s[i]), 2, out);
    } else if (r == '\n') {
      out->append("\\n");
    } else if (r == '\r') {
      out->append("\\r");
    } else if (r == '\t') {
      out->append("\\t");
    } else if (r < 0x80) {
      out->append("\\x");
      AppendHex(static_cast<uint32_t>(r), 2, out);
    } else if (r < 0x10000) {
      out->append("\\u");
      AppendHex(static_cast<uint32_t>(r), 4, out);
    } else {
      out->append("\\U");
      AppendHex(static_cast<uint32_t>(r), 8, out);
    }
    i += n;
  }
}

std::string InertText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  AppendInertText(s, &out);
  return out;
}

std::string InertLines(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t start = 0;;) {
    const size_t nl = s.find('\n', start);
    if (nl == std::string_view::npos) {
      AppendInertText(s.substr(start), &out);
      return out;
    }
    AppendInertText(s.substr(start, nl - start), &out);
    out.push_back('\n');
    start = nl + 1;
  }
}

}  // namespace cancelflow
