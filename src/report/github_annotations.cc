#include "report/github_annotations.h"

#include <fmt/format.h>

#include "base/inert_text.h"

#include "report/text.h"

namespace cancelflow::report {

std::string EscapeAnnotationData(std::string_view in) {
  // Line by line: the caller's own line breaks become %0A, everything else in
  // a line is made inert first (no raw control byte reaches the log).
  std::string out;
  for (const char c : InertLines(in)) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      default: out += c;
    }
  }
  return out;
}

std::string EscapeAnnotationProperty(std::string_view in) {
  std::string out;
  for (const char c : EscapeAnnotationData(InertText(in))) {
    switch (c) {
      case ':': out += "%3A"; break;
      case ',': out += "%2C"; break;
      default: out += c;
    }
  }
  return out;
}

std::string WriteGitHubAnnotations(const CheckResult& result) {
  std::string out;
  for (const auto& t : result.traces) {
    const Analysis& a = t.analysis;
    for (const auto& cf : t.findings) {
      if (cf.suppressed) continue;
      const Finding& f = a.findings[cf.index];
      const char* cmd = f.severity == Severity::kError ? "error"
                        : f.severity == Severity::kWarning ? "warning"
                                                            : "notice";
      std::string props;
      if (!cf.primary.file.empty()) {
        props += "file=" + EscapeAnnotationProperty(cf.primary.file);
        if (cf.primary.line > 0) props += fmt::format(",line={}", cf.primary.line);
        props += ",";
      }
      props += "title=" + EscapeAnnotationProperty(cf.title);
      // Trace strings are made inert one by one: the only line breaks in the
      // message are the ones joined here.
      std::string message = InertText(f.message);
      if (!f.test.empty()) message += " (test " + InertText(f.test) + ")";
      if (!f.hint.empty()) message += "\n" + InertText(f.hint);
      if (!cf.creation.empty() && !cf.block.empty()) message += "\ncreated at " + InertText(SiteString(cf.creation));
      out += fmt::format("::{} {}::{}\n", cmd, props, EscapeAnnotationData(message));
    }
  }
  return out;
}

}  // namespace cancelflow::report
