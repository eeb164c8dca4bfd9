// Splitting text into lines, for the line-oriented output of other programs
// (go list -f, go test -json).
#pragma once

#include <string_view>
#include <vector>

namespace cancelflow {

// The lines of `text` without their '\n'; a last line without one is
// included, an empty text has none. The views point into `text`.
inline std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < text.size();) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

}  // namespace cancelflow
