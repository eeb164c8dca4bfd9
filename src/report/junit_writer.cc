#include "report/junit_writer.h"

#include <algorithm>
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
  std::string go_output;  // go test's output of a failed test
  std::vector<const CheckedFinding*> failures;  // own failing findings
  std::vector<std::string> failed_subtests;
  std::vector<const CheckedFinding*> notes;  // non-failing findings
};

std::string Seconds(Time ns) { return fmt::format("{:.3f}", ns > 0 ? static_cast<double>(ns) / 1e9 : 0.0); }

// The testcases of one package: go test's own results when known, else the
// ctxtracetest marks and the tests findings were attributed to (with parents
// that did not call ctxtracetest.T themselves, since go test reports them).
std::vector<Case> GoCases(const CheckedTrace& t, std::map<std::string, size_t>& by_name) {
  std::vector<Case> cases;
  auto add = [&](Case c) {
    if (by_name.count(c.name)) return;
    by_name[c.name] = cases.size();
    cases.push_back(std::move(c));
  };
  for (const auto& g : t.go_tests) add(Case{g.name, g.result, g.seconds, g.result == "fail" ? g.output : "", {}, {}, {}});
  if (!t.go_tests.empty()) return cases;
  auto add_parents = [&](const std::string& name) {
    for (size_t slash = name.find('/'); slash != std::string::npos; slash = name.find('/', slash + 1)) {
      add(Case{name.substr(0, slash), "", 0, "", {}, {}, {}});
    }
  };
  for (const auto& test : t.analysis.tests) {
    add_parents(test.name);
    add(Case{test.name, test.result,
             test.end > test.start && test.start >= 0 ? static_cast<double>(test.end - test.start) / 1e9 : 0, "", {}, {}, {}});
  }
  for (const auto& cf : t.findings) {
    for (const auto& name : cf.tests) {
      add_parents(name);
      add(Case{name, "", 0, "", {}, {}, {}});
    }
  }
  return cases;
}

}  // namespace

// The testcase of findings that belong to no test of the package.
const char kPackageCase[] = "cancelflow";

std::string WriteJUnit(const CheckResult& result) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  std::string suites;
  size_t all_tests = 0, all_failures = 0;
  for (const auto& t : result.traces) {
    const Analysis& a = t.analysis;
    std::map<std::string, size_t> by_name;
    std::vector<Case> cases = GoCases(t, by_name);
    for (const auto& cf : t.findings) {
      std::vector<std::string> owners;
      for (const auto& test : cf.tests) {
        if (by_name.count(test)) owners.push_back(test);
      }
      const bool owned = !owners.empty();
      if (!owned) owners.push_back(kPackageCase);
      for (const auto& owner : owners) {
        if (!by_name.count(owner)) {
          by_name[owner] = cases.size();
          cases.push_back(Case{owner, "", 0, "", {}, {}, {}});
        }
        Case& c = cases[by_name[owner]];
        (cf.fails ? c.failures : c.notes).push_back(&cf);
        if (!cf.fails || !owned) continue;
        // Like go test: the parents of a failing subtest fail too.
        for (size_t slash = owner.find('/'); slash != std::string::npos; slash = owner.find('/', slash + 1)) {
          auto it = by_name.find(owner.substr(0, slash));
          if (it == by_name.end()) continue;
          auto& subs = cases[it->second].failed_subtests;
          if (std::find(subs.begin(), subs.end(), owner) == subs.end()) subs.push_back(owner);
        }
      }
    }
    size_t failures = 0, skipped = 0;
    std::string body;
    const std::string& suite = t.package.empty() ? t.path : t.package;
    for (const auto& c : cases) {
      const bool go_failed = c.result == "fail";
      const bool failed = go_failed || !c.failures.empty() || !c.failed_subtests.empty();
      failures += failed;
      body += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\">\n", XmlEscape(suite),
                          XmlEscape(c.name), c.seconds);
      if (failed) {
        std::string message, text;
        size_t reasons = 0;
        if (go_failed) {
          message = "test failed";
          text = c.go_output;
          ++reasons;
        }
        for (const CheckedFinding* cf : c.failures) {
          const Finding& f = a.findings[cf->index];
          if (message.empty()) message = fmt::format("{}: {}", RuleId(f.rule), InertText(f.message));
          text += FindingText(a, *cf);
          ++reasons;
        }
        for (const auto& sub : c.failed_subtests) {
          if (message.empty()) message = "subtest " + InertText(sub) + " has cancellation findings";
          text += "subtest " + InertText(sub) + " has cancellation findings\n";
          ++reasons;
        }
        if (reasons > 1) message += fmt::format(" (and {} more)", reasons - 1);
        const std::string type = go_failed            ? "go test"
                                 : c.failures.empty() ? "subtest"
                                                      : std::string(RuleId(a.findings[c.failures.front()->index].rule));
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
        XmlEscape(suite), cases.size(), failures, a.quality.partial ? 1 : 0, skipped,
        Seconds(a.quality.end - a.quality.start));
    suites += fmt::format("    <properties><property name=\"trace\" value=\"{}\"/>", XmlEscape(t.path));
    if (a.quality.partial && a.quality.error) {
      suites += fmt::format("<property name=\"partial\" value=\"{}\"/>", XmlEscape(a.quality.error->ToString()));
    }
    suites += "</properties>\n";
    suites += body;
    suites += "  </testsuite>\n";
  }
  out += fmt::format("<testsuites name=\"cancelflow\" tests=\"{}\" failures=\"{}\">\n", all_tests, all_failures);
  out += suites;
  out += "</testsuites>\n";
  return out;
}

}  // namespace cancelflow::report
