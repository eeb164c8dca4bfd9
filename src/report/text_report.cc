#include "report/text_report.h"
#include "report/text.h"

#include <functional>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/inert_text.h"

namespace cancelflow::report {
namespace {

struct Style {
  bool on;
  std::string operator()(std::string_view code, std::string_view s) const {
    return on ? fmt::format("\x1b[{}m{}\x1b[0m", code, s) : std::string(s);
  }
};

std::string Ms(Time ns) { return ns < 0 ? "-" : fmt::format("{:.3f} ms", static_cast<double>(ns) / 1e6); }

void AppendStack(const Analysis& a, StackId s, int user_frame, const TextOptions& o, const Style& st,
                 std::string* out) {
  auto frames = a.stacks().Frames(s);
  if (frames.empty()) {
    out->append("        (no stack)\n");
    return;
  }
  for (size_t i = 0; i < frames.size() && i < o.max_frames; ++i) {
    const Frame& f = a.stacks().GetFrame(frames[i]);
    const std::string line =
        fmt::format("{} {}:{}", SafeText(a.Str(f.func)), SafeText(a.Str(f.file)), f.line);
    out->append("        ");
    out->append(static_cast<int>(i) == user_frame ? st("1", "> " + line) : "  " + line);
    out->push_back('\n');
  }
  if (frames.size() > o.max_frames) fmt::format_to(std::back_inserter(*out), "          ... {} more\n", frames.size() - o.max_frames);
}

}  // namespace

std::string SafeText(std::string_view s) { return InertText(s); }

std::string AnalysisToText(const Analysis& a, const TextOptions& o) {
  const Style st{o.color};
  std::string out;
  auto it = std::back_inserter(out);
  const DataQuality& q = a.quality;

  // Summary.
  std::map<std::string_view, int> kinds;
  for (const auto& c : a.cancellations) ++kinds[CancelKindName(c.kind)];
  std::map<Rule, int> rules;
  for (const auto& f : a.findings) ++rules[f.rule];
  fmt::format_to(it, "{}\n", st("1", fmt::format("cancelflow: {}", SafeText(o.trace_path))));
  fmt::format_to(it, "  trace        {}, {} bytes, {} events, {} generations, {}\n", q.trace_version, q.bytes,
                 q.events, q.generations, q.start < 0 ? "empty" : Ms(q.end - q.start));
  std::string kind_list;
  for (auto& [k, n] : kinds) kind_list += fmt::format("{}{} {}", kind_list.empty() ? "" : ", ", n, k);
  fmt::format_to(it, "  cancellations {}{}\n", a.cancellations.size(), kind_list.empty() ? "" : " (" + kind_list + ")");
  std::string rule_list;
  for (auto& [r, n] : rules) rule_list += fmt::format("{}{} {}", rule_list.empty() ? "" : ", ", n, RuleId(r));
  fmt::format_to(it, "  findings     {}\n", a.findings.empty() ? st("32", "0") : st("31;1", fmt::format("{} ({})", a.findings.size(), rule_list)));
  fmt::format_to(it, "  data quality {}{}; {} goroutines; {} runtime wake-ups without a stack{}\n",
                 q.partial ? st("33", "PARTIAL trace") : "complete trace",
                 q.starts_mid_execution ? " (starts mid-execution)" : "", q.goroutines_seen, q.unblocks_without_stack,
                 a.instrumented() ? fmt::format("; {} instrumentation records ({} unknown version, {} malformed)",
                                                q.instrumentation_records, q.records_unknown_version, q.records_malformed)
                                  : "; not instrumented");
  fmt::format_to(it, "  scope        {}: {}\n", TraceScopeName(q.scope), q.scope_reason);
  fmt::format_to(it, "  options      {}\n", SafeText(OptionsSummary(a.options)));
  if (const auto& lp = q.leak_profile; lp.present) {
    fmt::format_to(it, "  leak profile {} ({}): {} leaked, {} of them joined to the trace's goroutines{}\n",
                   SafeText(lp.path), lp.form, lp.leaked, lp.leaked_joined,
                   lp.ambiguous ? fmt::format(" ({} ambiguous by stack: not proven)", lp.ambiguous) : "");
    if (lp.after_trace) {
      fmt::format_to(it, "               {} goroutine(s) started, ran or moved between the trace's end and the profile: not joined\n",
                     lp.after_trace);
    }
  } else if (!lp.missing.empty()) {
    fmt::format_to(it, "  leak profile none: {}; leaks rest on trace evidence only\n", SafeText(lp.missing));
  }
  if (q.error) fmt::format_to(it, "  {} {}\n", st("33", "error:"), SafeText(q.error->ToString()));

  // Findings.
  if (!a.findings.empty()) fmt::format_to(it, "\n{}\n", st("1", "Findings"));
  for (const Finding& f : a.findings) {
    const std::string_view sev = SeverityName(f.severity);
    fmt::format_to(it, "\n  {} {}{}\n", st(f.severity == Severity::kError ? "31;1" : "33;1", fmt::format("{}[{}]", sev, RuleId(f.rule))),
                   SafeText(f.message), f.tests.empty() ? "" : " " + st("2", fmt::format("(test{} {})", f.tests.size() == 1 ? "" : "s",
                                                                                         SafeText(fmt::format("{}", fmt::join(f.tests, ", "))))));
    if (!f.evidence.empty()) fmt::format_to(it, "    evidence ({}): {}\n", CertaintyName(f.certainty), SafeText(f.evidence));
    fmt::format_to(it, "    fix: {}\n", SafeText(f.hint));
    if (!f.fingerprint.empty()) fmt::format_to(it, "    fingerprint: {}\n", f.fingerprint);
    if (!f.goroutines.empty()) {
      std::string ids;
      for (size_t i = 0; i < f.goroutines.size() && i < 10; ++i) ids += fmt::format("{}G{}", i ? " " : "", f.goroutines[i].value());
      if (f.goroutines.size() > 10) ids += fmt::format(" ... (+{})", f.goroutines.size() - 10);
      fmt::format_to(it, "    goroutines: {}\n", ids);
    }
    if (!f.context_site.empty()) {
      fmt::format_to(it, "    context created at {} {}:{}\n", SafeText(f.context_site.func), SafeText(f.context_site.file), f.context_site.line);
    }
    if (f.latency.count > 0) {
      fmt::format_to(it, "    time to respond to the cancel: p50 {}, p90 {}, p99 {}, max {} ({} goroutines)\n", Ms(f.latency.p50),
                     Ms(f.latency.p90), Ms(f.latency.p99), Ms(f.latency.max), f.latency.count);
    }
    if (f.cancellation >= 0) {
      const Cancellation& c = a.cancellations[static_cast<size_t>(f.cancellation)];
      fmt::format_to(it, "    cancellation #{} ({}{}) at {}\n", c.index, CancelKindName(c.kind),
                     c.via_afterfunc ? ", through an AfterFunc" : "", Ms(c.time - q.start));
    }
    if (f.creation_stack != kNoStack) {
      fmt::format_to(it, "    created at:\n");
      AppendStack(a, f.creation_stack, f.creation_user_frame, o, st, &out);
    }
    if (f.block_stack != kNoStack) {
      fmt::format_to(it, "    {} at:\n", f.wait != WaitKind::kNone ? fmt::format("blocked in {}", WaitKindName(f.wait))
                                         : f.block_reason == kEmptyString ? std::string("blocked")
                                         : fmt::format("blocked ({})", SafeText(a.Str(f.block_reason))));
      AppendStack(a, f.block_stack, f.block_user_frame, o, st, &out);
    }
  }

  // The instrumented context tree (Go module records).
  if (!a.contexts.empty()) {
    fmt::format_to(it, "\n{}\n", st("1", "Contexts (instrumented)"));
    std::map<uint64_t, std::vector<const ContextInfo*>> children;
    std::map<uint64_t, const ContextInfo*> by_id;
    for (const ContextInfo& c : a.contexts) by_id[c.id] = &c;
    std::vector<const ContextInfo*> roots;
    for (const ContextInfo& c : a.contexts) {
      if (c.parent != 0 && by_id.count(c.parent)) {
        children[c.parent].push_back(&c);
      } else {
        roots.push_back(&c);
      }
    }
    std::function<void(const ContextInfo*, int)> print = [&](const ContextInfo* c, int depth) {
      std::string state;
      if (c->done >= 0) {
        state = fmt::format("done by {} at {}", SafeText(c->done_by), Ms(c->done - q.start));
      } else {
        state = "never done";
      }
      if (!c->leak_reason.empty()) state += st("31", fmt::format(", CancelFunc never called ({})", SafeText(c->leak_reason)));
      fmt::format_to(it, "  {}#{} {} from {} at {} {}:{} — {}{}\n", std::string(static_cast<size_t>(depth) * 2, ' '), c->id,
                     SafeText(c->kind), SafeText(c->parent_kind), SafeText(c->created_at.func), SafeText(c->created_at.file),
                     c->created_at.line, state,
                     c->bound.empty() ? "" : fmt::format(", {} bound goroutine{}", c->bound.size(), c->bound.size() == 1 ? "" : "s"));
      if (depth < 32) {
        for (const ContextInfo* ch : children[c->id]) print(ch, depth + 1);
      }
    };
    for (const ContextInfo* r : roots) print(r, 0);
  }

  // Cancellations.
  if (!a.cancellations.empty()) fmt::format_to(it, "\n{}\n", st("1", "Cancellations"));
  for (size_t i = 0; i < a.cancellations.size() && i < o.max_cancellations; ++i) {
    const Cancellation& c = a.cancellations[i];
    std::string who = "runtime";
    if (const GoroutineInfo* g = a.Goroutine(c.canceler)) {
      who = g->start_func == kEmptyString ? fmt::format("G{}", c.canceler.value())
                                          : fmt::format("G{} {}", c.canceler.value(), SafeText(a.Str(g->start_func)));
    }
    std::string where;
    if (c.user_frame >= 0) {
      const Frame& f = a.stacks().GetFrame(a.stacks().Frames(c.canceler_stack)[static_cast<size_t>(c.user_frame)]);
      where = fmt::format(" at {} {}:{}", SafeText(a.Str(f.func)), SafeText(a.Str(f.file)), f.line);
    }
    fmt::format_to(it, "\n  #{} {} at {} by {}{}{}\n", c.index, st("1", CancelKindName(c.kind)), Ms(c.time - q.start), who, where,
                   c.cause.empty() ? "" : fmt::format(" cause=\"{}\"", SafeText(c.cause)));
    for (size_t k = 0; k < c.woken.size() && k < o.max_woken; ++k) {
      const WokenGoroutine& w = c.woken[k];
      std::string name;
      if (const GoroutineInfo* g = a.Goroutine(w.goroutine)) name = SafeText(a.Str(g->start_func));
      fmt::format_to(it, "    woke G{} {} depth {}: started +{}, {} +{}, {}\n", w.goroutine.value(), name, w.depth,
                     w.started < 0 ? "-" : Ms(w.started - w.unblocked), WakeOutcomeName(w.outcome),
                     w.stopped < 0 ? "-" : Ms(w.stopped - w.unblocked),
                     w.responded < 0 ? std::string("no response") : "responded +" + Ms(w.response_latency()));
    }
    if (c.woken.size() > o.max_woken) {
      fmt::format_to(it, "    ... {} more woken goroutines (see --json)\n", c.woken.size() - o.max_woken);
    }
  }
  if (a.cancellations.size() > o.max_cancellations) {
    fmt::format_to(it, "\n  ... {} more cancellations (see --json)\n", a.cancellations.size() - o.max_cancellations);
  }
  return out;
}

}  // namespace cancelflow::report
