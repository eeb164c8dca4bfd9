#include "report/json_report.h"

#include <nlohmann/json.hpp>

namespace cancelflow::report {
namespace {

using nlohmann::json;

json Frame(const Analysis& a, FrameId id) {
  const cancelflow::Frame& f = a.stacks().GetFrame(id);
  return json{{"func", a.Str(f.func)}, {"file", a.Str(f.file)}, {"line", f.line}};
}

json Stack(const Analysis& a, StackId s) {
  json out = json::array();
  for (FrameId f : a.stacks().Frames(s)) out.push_back(Frame(a, f));
  return out;
}

json UserFrame(const Analysis& a, StackId s, int i) {
  if (i < 0) return nullptr;
  return Frame(a, a.stacks().Frames(s)[static_cast<size_t>(i)]);
}

json Time(cancelflow::Time t) { return t < 0 ? json(nullptr) : json(t); }

json Site(const SourceSite& s) {
  if (s.empty()) return nullptr;
  return json{{"func", s.func}, {"file", s.file}, {"line", s.line}};
}

json Latency(const LatencyStats& l) {
  if (l.count == 0) return nullptr;
  return json{{"count", l.count}, {"p50_ns", l.p50}, {"p90_ns", l.p90}, {"p99_ns", l.p99}, {"max_ns", l.max}};
}

std::string StartFunc(const Analysis& a, GoId g) {
  const GoroutineInfo* gi = a.Goroutine(g);
  return gi == nullptr ? std::string() : std::string(a.Str(gi->start_func));
}

}  // namespace

std::string AnalysisToJson(const Analysis& a, const JsonOptions& o) {
  json doc;
  doc["schema_version"] = kJsonSchemaVersion;
  doc["tool"] = {{"name", "cancelflow"}, {"version", "0.1.0"}};
  const DataQuality& q = a.quality;
  doc["trace"] = {{"path", o.trace_path},      {"version", q.trace_version}, {"bytes", q.bytes},
                  {"events", q.events},        {"generations", q.generations},
                  {"start_ns", Time(q.start)}, {"end_ns", Time(q.end)},
                  {"duration_ns", q.start < 0 ? json(nullptr) : json(q.end - q.start)}};
  json err = nullptr;
  if (q.error) {
    err = {{"code", ErrorCodeName(q.error->code)}, {"offset", q.error->offset}, {"generation", q.error->generation},
           {"message", q.error->message}};
  }
  doc["data_quality"] = {{"partial", q.partial},
                         {"error", err},
                         {"starts_mid_execution", q.starts_mid_execution},
                         {"instrumented", a.instrumented()},
                         {"instrumentation_records", q.instrumentation_records},
                         {"records_unknown_version", q.records_unknown_version},
                         {"records_malformed", q.records_malformed},
                         {"goroutines_seen", q.goroutines_seen},
                         {"unblocks_without_stack", q.unblocks_without_stack}};

  json by_kind = json::object(), by_rule = json::object();
  for (const auto& c : a.cancellations) by_kind[std::string(CancelKindName(c.kind))] = by_kind.value(std::string(CancelKindName(c.kind)), 0) + 1;
  for (int r = 0; r < static_cast<int>(Rule::kCount); ++r) by_rule[std::string(RuleId(static_cast<Rule>(r)))] = 0;
  for (const auto& f : a.findings) by_rule[std::string(RuleId(f.rule))] = by_rule[std::string(RuleId(f.rule))].get<int>() + 1;
  doc["summary"] = {{"cancellations", a.cancellations.size()},
                    {"cancellations_by_kind", by_kind},
                    {"findings", a.findings.size()},
                    {"findings_by_rule", by_rule}};

  json cancellations = json::array();
  for (const Cancellation& c : a.cancellations) {
    json woken = json::array();
    for (const WokenGoroutine& w : c.woken) {
      woken.push_back({{"goroutine", w.goroutine.value()},
                       {"start_func", StartFunc(a, w.goroutine)},
                       {"depth", w.depth},
                       {"via_afterfunc", w.via_afterfunc},
                       {"unblocked_ns", Time(w.unblocked)},
                       {"started_ns", Time(w.started)},
                       {"stopped_ns", Time(w.stopped)},
                       {"wake_latency_ns", w.started < 0 ? json(nullptr) : json(w.started - w.unblocked)},
                       {"latency_ns", Time(w.latency())},
                       {"outcome", WakeOutcomeName(w.outcome)},
                       {"next_block",
                        w.outcome == WakeOutcome::kBlockedAgain
                            ? json{{"reason", a.Str(w.next_block_reason)}, {"stack", Stack(a, w.next_block_stack)}}
                            : json(nullptr)}});
    }
    cancellations.push_back(
        {{"id", c.index},
         {"kind", CancelKindName(c.kind)},
         {"time_ns", Time(c.time)},
         {"canceler",
          {{"goroutine", c.canceler.value()},
           {"start_func", StartFunc(a, c.canceler)},
           {"stack", Stack(a, c.canceler_stack)},
           {"user_frame", UserFrame(a, c.canceler_stack, c.user_frame)}}},
         {"context_id", c.context_id == 0 ? json(nullptr) : json(c.context_id)},
         {"cause", c.cause},
         {"woken", woken}});
  }
  doc["cancellations"] = cancellations;

  json contexts = json::array();
  for (const ContextInfo& c : a.contexts) {
    json bound = json::array();
    for (GoId g : c.bound) bound.push_back(g.value());
    contexts.push_back({{"id", c.id},
                        {"parent", c.parent == 0 ? json(nullptr) : json(c.parent)},
                        {"kind", c.kind},
                        {"parent_kind", c.parent_kind},
                        {"parent_type", c.parent_type},
                        {"deadline_unix_ns", c.deadline_unix_ns == 0 ? json(nullptr) : json(c.deadline_unix_ns)},
                        {"timeout_ns", c.timeout_ns == 0 ? json(nullptr) : json(c.timeout_ns)},
                        {"created_at", Site(c.created_at)},
                        {"created_ns", Time(c.created)},
                        {"created_by", c.created_by.value()},
                        {"cancel_called", c.cancel_called},
                        {"canceled_ns", Time(c.canceled)},
                        {"cancel_site", Site(c.cancel_site)},
                        {"cancel_cause", c.cancel_cause},
                        {"done_ns", Time(c.done)},
                        {"done_by", c.done_by},
                        {"err", c.err},
                        {"cause", c.cause},
                        {"leaked", c.leak_reason.empty() ? json(nullptr) : json(c.leak_reason)},
                        {"bound_goroutines", bound},
                        {"test", c.test}});
  }
  doc["contexts"] = contexts;

  json findings = json::array();
  for (const Finding& f : a.findings) {
    json gs = json::array(), cs = json::array();
    for (GoId g : f.goroutines) gs.push_back(g.value());
    for (uint64_t c : f.contexts) cs.push_back(c);
    findings.push_back({{"rule", RuleId(f.rule)},
                        {"severity", SeverityName(f.severity)},
                        {"message", f.message},
                        {"hint", f.hint},
                        {"count", f.count()},
                        {"goroutines", gs},
                        {"contexts", cs},
                        {"start_func", a.Str(f.start_func)},
                        {"creation",
                         {{"stack", Stack(a, f.creation_stack)},
                          {"user_frame", UserFrame(a, f.creation_stack, f.creation_user_frame)}}},
                        {"block",
                         {{"reason", a.Str(f.block_reason)},
                          {"stack", Stack(a, f.block_stack)},
                          {"user_frame", UserFrame(a, f.block_stack, f.block_user_frame)}}},
                        {"context_site", Site(f.context_site)},
                        {"cancellation", f.cancellation < 0 ? json(nullptr) : json(f.cancellation)},
                        {"context_id", f.context_id == 0 ? json(nullptr) : json(f.context_id)},
                        {"test", f.test},
                        {"latency", Latency(f.latency)}});
  }
  doc["findings"] = findings;

  json tests = json::array();
  for (const Test& t : a.tests) {
    tests.push_back({{"name", t.name}, {"result", t.result}, {"start_ns", Time(t.start)}, {"end_ns", Time(t.end)},
                     {"goroutine", t.goroutine.value()}});
  }
  doc["tests"] = tests;
  // Invalid UTF-8 in trace strings is replaced, never emitted raw; non-ASCII
  // is written as \u escapes (ensure_ascii), so the document printed to a
  // terminal holds no control, C1 or bidi character while the data stays exact.
  return doc.dump(o.indent, ' ', true, json::error_handler_t::replace) + "\n";
}

}  // namespace cancelflow::report
