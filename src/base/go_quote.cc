#include "base/go_quote.h"

#include <algorithm>
#include <array>

namespace cancelflow {
namespace {

struct RuneRange {
  uint32_t lo, hi;
};

constexpr RuneRange kPrintRanges[] = {
#include "base/go_isprint_table.inc"
};

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

char32_t GoDecodeRune(std::string_view s, int* width) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const size_t n = s.size();
  const uint8_t b0 = p[0];
  *width = 1;
  if (b0 < 0x80) return b0;
  // Lower and upper bounds of the second byte, per Go's utf8 acceptRanges.
  uint8_t lo = 0x80, hi = 0xBF;
  int size;
  char32_t r;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    size = 2;
    r = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    size = 3;
    r = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    size = 4;
    r = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0xFFFD;
  }
  if (n < static_cast<size_t>(size)) {
    // Go reports (RuneError, 1) for a short sequence.
    return 0xFFFD;
  }
  if (p[1] < lo || p[1] > hi) return 0xFFFD;
  r = (r << 6) | (p[1] & 0x3F);
  for (int i = 2; i < size; ++i) {
    if (p[i] < 0x80 || p[i] > 0xBF) return 0xFFFD;
    r = (r << 6) | (p[i] & 0x3F);
  }
  *width = size;
  return r;
}

bool GoIsPrint(char32_t r) {
  if (r < 0x80) return r >= 0x20 && r < 0x7F;
  const auto* end = std::end(kPrintRanges);
  const auto* it = std::upper_bound(std::begin(kPrintRanges), end, static_cast<uint32_t>(r),
                                    [](uint32_t v, const RuneRange& rr) { return v < rr.lo; });
  if (it == std::begin(kPrintRanges)) return false;
  --it;
  return r <= it->hi;
}

void AppendGoQuote(std::string_view s, std::string* out) {
  out->push_back('"');
  while (!s.empty()) {
    const auto c = static_cast<uint8_t>(s[0]);
    // Fast path: printable ASCII other than quote and backslash.
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      out->push_back(static_cast<char>(c));
      s.remove_prefix(1);
      continue;
    }
    int width = 1;
    char32_t r = GoDecodeRune(s, &width);
    if (width == 1 && r == 0xFFFD) {
      out->append("\\x");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 0xF]);
      s.remove_prefix(1);
      continue;
    }
    if (r == '"' || r == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(r));
    } else if (GoIsPrint(r)) {
      out->append(s.substr(0, static_cast<size_t>(width)));
    } else {
      switch (r) {
        case '\a': out->append("\\a"); break;
        case '\b': out->append("\\b"); break;
        case '\f': out->append("\\f"); break;
        case '\n': out->append("\\n"); break;
        case '\r': out->append("\\r"); break;
        case '\t': out->append("\\t"); break;
        case '\v': out->append("\\v"); break;
        default:
          if (r < ' ' || r == 0x7F) {
            out->append("\\x");
            out->push_back(kHex[(r >> 4) & 0xF]);
            out->push_back(kHex[r & 0xF]);
          } else if (r < 0x10000) {
            out->append("\\u");
            for (int shift = 12; shift >= 0; shift -= 4) out->push_back(kHex[(r >> shift) & 0xF]);
          } else {
            out->append("\\U");
            for (int shift = 28; shift >= 0; shift -= 4) out->push_back(kHex[(r >> shift) & 0xF]);
          }
      }
    }
    s.remove_prefix(static_cast<size_t>(width));
  }
  out->push_back('"');
}

std::string GoQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  AppendGoQuote(s, &out);
  return out;
}

}  // namespace cancelflow
