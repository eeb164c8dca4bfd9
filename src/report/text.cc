#include "report/text.h"

#include <fmt/format.h>

#include "base/inert_text.h"

namespace cancelflow::report {

std::string SiteString(const Site& s) {
  if (s.file.empty()) return s.func;
  return s.line > 0 ? fmt::format("{}:{}", s.file, s.line) : s.file;
}

std::string GoDuration(Time ns) {
  if (ns == 0) return "0s";
  struct Unit {
    Time ns;
    const char* name;
  };
  for (const Unit u : {Unit{1'000'000'000, "s"}, Unit{1'000'000, "ms"}, Unit{1'000, "us"}}) {
    if (ns >= u.ns) return fmt::format("{}{}", static_cast<double>(ns) / static_cast<double>(u.ns), u.name);
  }
  return fmt::format("{}ns", ns);
}

std::string OptionsSummary(const AnalysisOptions& o) {
  std::string out = fmt::format("grace {}, slow-cancel {}, late-deadline {}, scope {}", GoDuration(o.grace_ns),
                                GoDuration(o.slow_cancel_ns), GoDuration(o.late_deadline_ns),
                                o.scope ? std::string(TraceScopeName(*o.scope)) : std::string("from the trace"));
  out += o.config_file.empty() ? "; no config file" : "; config " + InertText(o.config_file);
  if (!o.set_by_flags.empty()) {
    out += "; set by flags:";
    for (size_t i = 0; i < o.set_by_flags.size(); ++i) out += (i ? ", " : " ") + o.set_by_flags[i];
  }
  std::string off;
  for (int r = 0; r < static_cast<int>(Rule::kCount); ++r) {
    if (!o.rule_enabled[r]) off += std::string(off.empty() ? "" : ", ") + std::string(RuleId(static_cast<Rule>(r)));
  }
  if (!off.empty()) out += "; rules off: " + off;
  if (o.leak_profile) out += "; leak profile " + InertText(o.leak_profile->path);
  return out;
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
    if (!start.empty()) out += fmt::format(" running {}", InertText(start));
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
  if (!f.test.empty()) out += fmt::format("  test: {}\n", InertText(f.test));
  if (!f.evidence.empty()) out += fmt::format("  evidence ({}): {}\n", CertaintyName(f.certainty), InertText(f.evidence));
  out += fmt::format("  fingerprint: {}\n", InertText(cf.fingerprint));
  return out;
}

}  // namespace cancelflow::report
