// Why spans are keyed by test name and goroutine id, not by the order they
// were made: the same trace exported twice must give the same ids, and
// test names and goroutine ids are what the trace itself fixes.
#include "export/otlp_spans.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include <fmt/format.h>

namespace cancelflow::otlp {
namespace {

// SplitMix64's finalizer: a bijection with full avalanche, so ids made from
// neighbouring inputs (goroutine 7 and 8) share no visible pattern.
uint64_t Avalanche(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Two independent 64-bit lanes over a sequence of values and strings.
class IdHash {
 public:
  explicit IdHash(uint64_t seed) : a_(Avalanche(seed)), b_(Avalanche(~seed)) {}
  IdHash& Add(uint64_t v) {
    a_ = Avalanche(a_ ^ v);
    b_ = Avalanche(b_ + v * 0x2545f4914f6cdd1dULL);
    return *this;
  }
  IdHash& Add(std::string_view s) {
    uint64_t word = 0;
    size_t n = 0;
    for (const char c : s) {
      word = word << 8 | static_cast<uint8_t>(c);
      if (++n % 8 == 0) Add(std::exchange(word, 0));
    }
    Add(word);
    return Add(static_cast<uint64_t>(s.size()));  // "ab"+"c" differs from "a"+"bc"
  }
  uint64_t first() const { return a_ == 0 ? 1 : a_; }
  uint64_t second() const { return b_ == 0 ? 1 : b_; }

 private:
  uint64_t a_, b_;
};

constexpr uint64_t kTraceSeed = 0x63616e63656c666cULL;  // "cancelfl"

// Trace time -> Unix ns.
struct Clock {
  int64_t offset = 0;
  const char* kind = "";
  uint64_t At(Time t) const {
    const int64_t w = t + offset;
    return w < 0 ? 0 : static_cast<uint64_t>(w);
  }
};

Clock ClockOf(const Analysis& a, uint64_t now_unix_ns) {
  if (a.quality.wall_offset_ns) return Clock{*a.quality.wall_offset_ns, "trace-clock-snapshot"};
  const Time end = std::max<Time>(a.quality.end, 0);
  return Clock{static_cast<int64_t>(now_unix_ns) - end, "anchored-at-export"};
}

void Set(Attributes& attrs, std::string key, AttributeValue value) {
  for (Attribute& at : attrs) {
    if (at.key == key) {
      at.value = std::move(value);
      return;
    }
  }
  attrs.push_back(Attribute{std::move(key), std::move(value)});
}

void AddCode(Attributes& attrs, const report::Site& s) {
  if (!s.func.empty()) Set(attrs, "code.function.name", s.func);
  const std::string& file = s.abs_file.empty() ? s.file : s.abs_file;
  if (!file.empty()) Set(attrs, "code.file.path", file);
  if (s.line > 0) Set(attrs, "code.line.number", s.line);
}

class TraceBuilder {
 public:
  TraceBuilder(const report::CheckedTrace& t, const std::string& module_root, const SpanModelOptions& options)
      : t_(t), a_(t.analysis), root_dir_(module_root), clock_(ClockOf(t.analysis, options.now_unix_ns)) {}

  TraceSpans Build() {
    MakeTraceId();
    MakeRoot();
    MakeTests();
    MakeAsyncOps();
    for (const Cancellation& c : a_.cancellations) AddCancel(c);
    for (const report::CheckedFinding& cf : t_.findings) AddFinding(cf);
    Finish();
    return std::move(out_);
  }

 private:
  std::string Package() const { return t_.package.empty() ? a_.tested_package : t_.package; }

  void MakeTraceId() {
    // The trace's identity: what it holds, not where it lies or when it is exported.
    IdHash h(kTraceSeed);
    h.Add(Package()).Add(a_.quality.trace_version).Add(a_.quality.bytes).Add(a_.quality.events);
    h.Add(static_cast<uint64_t>(a_.quality.start)).Add(static_cast<uint64_t>(a_.quality.end));
    h.Add(static_cast<uint64_t>(a_.quality.wall_offset_ns.value_or(0)));
    for (int i = 0; i < 8; ++i) {
      out_.trace_id[static_cast<size_t>(i)] = static_cast<uint8_t>(h.first() >> (8 * i));
      out_.trace_id[static_cast<size_t>(8 + i)] = static_cast<uint8_t>(h.second() >> (8 * i));
    }
  }

  uint64_t SpanId(std::string_view kind, std::string_view key, uint64_t n = 0) const {
    IdHash h(kTraceSeed);
    for (const uint8_t b : out_.trace_id) h.Add(b);
    return h.Add(kind).Add(key).Add(n).first();
  }

  size_t NewSpan(std::string name, uint64_t id, size_t parent) {
    Span s;
    s.trace_id = out_.trace_id;
    s.span_id = id;
    s.parent_span_id = parent == kNone ? 0 : out_.spans[parent].span_id;
    s.name = std::move(name);
    s.attributes.push_back(Attribute{"cancelflow.clock", std::string(clock_.kind)});
    out_.spans.push_back(std::move(s));
    own_times_.push_back(false);
    async_dropped_.push_back(0);
    return out_.spans.size() - 1;
  }

  void SetTimes(size_t i, Time start, Time end) {
    Span& s = out_.spans[i];
    if (start >= 0) s.start_unix_nano = clock_.At(start);
    if (end >= 0) s.end_unix_nano = clock_.At(end);
    own_times_[i] = start >= 0 || end >= 0;
  }

  void MakeRoot() {
    const std::string pkg = Package();
    const std::string name =
        !pkg.empty() ? pkg : "cancelflow.analysis " + std::filesystem::path(t_.path).filename().string();
    NewSpan(name, SpanId("root", ""), kNone);
    SetTimes(0, std::max<Time>(a_.quality.start, 0), std::max<Time>(a_.quality.end, 0));
    Attributes& at = out_.spans[0].attributes;
    if (!pkg.empty()) Set(at, "test.package", pkg);
    Set(at, "cancelflow.trace.path", t_.path);
    Set(at, "cancelflow.trace.scope", std::string(TraceScopeName(a_.quality.scope)));
    Set(at, "cancelflow.trace.version", a_.quality.trace_version);
    Set(at, "cancelflow.trace.events", static_cast<int64_t>(a_.quality.events));
    Set(at, "cancelflow.findings", static_cast<int64_t>(t_.findings.size()));
    Set(at, "cancelflow.cancellations", static_cast<int64_t>(a_.cancellations.size()));
    if (a_.quality.partial) {
      Set(at, "cancelflow.trace.partial", true);
      out_.spans[0].status = StatusCode::kError;
      out_.spans[0].status_message = "the trace is cut short";
    }
  }

  // ---- Tests -------------------------------------------------------------

  size_t EnsureTest(const std::string& name) {
    if (auto it = tests_.find(name); it != tests_.end()) return it->second;
    size_t parent = 0;
    if (const size_t slash = name.rfind('/'); slash != std::string::npos && slash > 0) {
      parent = EnsureTest(name.substr(0, slash));
    }
    const size_t i = NewSpan(name, SpanId("test", name), parent);
    Attributes& at = out_.spans[i].attributes;
    Set(at, "test.name", name);
    if (const std::string pkg = Package(); !pkg.empty()) Set(at, "test.package", pkg);
    tests_.emplace(name, i);
    return i;
  }

  void MarkError(size_t i, const std::string& message) {
    for (bool own = true; i != kNone && i != 0; own = false) {
      Span& s = out_.spans[i];
      if (s.status == StatusCode::kError) return;  // its parents are already marked
      s.status = StatusCode::kError;
      s.status_message = own ? message : "a subtest failed";
      i = ParentOf(i);
    }
  }

  size_t ParentOf(size_t i) const {
    const uint64_t p = out_.spans[i].parent_span_id;
    for (size_t k = i; k-- > 0;)
      if (out_.spans[k].span_id == p) return k;
    return kNone;
  }

  void MakeTests() {
    // go test's results first (cancelflow test), then the trace's marks,
    // its testing.tRunner goroutines and the tests findings name.
    for (const report::GoTestResult& g : t_.go_tests) {
      const size_t i = EnsureTest(g.name);
      if (!g.result.empty()) Set(out_.spans[i].attributes, "test.result", g.result);
      if (g.result == "fail") MarkError(i, "test failed");
    }
    // Times: a marked test's own, else the span of its tRunner goroutines
    // (a name run several times, -count or a subtest named by its function,
    // covers them all).
    using Range = std::pair<Time, Time>;
    auto widen = [](std::map<std::string, Range>& m, const Test& t) {
      if (t.name.empty()) return;
      auto [it, fresh] = m.try_emplace(t.name, t.start, t.end);
      if (fresh) return;
      if (t.start >= 0 && (it->second.first < 0 || t.start < it->second.first)) it->second.first = t.start;
      if (t.end >= 0 && t.end > it->second.second) it->second.second = t.end;
    };
    std::map<std::string, Range> times, runs;
    for (const Test& t : a_.tests) {
      const size_t i = EnsureTest(t.name);
      if (t_.go_tests.empty() && !t.result.empty()) {
        Set(out_.spans[i].attributes, "test.result", t.result);
        if (t.result == "fail") MarkError(i, "test failed");
      }
      widen(times, t);
    }
    for (const Test& t : a_.runner_tests) {
      if (t.name.empty()) continue;
      EnsureTest(t.name);
      widen(runs, t);
    }
    times.merge(runs);  // keeps the marks' times where both have a test
    for (const report::CheckedFinding& cf : t_.findings) {
      for (const std::string& name : cf.tests) {
        const size_t i = EnsureTest(name);
        if (cf.fails) MarkError(i, fmt::format("gating finding: {}", RuleId(a_.findings[cf.index].rule)));
      }
    }
    for (const auto& [name, range] : times) SetTimes(tests_.at(name), range.first, range.second);
  }

  // ---- Goroutines ---------------------------------------------------------

  size_t TestSpanOf(const GoroutineInfo* g) const {
    if (g == nullptr || g->test.empty()) return 0;
    auto it = tests_.find(g->test);
    return it == tests_.end() ? 0 : it->second;
  }

  size_t SpanOfGoroutine(GoId id) const {
    if (auto it = goroutine_spans_.find(id.value()); it != goroutine_spans_.end()) return it->second;
    return TestSpanOf(a_.Goroutine(id));
  }

  void MakeAsyncOps() {
    // Findings' goroutines first (they are why anyone looks), then the
    // cancellations', each list in the analysis' order; each goroutine once.
    std::vector<GoId> order;
    std::map<int64_t, bool> seen;
    auto add = [&](GoId g) {
      if (g == kNoGoroutine || !seen.emplace(g.value(), true).second) return;
      order.push_back(g);
    };
    for (const report::CheckedFinding& cf : t_.findings)
      for (GoId g : a_.findings[cf.index].goroutines) add(g);
    for (const Cancellation& c : a_.cancellations) {
      add(c.canceler);
      for (const WokenGoroutine& w : c.woken) add(w.goroutine);
    }
    std::vector<size_t> per_parent(out_.spans.size(), 0);
    for (GoId id : order) {
      const GoroutineInfo* g = a_.Goroutine(id);
      if (g == nullptr) continue;
      const size_t parent = TestSpanOf(g);
      if (per_parent[parent] >= kMaxAsyncOpsPerParent) {
        ++async_dropped_[parent];
        continue;
      }
      ++per_parent[parent];
      const size_t i = NewSpan("async.op", SpanId("goroutine", "", static_cast<uint64_t>(id.value())), parent);
      SetTimes(i, g->created, g->ended);  // alive at the end: until the trace's end
      Attributes& at = out_.spans[i].attributes;
      Set(at, "goroutine.id", id.value());
      if (g->start_func != kEmptyString) Set(at, "code.function.name", std::string(a_.Str(g->start_func)));
      if (!g->name.empty()) Set(at, "goroutine.name", g->name);
      if (g->creator != kNoGoroutine) Set(at, "goroutine.creator", g->creator.value());
      Set(at, "goroutine.end_state", g->ended >= 0 ? std::string("exited") : std::string(GoStateName(g->end_state)));
      if (g->wait != WaitKind::kNone) Set(at, "goroutine.wait", std::string(WaitKindName(g->wait)));
      goroutine_spans_.emplace(id.value(), i);
    }
  }

  // ---- Events ---------------------------------------------------------------

  void AddEvent(size_t span, Time t, std::string name, Attributes attrs) {
    Span& s = out_.spans[span];
    if (s.events.size() >= kMaxEventsPerSpan) {
      ++s.dropped_events;
      return;
    }
    s.events.push_back(SpanEvent{t >= 0 ? clock_.At(t) : 0, std::move(name), std::move(attrs)});
  }

  void AddCancel(const Cancellation& c) {
    Attributes at;
    Set(at, "cancel.index", static_cast<int64_t>(c.index));
    Set(at, "cancel.kind", std::string(CancelKindName(c.kind)));
    if (!c.cause.empty()) Set(at, "cancel.cause", c.cause);
    if (c.context_id != 0) Set(at, "cancel.context_id", static_cast<int64_t>(c.context_id));
    if (c.via_afterfunc) Set(at, "cancel.via_afterfunc", true);
    if (c.canceler != kNoGoroutine) Set(at, "goroutine.id", c.canceler.value());
    AddCode(at, report::SiteOf(a_, c.canceler_stack, c.user_frame >= 0 ? c.user_frame : c.caller_frame, root_dir_));
    std::vector<int64_t> ids, response;
    for (const WokenGoroutine& w : c.woken) {
      if (ids.size() >= kMaxWokenPerCancel) break;
      ids.push_back(w.goroutine.value());
      response.push_back(w.response_latency());
    }
    Set(at, "cancel.woken.count", static_cast<int64_t>(c.woken.size()));
    if (!ids.empty()) {
      Set(at, "cancel.woken.goroutine_ids", std::move(ids));
      // Nanoseconds from the cancel to each one's response; -1: it never responded.
      Set(at, "cancel.woken.response_ns", std::move(response));
    }
    AddEvent(SpanOfGoroutine(c.canceler), c.time, "cancel.call", std::move(at));
  }

  void AddFinding(const report::CheckedFinding& cf) {
    const Finding& f = a_.findings[cf.index];
    size_t span = 0;
    const GoroutineInfo* g = nullptr;
    if (!f.goroutines.empty()) {
      span = SpanOfGoroutine(f.goroutines.front());
      g = a_.Goroutine(f.goroutines.front());
    }
    if (span == 0 && !cf.tests.empty()) span = tests_.count(cf.tests.front()) ? tests_.at(cf.tests.front()) : 0;
    // When it went wrong: where the goroutine got stuck, else the cancel, else the end of its span.
    Time at_time = g != nullptr ? g->blocked_since : -1;
    if (at_time < 0 && f.cancellation >= 0 && static_cast<size_t>(f.cancellation) < a_.cancellations.size())
      at_time = a_.cancellations[static_cast<size_t>(f.cancellation)].time;
    Attributes at;
    Set(at, "cancelflow.rule", std::string(RuleId(f.rule)));
    Set(at, "cancelflow.severity", std::string(SeverityName(f.severity)));
    Set(at, "cancelflow.certainty", std::string(CertaintyName(f.certainty)));
    Set(at, "cancelflow.fingerprint", cf.fingerprint);
    Set(at, "cancelflow.gating", cf.fails);
    if (cf.suppressed) Set(at, "cancelflow.baselined", true);
    Set(at, "cancelflow.message", f.message);
    Set(at, "cancelflow.count", static_cast<int64_t>(f.count()));
    if (!cf.tests.empty()) Set(at, "test.name", cf.tests.front());
    if (!f.goroutines.empty()) Set(at, "goroutine.id", f.goroutines.front().value());
    AddCode(at, cf.primary);
    if (cf.fails && span != 0 && out_.spans[span].name == "async.op") {
      out_.spans[span].status = StatusCode::kError;
      out_.spans[span].status_message = fmt::format("gating finding: {}", RuleId(f.rule));
    }
    AddEvent(span, at_time, "finding", std::move(at));
  }

  // ---- Bounds ---------------------------------------------------------------

  void Finish() {
    std::vector<Span>& spans = out_.spans;
    auto is_async = [&](size_t i) { return spans[i].name == "async.op"; };
    // A test without times of its own (go test ran it, the trace does not
    // show it) covers its subtests; then unknown bounds are the parent's;
    // then every test and the root cover their tests (async.op spans may
    // outlive their test, as leaked goroutines do: only the root covers them).
    for (size_t i = spans.size(); i-- > 1;) {
      const size_t p = ParentOf(i);
      if (own_times_[p] || is_async(i) || spans[i].start_unix_nano == 0) continue;
      Span& ps = spans[p];
      ps.start_unix_nano = ps.start_unix_nano == 0 ? spans[i].start_unix_nano : std::min(ps.start_unix_nano, spans[i].start_unix_nano);
      ps.end_unix_nano = std::max(ps.end_unix_nano, spans[i].end_unix_nano);
    }
    for (size_t i = 1; i < spans.size(); ++i) {
      const size_t p = ParentOf(i);
      if (spans[i].start_unix_nano == 0) spans[i].start_unix_nano = spans[p].start_unix_nano;
      if (spans[i].end_unix_nano == 0) spans[i].end_unix_nano = is_async(i) ? spans[0].end_unix_nano : spans[p].end_unix_nano;
      if (spans[i].end_unix_nano < spans[i].start_unix_nano) spans[i].end_unix_nano = spans[i].start_unix_nano;
    }
    for (size_t i = spans.size(); i-- > 1;) {
      const size_t p = is_async(i) ? 0 : ParentOf(i);
      spans[p].start_unix_nano = std::min(spans[p].start_unix_nano, spans[i].start_unix_nano);
      spans[p].end_unix_nano = std::max(spans[p].end_unix_nano, spans[i].end_unix_nano);
    }
    // Events of unknown time: a cancel at its span's start, a finding at its end.
    for (Span& s : spans)
      for (SpanEvent& e : s.events)
        if (e.time_unix_nano == 0) e.time_unix_nano = e.name == "finding" ? s.end_unix_nano : s.start_unix_nano;
    for (size_t i = 0; i < spans.size(); ++i)
      if (async_dropped_[i] > 0) Set(spans[i].attributes, "cancelflow.async_ops.dropped", static_cast<int64_t>(async_dropped_[i]));
  }

  static constexpr size_t kNone = static_cast<size_t>(-1);

  const report::CheckedTrace& t_;
  const Analysis& a_;
  std::string root_dir_;
  Clock clock_;
  TraceSpans out_;
  std::vector<bool> own_times_;
  std::vector<uint64_t> async_dropped_;
  std::map<std::string, size_t> tests_;
  std::map<int64_t, size_t> goroutine_spans_;
};

}  // namespace

std::vector<TraceSpans> BuildSpans(const report::CheckResult& result, const SpanModelOptions& options) {
  std::vector<TraceSpans> out;
  out.reserve(result.traces.size());
  for (const report::CheckedTrace& t : result.traces) out.push_back(TraceBuilder(t, result.module_root, options).Build());
  return out;
}

std::string Hex(const TraceId& id) {
  std::string s;
  for (const uint8_t b : id) s += fmt::format("{:02x}", b);
  return s;
}

std::string Hex(uint64_t span_id) {
  std::string s;
  for (int i = 0; i < 8; ++i) s += fmt::format("{:02x}", static_cast<uint8_t>(span_id >> (8 * i)));
  return s;
}

const AttributeValue* FindAttribute(const Attributes& attrs, std::string_view key) {
  for (const Attribute& a : attrs)
    if (a.key == key) return &a.value;
  return nullptr;
}

}  // namespace cancelflow::otlp
