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

void ResponseHistogram::Add(double seconds) {
  for (size_t i = 0; i < kResponseBuckets.size(); ++i) le[i] += seconds <= kResponseBuckets[i];
  ++count;
  sum += seconds;
}

namespace {

std::string Labels(std::initializer_list<std::pair<std::string_view, std::string_view>> kv) {
  std::string out = "{";
  for (const auto& [k, v] : kv) out += fmt::format("{}{}=\"{}\"", out.size() > 1 ? "," : "", k, MetricsLabelEscape(v));
  return out + "}";
}

using LabelList = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// The _bucket, _sum and _count samples of one histogram series.
void AppendHistogram(std::string& out, std::string_view name, LabelList labels, const ResponseHistogram& h) {
  auto with_le = [&](std::string_view le) {
    std::vector<std::pair<std::string_view, std::string_view>> kv(labels);
    kv.emplace_back("le", le);
    std::string l = "{";
    for (const auto& [k, v] : kv) l += fmt::format("{}{}=\"{}\"", l.size() > 1 ? "," : "", k, MetricsLabelEscape(v));
    return l + "}";
  };
  for (size_t i = 0; i < kResponseBuckets.size(); ++i) {
    out += fmt::format("{}_bucket{} {}\n", name, with_le(fmt::format("{}", kResponseBuckets[i])), h.le[i]);
  }
  out += fmt::format("{}_bucket{} {}\n", name, with_le("+Inf"), h.count);
  out += fmt::format("{}_sum{} {}\n", name, Labels(labels), h.sum);
  out += fmt::format("{}_count{} {}\n", name, Labels(labels), h.count);
}

// cancelflow_build_info, cancelflow_run_timestamp_seconds and "# EOF".
void AppendRunInfo(std::string& out, const MetricsRunInfo& run) {
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
  std::map<Key2, ResponseHistogram> response;
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
    for (const auto& c : a.cancellations) ++cancels[{pkg, TestOf(a, c.canceler), std::string(CancelKindName(c.kind))}];
    ForEachCancelResponse(a, [&](const Cancellation&, const WokenGoroutine& w, double seconds) {
      response[{pkg, TestOf(a, w.goroutine)}].Add(seconds);
    });
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
    AppendHistogram(out, "cancelflow_cancel_response_seconds", {{"package", k.first}, {"test", k.second}}, h);
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
  AppendRunInfo(out, run);
  return out;
}

uint64_t UpdateWatchTarget(WatchMetrics& m, size_t index, const CheckResult& result) {
  WatchTargetState& t = m.targets.at(index);
  t.findings.clear();
  t.leak_profile = false;
  size_t others = 0;  // series of the other targets, against the cap
  for (size_t i = 0; i < m.targets.size(); ++i)
    if (i != index) others += m.targets[i].findings.size();
  std::map<std::tuple<std::string, std::string, std::string, std::string>, WatchFindingSeries> series;
  for (const auto& tr : result.traces) {
    const Analysis& a = tr.analysis;
    t.leak_profile = t.leak_profile || a.quality.leak_profile.present;
    for (const auto& cf : tr.findings) {
      const Finding& f = a.findings[cf.index];
      const std::string rule(RuleId(f.rule)), severity(SeverityName(f.severity)), certainty(CertaintyName(f.certainty));
      WatchFindingSeries& s = series[{rule, cf.fingerprint, severity, certainty}];
      s.rule = rule;
      s.severity = severity;
      s.certainty = certainty;
      s.fingerprint = cf.fingerprint;
      ++s.findings;
      s.goroutines += f.goroutines.size();
    }
    ForEachCancelResponse(a, [&](const Cancellation&, const WokenGoroutine&, double seconds) {
      m.response_by_service[t.service].Add(seconds);
    });
  }
  uint64_t dropped = 0;
  for (auto& [k, s] : series) {
    if (others + t.findings.size() >= m.max_finding_series) {
      ++dropped;
      continue;
    }
    t.findings.push_back(std::move(s));
  }
  m.finding_series_dropped = dropped;
  return dropped;
}

std::string WriteWatchMetrics(const WatchMetrics& m, const MetricsRunInfo& run) {
  std::string out;
  auto target = [](const WatchTargetState& t) { return Labels({{"service", t.service}, {"instance", t.instance}}); };
  out += "# TYPE cancelflow_watch_findings gauge\n"
         "# HELP cancelflow_watch_findings Findings of the target's latest successful round, by rule and fingerprint.\n";
  size_t kept = 0;
  for (const auto& t : m.targets) {
    for (const auto& f : t.findings) {
      ++kept;
      out += fmt::format("cancelflow_watch_findings{} {}\n",
                         Labels({{"service", t.service}, {"instance", t.instance}, {"rule", f.rule}, {"severity", f.severity},
                                 {"certainty", f.certainty}, {"fingerprint", f.fingerprint}}),
                         f.findings);
    }
  }
  out += "# TYPE cancelflow_watch_finding_goroutines gauge\n"
         "# HELP cancelflow_watch_finding_goroutines Goroutines named by the findings of the target's latest successful round.\n";
  for (const auto& t : m.targets) {
    for (const auto& f : t.findings) {
      out += fmt::format("cancelflow_watch_finding_goroutines{} {}\n",
                         Labels({{"service", t.service}, {"instance", t.instance}, {"rule", f.rule}, {"fingerprint", f.fingerprint}}),
                         f.goroutines);
    }
  }
  out += "# TYPE cancelflow_watch_finding_series gauge\n"
         "# HELP cancelflow_watch_finding_series Finding series kept, and dropped by the cap on series (--max-series).\n";
  out += fmt::format("cancelflow_watch_finding_series{{state=\"kept\"}} {}\n", kept);
  out += fmt::format("cancelflow_watch_finding_series{{state=\"dropped\"}} {}\n", m.finding_series_dropped);
  out += "# TYPE cancelflow_watch_up gauge\n# HELP cancelflow_watch_up 1 if the target's latest round succeeded.\n";
  for (const auto& t : m.targets) out += fmt::format("cancelflow_watch_up{} {}\n", target(t), t.up ? 1 : 0);
  out += "# TYPE cancelflow_watch_leak_profile gauge\n"
         "# HELP cancelflow_watch_leak_profile 1 if the target's latest round joined the runtime's goroutine leak profile.\n";
  for (const auto& t : m.targets) out += fmt::format("cancelflow_watch_leak_profile{} {}\n", target(t), t.leak_profile ? 1 : 0);
  out += "# TYPE cancelflow_watch_rounds_total counter\n# HELP cancelflow_watch_rounds_total Rounds attempted on the target.\n";
  for (const auto& t : m.targets) out += fmt::format("cancelflow_watch_rounds_total{} {}\n", target(t), t.rounds);
  out += "# TYPE cancelflow_watch_errors_total counter\n"
         "# HELP cancelflow_watch_errors_total Failed rounds on the target, by kind.\n";
  for (const auto& t : m.targets) {
    for (const auto& [kind, n] : t.errors) {
      out += fmt::format("cancelflow_watch_errors_total{} {}\n",
                         Labels({{"service", t.service}, {"instance", t.instance}, {"kind", kind}}), n);
    }
  }
  out += "# TYPE cancelflow_watch_round_seconds gauge\n# UNIT cancelflow_watch_round_seconds seconds\n"
         "# HELP cancelflow_watch_round_seconds How long the target's latest round took (fetch and analysis).\n";
  for (const auto& t : m.targets) out += fmt::format("cancelflow_watch_round_seconds{} {:.3f}\n", target(t), t.round_seconds);
  out += "# TYPE cancelflow_watch_last_success_timestamp_seconds gauge\n"
         "# UNIT cancelflow_watch_last_success_timestamp_seconds seconds\n"
         "# HELP cancelflow_watch_last_success_timestamp_seconds When the target's latest successful round ended (Unix time).\n";
  for (const auto& t : m.targets) {
    if (t.last_success_unix >= 0) {
      out += fmt::format("cancelflow_watch_last_success_timestamp_seconds{} {:.3f}\n", target(t), t.last_success_unix);
    }
  }
  out += "# TYPE cancelflow_watch_cancel_response_seconds histogram\n"
         "# UNIT cancelflow_watch_cancel_response_seconds seconds\n"
         "# HELP cancelflow_watch_cancel_response_seconds From a cancel to each woken goroutine's exit or next block, "
         "every round since watch started.\n";
  for (const auto& [service, h] : m.response_by_service) {
    AppendHistogram(out, "cancelflow_watch_cancel_response_seconds", {{"service", service}}, h);
  }
  AppendRunInfo(out, run);
  return out;
}

}  // namespace cancelflow::report
