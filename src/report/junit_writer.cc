#include "report/junit_writer.h"

#include <map>

#include <fmt/format.h>

#include "base/inert_text.h"

#include "report/text.h"

namespace cancelflow::report {

std::string XmlEscape(std::string_view in) {
  // Inert first (no control or bidi character reaches a CI log that prints
  // the report); only the writer's own line breaks stay.
  const std::string s = InertLines(in);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      case '\t': out += "&#9;"; break;
      default:
        if (c < 0x20) {
          out += "\xEF\xBF\xBD";  // not allowed in XML 1.0, even escaped
        } else if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBF &&
                   (static_cast<unsigned char>(s[i + 2]) == 0xBE || static_cast<unsigned char>(s[i + 2]) == 0xBF)) {
          out += "\xEF\xBF\xBD";  // U+FFFE / U+FFFF are not XML characters
          i += 2;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

namespace {

struct Case {
  std::string name;
  std::string result;  // Go result: pass, fail, skip, ""
  double seconds = 0;
  std::vector<const CheckedFinding*> failures;  // own failing findings
  std::vector<std::string> failed_subtests;
  std::vector<const CheckedFinding*> notes;  // non-failing findings
};

std::string Seconds(Time ns) { return fmt::format("{:.3f}", ns > 0 ? static_cast<double>(ns) / 1e9 : 0.0); }

}  // namespace

std::string WriteJUnit(const CheckResult& result) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  std::string suites;
  size_t all_tests = 0, all_failures = 0;
  for (const auto& t : result.traces) {
    const Analysis& a = t.analysis;
    std::vector<Case> cases;
    std::map<std::string, size_t> by_name;
    for (const auto& test : a.tests) {
      // Parents that did not call ctxtracetest.T themselves still get a case
      // (go test reports them), so subtest failures can reach them.
      for (size_t slash = test.name.find('/'); slash != std::string::npos; slash = test.name.find('/', slash + 1)) {
        std::string parent = test.name.substr(0, slash);
        if (by_name.count(parent)) continue;
        by_name[parent] = cases.size();
        Case c;
        c.name = std::move(parent);
        cases.push_back(std::move(c));
      }
      if (by_name.count(test.name)) continue;
      by_name[test.name] = cases.size();
      Case c;
      c.name = test.name;
      c.result = test.result;
      c.seconds = test.end > test.start && test.start >= 0 ? static_cast<double>(test.end - test.start) / 1e9 : 0;
      cases.push_back(std::move(c));
    }
    const std::string outside = "cancelflow: " + t.path;
    auto case_for = [&](const std::string& name) -> Case& {
      auto it = by_name.find(name);
      if (it != by_name.end()) return cases[it->second];
      by_name[name] = cases.size();
      Case c;
      c.name = name;
      cases.push_back(std::move(c));
      return cases.back();
    };
    // Always present, so a trace without findings still shows as one passing case.
    case_for(outside);
    for (const auto& cf : t.findings) {
      const Finding& f = a.findings[cf.index];
      const std::string& owner = f.test.empty() || !by_name.count(f.test) ? outside : f.test;
      Case& c = case_for(owner);
      (cf.fails ? c.failures : c.notes).push_back(&cf);
      if (!cf.fails || owner == outside) continue;
      // Like go test: the parents of a failing subtest fail too.
      for (size_t slash = owner.find('/'); slash != std::string::npos; slash = owner.find('/', slash + 1)) {
        auto it = by_name.find(owner.substr(0, slash));
        if (it == by_name.end()) continue;
        auto& subs = cases[it->second].failed_subtests;
        if (subs.empty() || subs.back() != owner) subs.push_back(owner);
      }
    }
    size_t failures = 0, skipped = 0;
    std::string body;
    const std::string classname = "cancelflow." + t.path;
    for (const auto& c : cases) {
      const bool failed = !c.failures.empty() || !c.failed_subtests.empty();
      failures += failed;
      body += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\">\n", XmlEscape(classname),
                          XmlEscape(c.name), c.seconds);
      if (failed) {
        std::string message, text;
        for (const CheckedFinding* cf : c.failures) {
          const Finding& f = a.findings[cf->index];
          if (message.empty()) message = fmt::format("{}: {}", RuleId(f.rule), InertText(f.message));
          text += FindingText(a, *cf);
        }
        for (const auto& sub : c.failed_subtests) {
          if (message.empty()) message = "subtest " + InertText(sub) + " has cancellation findings";
          text += "subtest " + InertText(sub) + " has cancellation findings\n";
        }
        if (c.failures.size() + c.failed_subtests.size() > 1) {
          message += fmt::format(" (and {} more)", c.failures.size() + c.failed_subtests.size() - 1);
        }
        const std::string type =
            c.failures.empty() ? "subtest" : std::string(RuleId(a.findings[c.failures.front()->index].rule));
        body += fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n", XmlEscape(message),
                            XmlEscape(type), XmlEscape(text));
      } else if (c.result == "skip") {
        ++skipped;
        body += "      <skipped/>\n";
      }
      if (!c.notes.empty()) {
        std::string text;
        for (const CheckedFinding* cf : c.notes) {
          text += cf->suppressed ? "[baseline] " : "[not gating] ";
          text += FindingText(a, *cf);
        }
        body += fmt::format("      <system-out>{}</system-out>\n", XmlEscape(text));
      }
      body += "    </testcase>\n";
    }
    all_tests += cases.size();
    all_failures += failures;
    suites += fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">\n",
        XmlEscape(t.path), cases.size(), failures, a.quality.partial ? 1 : 0, skipped,
        Seconds(a.quality.end - a.quality.start));
    if (a.quality.partial && a.quality.error) {
      suites += fmt::format("    <properties><property name=\"partial\" value=\"{}\"/></properties>\n",
                            XmlEscape(a.quality.error->ToString()));
    }
    suites += body;
    suites += "  </testsuite>\n";
  }
  out += fmt::format("<testsuites name=\"cancelflow\" tests=\"{}\" failures=\"{}\">\n", all_tests, all_failures);
  out += suites;
  out += "</testsuites>\n";
  return out;
}

}  // namespace cancelflow::report
