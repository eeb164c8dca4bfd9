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

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void AppendUtf8(char32_t r, std::string* out) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}


bool GoUnquote(std::string_view q, std::string* out) {
  out->clear();
  if (q.size() < 2) return false;
  const char quote = q.front();
  if (q.back() != quote) return false;
  q = q.substr(1, q.size() - 2);
  if (quote == '`') {
    if (q.find('`') != std::string_view::npos) return false;
    for (char c : q)
      if (c != '\r') out->push_back(c);
    return true;
  }
  if (quote != '"') return false;
  size_t i = 0;
  while (i < q.size()) {
    char c = q[i];
    if (c == '"' || c == '\n') return false;
    if (c != '\\') {
      out->push_back(c);
      ++i;
      continue;
    }
    if (++i >= q.size()) return false;
    char e = q[i++];
    switch (e) {
      case 'a': out->push_back('\a'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'v': out->push_back('\v'); break;
      case '\\': out->push_back('\\'); break;
      case '"': out->push_back('"'); break;
      case 'x':
      case 'u':
      case 'U': {
        const size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (i + n > q.size()) return false;
        uint32_t v = 0;
        for (size_t k = 0; k < n; ++k) {
          int h = HexValue(q[i + k]);
          if (h < 0) return false;
          v = v << 4 | static_cast<uint32_t>(h);
        }
        i += n;
        if (e == 'x') {
          out->push_back(static_cast<char>(v));
        } else {
          if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
          AppendUtf8(v, out);
        }
        break;
      }
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
        if (i + 2 > q.size()) return false;
        uint32_t v = static_cast<uint32_t>(e - '0');
        for (size_t k = 0; k < 2; ++k) {
          char d = q[i + k];
          if (d < '0' || d > '7') return false;
          v = v * 8 + static_cast<uint32_t>(d - '0');
        }
        if (v > 255) return false;
        i += 2;
        out->push_back(static_cast<char>(v));
        break;
      }
      default:
        return false;
    }
  }
  return true;
}


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
