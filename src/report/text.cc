#include "report/text.h"

#include <fmt/format.h>

#include "base/inert_text.h"

namespace cancelflow::report {

std::string SiteString(const Site& s) {
  if (s.file.empty()) return s.func;
  return s.line > 0 ? fmt::format("{}:{}", s.file, s.line) : s.file;
}

std::string FindingText(const Analysis& a, const CheckedFinding& cf) {
  // Every string here may come from the trace: each is made inert on its own,
  // so the only line breaks are the ones written here.
  const Finding& f = a.findings[cf.index];
  std::string out = fmt::format("[{}] {}: {}\n", SeverityName(f.severity), RuleId(f.rule), InertText(f.message));
  if (!f.hint.empty()) out += fmt::format("  hint: {}\n", InertText(f.hint));
  if (!f.contexts.empty()) out += fmt::format("  contexts: {}\n", f.contexts.size());
  if (!f.goroutines.empty()) {
    out += fmt::format("  goroutines: {}", f.goroutines.size());
    const std::string_view start = a.Str(f.start_func);
    // Their entry function ("running" read as their state at the end, which
    // for most is blocked: the message says where they are).
    if (!start.empty()) out += fmt::format(" started at {}", InertText(start));
    out += "\n";
  }
  if (!cf.block.empty()) {
    const std::string_view reason = a.Str(f.block_reason);
    out += fmt::format("  blocked{}{} at {} ({})\n", reason.empty() ? "" : " on ", InertText(reason),
                       InertText(SiteString(cf.block)), InertText(cf.block.func));
  }
  if (!cf.creation.empty()) {
    out += fmt::format("  created at {} ({})\n", InertText(SiteString(cf.creation)), InertText(cf.creation.func));
  }
  if (!cf.tests.empty()) {
    out += cf.tests.size() == 1 ? "  test:" : "  tests:";
    for (size_t i = 0; i < cf.tests.size(); ++i) out += fmt::format("{} {}", i == 0 ? "" : ",", InertText(cf.tests[i]));
    out += "\n";
  }
  out += fmt::format("  fingerprint: {}\n", InertText(cf.fingerprint));
  return out;
}

}  // namespace cancelflow::report
