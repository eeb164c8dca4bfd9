#include "report/text.h"

#include <fmt/format.h>

namespace cancelflow::report {

std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    uint32_t min = 0;
    if (c < 0x80) len = 1;
    else if ((c & 0xE0) == 0xC0) len = 2, min = 0x80;
    else if ((c & 0xF0) == 0xE0) len = 3, min = 0x800;
    else if ((c & 0xF8) == 0xF0) len = 4, min = 0x10000;
    bool ok = len > 0 && i + len <= s.size();
    uint32_t cp = len == 1 ? c : (c & (0x7Fu >> len));
    for (size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if (ok && len > 1 && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::string SiteString(const Site& s) {
  if (s.file.empty()) return s.func;
  return s.line > 0 ? fmt::format("{}:{}", s.file, s.line) : s.file;
}

std::string FindingText(const Analysis& a, const CheckedFinding& cf) {
  const Finding& f = a.findings[cf.index];
  std::string out = fmt::format("[{}] {}: {}\n", SeverityName(f.severity), RuleId(f.rule), f.message);
  if (!f.hint.empty()) out += fmt::format("  hint: {}\n", f.hint);
  if (!f.contexts.empty()) out += fmt::format("  contexts: {}\n", f.contexts.size());
  if (!f.goroutines.empty()) {
    out += fmt::format("  goroutines: {}", f.goroutines.size());
    const std::string_view start = a.Str(f.start_func);
    if (!start.empty()) out += fmt::format(" running {}", start);
    out += "\n";
  }
  if (!cf.block.empty()) {
    const std::string_view reason = a.Str(f.block_reason);
    out += fmt::format("  blocked{}{} at {} ({})\n", reason.empty() ? "" : " on ", reason, SiteString(cf.block),
                       cf.block.func);
  }
  if (!cf.creation.empty()) {
    out += fmt::format("  created at {} ({})\n", SiteString(cf.creation), cf.creation.func);
  }
  if (!f.test.empty()) out += fmt::format("  test: {}\n", f.test);
  out += fmt::format("  fingerprint: {}\n", cf.fingerprint);
  return ValidUtf8(out);
}

}  // namespace cancelflow::report
