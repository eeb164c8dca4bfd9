#include "report/metrics_writer.h"

#include <array>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "base/inert_text.h"
#include "report/text.h"

namespace cancelflow::report {

std::string MetricsLabelEscape(std::string_view in) {
  // Inert first (the shared escaping of trace strings), then the exposition
  // format's own escapes.
  const std::string s = InertText(in);
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// Bucket bounds of the response histogram, in seconds.
constexpr std::array<double, 12> kBuckets = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025,
                                             0.05,   0.1,    0.25,  0.5,   1,    5};

struct Histogram {
  std::array<uint64_t, kBuckets.size()> le{};
  uint64_t count = 0;
  double sum = 0;
  void Add(double seconds) {
    for (size_t i = 0; i < kBuckets.size(); ++i) le[i] += seconds <= kBuckets[i];
    ++count;
    sum += seconds;
  }
};

std::string Labels(std::initializer_list<std::pair<std::string_view, std::string_view>> kv) {
  std::string out = "{";
  for (const auto& [k, v] : kv) out += fmt::format("{}{}=\"{}\"", out.size() > 1 ? "," : "", k, MetricsLabelEscape(v));
  return out + "}";
}

std::string TestOf(const Analysis& a, GoId g) {
  const GoroutineInfo* info = a.Goroutine(g);
  return info == nullptr ? "" : info->test;
}

}  // namespace

std::string WriteOpenMetrics(const CheckResult& result, const MetricsRunInfo& run) {
  using Key2 = std::pair<std::string, std::string>;
  std::map<std::tuple<std::string, std::string, std::string, std::string, bool>, uint64_t> findings;
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> cancels;
  std::map<Key2, Histogram> response;
  std::map<Key2, uint64_t> tests;
  std::map<Key2, std::set<std::string>> tests_with;  // (package, rule) -> tests with such a finding
  for (const auto& t : result.traces) {
    const Analysis& a = t.analysis;
    const std::string& pkg = t.package.empty() ? t.path : t.package;
    for (const auto& cf : t.findings) {
      const Finding& f = a.findings[cf.index];
      // A finding seen in several tests counts once per test.
      for (const auto& test : cf.tests.empty() ? std::vector<std::string>{""} : cf.tests) {
        ++findings[{pkg, test, std::string(RuleId(f.rule)), std::string(SeverityName(f.severity)), cf.fails}];
        if (!test.empty()) tests_with[{pkg, std::string(RuleId(f.rule))}].insert(test);
      }
    }
    for (const auto& c : a.cancellations) {
      ++cancels[{pkg, TestOf(a, c.canceler), std::string(CancelKindName(c.kind))}];
      for (const auto& w : c.woken) {
        if (w.stopped < 0 || c.time < 0 || w.stopped < c.time) continue;
        response[{pkg, TestOf(a, w.goroutine)}].Add(static_cast<double>(w.stopped - c.time) / 1e9);
      }
    }
    for (const auto& g : t.go_tests) ++tests[{pkg, g.result.empty() ? "unknown" : g.result}];
  }

  std::string out;
  out += "# TYPE cancelflow_findings gauge\n# HELP cancelflow_findings Cancellation findings of this run.\n";
  for (const auto& [k, n] : findings) {
    const auto& [pkg, test, rule, severity, gating] = k;
    out += fmt::format("cancelflow_findings{} {}\n",
                       Labels({{"package", pkg}, {"test", test}, {"rule", rule}, {"severity", severity},
                               {"gating", gating ? "true" : "false"}}),
                       n);
  }
  out += "# TYPE cancelflow_failing_findings gauge\n"
         "# HELP cancelflow_failing_findings Findings that fail the gate (severity at or above fail_on, not baselined).\n";
  out += fmt::format("cancelflow_failing_findings {}\n", result.failing);
  out += "# TYPE cancelflow_cancellations gauge\n# HELP cancelflow_cancellations Context cancellations seen in the traces.\n";
  for (const auto& [k, n] : cancels) {
    const auto& [pkg, test, kind] = k;
    out += fmt::format("cancelflow_cancellations{} {}\n", Labels({{"package", pkg}, {"test", test}, {"kind", kind}}), n);
  }
  out += "# TYPE cancelflow_cancel_response_seconds histogram\n"
         "# UNIT cancelflow_cancel_response_seconds seconds\n"
         "# HELP cancelflow_cancel_response_seconds From a cancel to each woken goroutine's exit or next block.\n";
  for (const auto& [k, h] : response) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out += fmt::format("cancelflow_cancel_response_seconds_bucket{} {}\n",
                         Labels({{"package", k.first}, {"test", k.second}, {"le", fmt::format("{}", kBuckets[i])}}),
                         h.le[i]);
    }
    out += fmt::format("cancelflow_cancel_response_seconds_bucket{} {}\n",
                       Labels({{"package", k.first}, {"test", k.second}, {"le", "+Inf"}}), h.count);
    out += fmt::format("cancelflow_cancel_response_seconds_sum{} {}\n",
                       Labels({{"package", k.first}, {"test", k.second}}), h.sum);
    out += fmt::format("cancelflow_cancel_response_seconds_count{} {}\n",
                       Labels({{"package", k.first}, {"test", k.second}}), h.count);
  }
  if (!tests.empty()) {
    out += "# TYPE cancelflow_tests gauge\n# HELP cancelflow_tests Go tests of this run by result.\n";
    for (const auto& [k, n] : tests) {
      out += fmt::format("cancelflow_tests{} {}\n", Labels({{"package", k.first}, {"result", k.second}}), n);
    }
  }
  if (!tests_with.empty()) {
    out += "# TYPE cancelflow_tests_with_findings gauge\n"
           "# HELP cancelflow_tests_with_findings Go tests with at least one finding of the rule.\n";
    for (const auto& [k, names] : tests_with) {
      out += fmt::format("cancelflow_tests_with_findings{} {}\n", Labels({{"package", k.first}, {"rule", k.second}}),
                         names.size());
    }
  }
  if (!run.version.empty()) {
    out += "# TYPE cancelflow_build_info gauge\n# HELP cancelflow_build_info The cancelflow version that wrote these metrics.\n";
    out += fmt::format("cancelflow_build_info{} 1\n", Labels({{"version", run.version}}));
  }
  if (run.unix_seconds >= 0) {
    out += "# TYPE cancelflow_run_timestamp_seconds gauge\n"
           "# UNIT cancelflow_run_timestamp_seconds seconds\n"
           "# HELP cancelflow_run_timestamp_seconds When this run wrote its metrics (Unix time).\n";
    out += fmt::format("cancelflow_run_timestamp_seconds {:.3f}\n", run.unix_seconds);
  }
  out += "# EOF\n";
  return out;
}

}  // namespace cancelflow::report
