#include "report/bounds.h"

#include <fmt/format.h>

namespace cancelflow::report {

std::string CapsHitLine(const CapsRecord& record) {
  if (!record.Hit()) return {};
  std::string line = "; caps hit: ";
  for (size_t i = 0; i < record.caps.size(); ++i) {
    line += fmt::format("{}{} {}", i == 0 ? "" : ", ", record.caps[i].count, record.caps[i].what);
  }
  return line;
}

}  // namespace cancelflow::report
