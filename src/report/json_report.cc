#include "report/json_report.h"
#include "report/text.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "report/bounds.h"

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

json WokenJson(const Analysis& a, const WokenGoroutine& w) {
  return {{"goroutine", w.goroutine.value()},
                       {"start_func", StartFunc(a, w.goroutine)},
                       {"depth", w.depth},
                       {"via_afterfunc", w.via_afterfunc},
                       {"unblocked_ns", Time(w.unblocked)},
                       {"started_ns", Time(w.started)},
                       {"stopped_ns", Time(w.stopped)},
                       {"wake_latency_ns", w.started < 0 ? json(nullptr) : json(w.started - w.unblocked)},
                       {"latency_ns", Time(w.latency())},
                       {"responded_ns", Time(w.responded)},
                       {"response_latency_ns", Time(w.response_latency())},
                       {"outcome", WakeOutcomeName(w.outcome)},
                       {"next_block",
                        w.outcome == WakeOutcome::kBlockedAgain
                            ? json{{"reason", a.Str(w.next_block_reason)}, {"stack", Stack(a, w.next_block_stack)}}
                            : json(nullptr)}};
}

// A cancellation without its "woken" array and "woken_count", the two keys
// that sort last: the array is streamed.
json CancellationJson(const Analysis& a, const Cancellation& c) {
  cancelflow::Time slowest = -1, slowest_response = -1;
  for (const WokenGoroutine& w : c.woken) {
    slowest = std::max(slowest, w.latency());
    slowest_response = std::max(slowest_response, w.response_latency());
  }
  return {{"id", c.index},
         {"kind", CancelKindName(c.kind)},
         {"time_ns", Time(c.time)},
         {"canceler",
          {{"goroutine", c.canceler.value()},
           {"start_func", StartFunc(a, c.canceler)},
           {"stack", Stack(a, c.canceler_stack)},
           {"user_frame", UserFrame(a, c.canceler_stack, c.user_frame)}}},
         {"context_id", c.context_id == 0 ? json(nullptr) : json(c.context_id)},
         {"cause", c.cause},
         {"via_afterfunc", c.via_afterfunc},
         {"slowest_latency_ns", Time(slowest)},
         {"slowest_response_ns", Time(slowest_response)}};
}

json ContextJson(const ContextInfo& c) {
  json bound = json::array();
  for (GoId g : c.bound) bound.push_back(g.value());
  return {{"id", c.id},
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
                        {"test", c.test}};
}

json FindingJson(const Analysis& a, const Finding& f) {
  json gs = json::array(), cs = json::array();
  for (GoId g : f.goroutines) gs.push_back(g.value());
  for (uint64_t c : f.contexts) cs.push_back(c);
  return {{"rule", RuleId(f.rule)},
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
                        {"tests", f.tests},
                        {"latency", Latency(f.latency)},
                        {"evidence", f.evidence},
                        {"certainty", CertaintyName(f.certainty)},
                        {"fingerprint", f.fingerprint},
                        {"wait", WaitKindName(f.wait)}};
}
json GoroutineJson(const Analysis& a, const GoroutineInfo& g) {
  std::string_view end_state = "unknown";
  switch (g.end_state) {
    case GoState::kNotExist: end_state = "exited"; break;
    case GoState::kWaiting: end_state = "waiting"; break;
    case GoState::kRunnable: end_state = "runnable"; break;
    case GoState::kRunning: end_state = "running"; break;
    case GoState::kSyscall: end_state = "syscall"; break;
    default: break;
  }
  return {{"id", g.id.value()},
          {"start_func", a.Str(g.start_func)},
          {"origin", g.before_trace() ? "before-trace" : "created"},
          {"created_ns", Time(g.created)},
          {"ended_ns", Time(g.ended)},
          {"end_state", end_state},
          {"wait", WaitKindName(g.wait)},
          {"block", g.end_state == GoState::kWaiting
                        ? json{{"reason", a.Str(g.block_reason)}, {"stack", Stack(a, g.end_stack)}}
                        : json(nullptr)},
          {"name", g.name},
          {"test", g.test},
          {"instrumentation", g.instrumentation}};
}

json TestJson(const Test& t) {
  return {{"name", t.name}, {"result", t.result}, {"start_ns", Time(t.start)}, {"end_ns", Time(t.end)},
                     {"goroutine", t.goroutine.value()}};
}

// Writes JSON text the way nlohmann's dump(indent) lays it out (keys in the
// order given, which the caller keeps sorted like nlohmann's std::map
// objects), one value at a time, so no document is ever held whole: the
// output goes to the sink in chunks of about 64 KiB.
class JsonStream {
 public:
  JsonStream(int indent, const JsonSink& sink) : indent_(indent), sink_(sink) {}
  ~JsonStream() { Flush(); }
  JsonStream(const JsonStream&) = delete;
  JsonStream& operator=(const JsonStream&) = delete;

  // '{' or '[' opening the container at `depth` (the document is depth 0).
  void Open(char c) {
    Raw(std::string_view(&c, 1));
    first_ = true;
  }
  // Closes the container at `depth` that holds `count` members.
  void Close(char c, int depth, bool empty) {
    if (!empty) NewLine(depth);
    Raw(std::string_view(&c, 1));
    first_ = false;
  }
  // The separator and, in an object, the key of the next member at `depth`.
  void Member(int depth, std::string_view key = {}) {
    if (!first_) Raw(",");
    first_ = false;
    NewLine(depth);
    if (!key.empty()) {
      Raw("\"");
      Raw(key);
      Raw(indent_ < 0 ? "\":" : "\": ");
    }
  }
  // A whole value at `depth` (indented like its parent's members).
  void Value(const json& v, int depth) {
    std::string text = v.dump(indent_, ' ', true, json::error_handler_t::replace);
    if (indent_ > 0 && depth > 0) {
      const std::string pad = "\n" + std::string(static_cast<size_t>(depth * indent_), ' ');
      std::string out;
      out.reserve(text.size() + text.size() / 8);
      for (const char ch : text) {
        if (ch == '\n') {
          out += pad;
        } else {
          out += ch;
        }
      }
      text = std::move(out);
    }
    Raw(text);
  }
  // An object value continued by an array to stream: writes the object
  // without its closing brace, then the key; the caller streams the
  // elements, calls Close(']', ...), may add members, then Close('}', ...).
  void ObjectWithTrailingArray(const json& head, std::string_view key, int depth) {
    std::string text;
    {
      JsonStream tmp(indent_, [&](std::string_view c) { text.append(c); });
      tmp.Value(head, depth);
    }
    while (!text.empty() && (text.back() == '}' || text.back() == ' ' || text.back() == '\n')) text.pop_back();
    Raw(text);
    first_ = head.empty();
    Member(depth + 1, key);
    Open('[');
  }
  // Bytes written so far (flushed or not).
  size_t written() const { return flushed_ + buf_.size(); }
  void Raw(std::string_view s) {
    buf_.append(s);
    if (buf_.size() >= kChunk) Flush();
  }
  void Flush() {
    if (!buf_.empty()) sink_(buf_);
    flushed_ += buf_.size();
    buf_.clear();
  }

 private:
  static constexpr size_t kChunk = 64 << 10;
  void NewLine(int depth) {
    if (indent_ < 0) return;
    Raw("\n");
    buf_.append(static_cast<size_t>(depth * indent_), ' ');
  }
  int indent_;
  JsonSink sink_;  // a copy: callers pass temporaries (a lambda converted in place)
  std::string buf_;
  size_t flushed_ = 0;
  bool first_ = true;
};

// The caps of one document and what they left out.
struct Budget {
  const JsonOptions& o;
  uint64_t strings_cut = 0;
  // Whether one more element fits (the byte cap is checked before each).
  bool Room(const JsonStream& js) const { return js.written() < o.max_bytes; }
  json Cut(json v) {
    if (o.max_string != SIZE_MAX) strings_cut += TruncateStrings(v, o.max_string);
    return v;
  }
};

// Streams `items` as the array member `key` at depth 1, at most `cap` of them
// and while the byte budget lasts; returns how many were left out.
template <typename T, typename F>
uint64_t StreamArray(JsonStream& js, Budget& b, std::string_view key, const std::vector<T>& items, size_t cap,
                     F&& to_json) {
  js.Member(1, key);
  js.Open('[');
  size_t n = 0;
  for (; n < items.size() && n < cap && b.Room(js); ++n) {
    js.Member(2);
    js.Value(b.Cut(to_json(items[n])), 2);
  }
  js.Close(']', 1, n == 0);
  return items.size() - n;
}

json LeakProfileJson(const DataQuality::LeakProfileJoin& p) {
  if (!p.present) return nullptr;
  return {{"path", p.path},     {"form", p.form},         {"listed", p.listed},
          {"leaked", p.leaked}, {"joined", p.joined},     {"leaked_joined", p.leaked_joined},
          {"not_in_trace", p.not_in_trace}, {"ambiguous", p.ambiguous}, {"after_trace", p.after_trace}};
}

}  // namespace

void WriteAnalysisJson(const Analysis& a, const JsonOptions& o, const JsonSink& sink) {
  // Small members first, into one object (nlohmann sorts its keys); the big
  // arrays are streamed in their sorted places.
  json doc;
  doc["schema_version"] = kJsonSchemaVersion;
  doc["tool"] = {{"name", "cancelflow"}, {"version", "0.1.0"}};
  const DataQuality& q = a.quality;
  doc["trace"] = {{"path", o.trace_path},      {"version", q.trace_version}, {"bytes", q.bytes},
                  {"events", q.events},        {"generations", q.generations},
                  {"start_ns", Time(q.start)}, {"end_ns", Time(q.end)},
                  {"duration_ns", q.start < 0 ? json(nullptr) : json(q.end - q.start)},
                  {"scope", TraceScopeName(q.scope)},
                  {"scope_reason", q.scope_reason}};
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
                         {"goroutines_before_trace", q.goroutines_before_trace},
                         {"unblocks_without_stack", q.unblocks_without_stack},
                         {"leak_profile", LeakProfileJson(q.leak_profile)},
                         {"leak_profile_missing", q.leak_profile.missing.empty() ? json(nullptr) : json(q.leak_profile.missing)}};

  {  // What the analysis ran with (cli/analysis_options: defaults < config file < flags).
    const AnalysisOptions& ao = a.options;
    json rules = json::object();
    for (int r = 0; r < static_cast<int>(Rule::kCount); ++r) {
      rules[std::string(RuleId(static_cast<Rule>(r)))] =
          ao.rule_enabled[r] ? std::string(SeverityName(ao.severity[r])) : std::string("off");
    }
    doc["options"] = {{"grace_ns", ao.grace_ns},
                      {"slow_cancel_ns", ao.slow_cancel_ns},
                      {"late_deadline_ns", ao.late_deadline_ns},
                      {"burst_gap_ns", ao.burst_gap_ns},
                      {"scope", ao.scope ? json(std::string(TraceScopeName(*ao.scope))) : json(nullptr)},
                      {"rules", std::move(rules)},
                      {"user_packages", ao.user_packages},
                      {"config_file", ao.config_file.empty() ? json(nullptr) : json(ao.config_file)},
                      {"set_by_flags", ao.set_by_flags},
                      {"leak_profile", ao.leak_profile ? json(ao.leak_profile->path) : json(nullptr)},
                      {"summary", OptionsSummary(ao)}};
  }
  json by_kind = json::object(), by_rule = json::object();
  for (const auto& c : a.cancellations) by_kind[std::string(CancelKindName(c.kind))] = by_kind.value(std::string(CancelKindName(c.kind)), 0) + 1;
  for (int r = 0; r < static_cast<int>(Rule::kCount); ++r) by_rule[std::string(RuleId(static_cast<Rule>(r)))] = 0;
  for (const auto& f : a.findings) by_rule[std::string(RuleId(f.rule))] = by_rule[std::string(RuleId(f.rule))].get<int>() + 1;
  doc["summary"] = {{"cancellations", a.cancellations.size()},
                    {"cancellations_by_kind", by_kind},
                    {"findings", a.findings.size()},
                    {"findings_by_rule", by_rule}};


  JsonStream js(o.indent, sink);
  Budget b{o};
  js.Open('{');
  // "cancellations": each one on its own, its woken goroutines streamed too.
  js.Member(1, "cancellations");
  js.Open('[');
  uint64_t woken_left = 0;
  size_t written = 0;
  const size_t n_cancellations = o.cancellation_order.empty() ? a.cancellations.size() : o.cancellation_order.size();
  for (size_t i = 0; i < n_cancellations && written < o.max_cancellations && b.Room(js); ++i) {
    const size_t ci = o.cancellation_order.empty() ? i : o.cancellation_order[i];
    if (ci >= a.cancellations.size()) continue;
    const Cancellation& c = a.cancellations[ci];
    ++written;
    js.Member(2);
    js.ObjectWithTrailingArray(b.Cut(CancellationJson(a, c)), "woken", 2);
    size_t n = 0;
    for (; n < c.woken.size() && n < o.max_woken_per_cancellation && b.Room(js); ++n) {
      js.Member(4);
      js.Value(b.Cut(WokenJson(a, c.woken[n])), 4);
    }
    woken_left += c.woken.size() - n;
    js.Close(']', 3, n == 0);
    js.Member(3, "woken_count");  // all of them, also when "woken" is capped
    js.Value(json(c.woken.size()), 3);
    js.Close('}', 2, false);
  }
  const uint64_t cancellations_left = a.cancellations.size() - std::min(written, a.cancellations.size());
  js.Close(']', 1, written == 0);
  const uint64_t contexts_left =
      StreamArray(js, b, "contexts", a.contexts, o.max_contexts, [](const ContextInfo& c) { return ContextJson(c); });
  js.Member(1, "data_quality");
  js.Value(b.Cut(doc["data_quality"]), 1);
  const uint64_t findings_left =
      StreamArray(js, b, "findings", a.findings, o.max_findings, [&](const Finding& f) { return FindingJson(a, f); });
  const uint64_t goroutines_left = StreamArray(js, b, "goroutines", a.goroutines, o.max_goroutines,
                                               [&](const GoroutineInfo& g) { return GoroutineJson(a, g); });
  js.Member(1, "options");
  js.Value(b.Cut(doc["options"]), 1);
  js.Member(1, "schema_version");
  js.Value(doc["schema_version"], 1);
  js.Member(1, "summary");
  js.Value(doc["summary"], 1);
  const uint64_t tests_left =
      StreamArray(js, b, "tests", a.tests, o.max_tests, [](const Test& t) { return TestJson(t); });
  js.Member(1, "tool");
  js.Value(doc["tool"], 1);
  js.Member(1, "trace");
  js.Value(b.Cut(doc["trace"]), 1);
  // Only a capped document (the HTML report's) says what it left out.
  if (cancellations_left + woken_left + contexts_left + findings_left + goroutines_left + tests_left + b.strings_cut >
      0) {
    js.Member(1, "truncated");
    js.Value(json{{"cancellations", cancellations_left},
                  {"woken", woken_left},
                  {"contexts", contexts_left},
                  {"findings", findings_left},
                  {"goroutines", goroutines_left},
                  {"tests", tests_left},
                  {"strings_cut", b.strings_cut}},
             1);
  }
  js.Close('}', 0, false);
  js.Raw("\n");
}

uint64_t TruncateStrings(json& v, size_t max_bytes) {
  uint64_t cut = 0;
  if (v.is_string()) {
    std::string& s = v.get_ref<std::string&>();
    if (s.size() > max_bytes) {
      const size_t n = Utf8Prefix(s, max_bytes);
      const size_t dropped = s.size() - n;
      s.resize(n);
      s += "\xE2\x80\xA6(" + std::to_string(dropped) + " bytes cut)";  // U+2026
      cut = 1;
    }
  } else if (v.is_structured()) {
    for (auto& e : v) cut += TruncateStrings(e, max_bytes);
  }
  return cut;
}

std::vector<uint32_t> CancellationsCitedFirst(const Analysis& a, size_t cap) {
  std::vector<uint8_t> cited(a.cancellations.size(), 0);
  for (const Finding& f : a.findings)
    if (f.cancellation >= 0 && static_cast<size_t>(f.cancellation) < cited.size()) cited[static_cast<size_t>(f.cancellation)] = 1;
  std::vector<uint32_t> out;
  for (const uint8_t want : {uint8_t{1}, uint8_t{0}})
    for (uint32_t k = 0; k < cited.size() && out.size() < cap; ++k)
      if (cited[k] == want) out.push_back(k);
  return out;
}

std::string AnalysisToJson(const Analysis& a, const JsonOptions& o) {
  std::string out;
  WriteAnalysisJson(a, o, [&](std::string_view chunk) { out.append(chunk); });
  return out;
}

}  // namespace cancelflow::report
