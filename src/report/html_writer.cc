#include "report/html_writer.h"
#include "report/module_goroutines.h"
#include "report/timeline_spans.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/check.h"
#include "base/flat_map.h"
#include "report/json_report.h"
#include "report/pprof_writer.h"

namespace cancelflow::report {

// Embedded at build time (cmake/embed_assets.cmake -> html_assets.cc).
extern const char kReportHtml[];
extern const size_t kReportHtmlSize;
extern const char kReportCss[];
extern const size_t kReportCssSize;
extern const char kReportJs[];
extern const size_t kReportJsSize;

namespace {

using nlohmann::json;

struct Annotation {
  Time time = 0;
  int64_t g = 0;
  uint8_t kind = 0;  // 0 log, 1 region, 2 task
  uint32_t a = 0, b = 0;  // StringId values: log category + message; region/task type
};

// One goroutine's lane, filled by the second pass.
struct Lane {
  int64_t g = 0;
  std::string start_func;  // of GoCreate's start stack, "" if unseen
  SpanState open_state = kNone;
  uint32_t open_reason = 0;  // StringId value in the second pass's reader
  Time open_since = 0;
  std::vector<Span> spans;
  std::vector<Window> focus;  // sorted, disjoint: kept at full resolution
};

// Around a cancellation, the lanes of its canceler and woken goroutines stay
// at full resolution: from kFocusBefore before it to kFocusAfter after.
constexpr Time kFocusBefore = 5'000'000;
constexpr Time kFocusAfter = 50'000'000;
constexpr size_t kMaxFocusWindows = 64;  // per lane
constexpr size_t kLanesPerFinding = 20;

}  // namespace

struct HtmlWriter::Impl {
  HtmlOptions opts;
  PprofWriter pprof;
  // First pass: per goroutine, how many spans it opened (running, blocked,
  // syscall): the busiest fill the lanes the analysis leaves free.
  FlatMap<uint32_t> activity;
  std::vector<Annotation> annotations;  // logs, regions, tasks (first max_annotations)
  uint64_t annotations_dropped = 0;
  Time first = -1, last = 0;
  // Second pass (PlanLanes, OnLaneEvent, EndLanes).
  std::vector<Lane> lanes;
  FlatMap<uint32_t> lane_of;  // goid -> index in lanes
  uint64_t merged = 0;
  uint64_t lanes_dropped = 0, lanes_empty = 0;  // PlanLanes' counts (HtmlStats)
  Time lanes_end = 0;                           // where EndLanes closes the open spans
  bool planned = false;                         // PlanLanes ran (Write requires it)
  std::vector<std::string> reason_names{""};   // Span::reason after EndLanes: index into these

  void OnEvent(const Event& e, const Reader& reader) {
    pprof.OnEvent(e, reader);
    if (first < 0) first = e.time;
    last = e.time;
    if (e.kind == EventKind::kLog || e.kind == EventKind::kRegionBegin || e.kind == EventKind::kTaskBegin) {
      if (annotations.size() >= opts.max_annotations) {
        ++annotations_dropped;
        return;
      }
      Annotation an;
      an.time = e.time;
      an.g = e.goroutine.value();
      if (e.kind == EventKind::kLog) {
        const LogInfo l = GetLog(e);
        an.a = l.category.value();
        an.b = l.message.value();
      } else if (e.kind == EventKind::kRegionBegin) {
        an.kind = 1;
        an.a = GetRegion(e).type.value();
      } else {
        an.kind = 2;
        an.a = GetTask(e).type.value();
      }
      annotations.push_back(an);
      return;
    }
    if (e.kind != EventKind::kStateTransition) return;
    const StateTransition st = GetStateTransition(e);
    if (st.resource.kind != ResourceKind::kGoroutine) return;
    const bool opens = SpanOf(st).state != kNone;
    auto [count, inserted] = activity.Insert(static_cast<uint64_t>(st.resource.id), 0);
    if (opens && *count < UINT32_MAX) ++*count;
  }

  void Close(Lane& l, Time t) {
    if (l.open_state == kNone) return;
    if (l.spans.size() >= opts.max_spans_per_lane) merged += MergeTo(&l.spans, l.focus, opts.max_spans_per_lane / 2);
    Span s;
    s.begin = l.open_since;
    s.end = t;
    s.state = l.open_state;
    s.reason = l.open_reason;
    l.spans.push_back(s);
    l.open_state = kNone;
  }

  // The second pass: the chosen goroutines' spans, read again from the trace.
  void OnLaneEvent(const Event& e, const StringPool& strings, const StackPool& stacks) {
    if (e.kind != EventKind::kStateTransition) return;
    const StateTransition st = GetStateTransition(e);
    if (st.resource.kind != ResourceKind::kGoroutine) return;
    const uint32_t* i = lane_of.Find(static_cast<uint64_t>(st.resource.id));
    if (i == nullptr) return;
    Lane& l = lanes[*i];
    if (st.go_from() == GoState::kNotExist && st.go_to() == GoState::kRunnable && st.stack != kNoStack &&
        !stacks.Frames(st.stack).empty()) {
      l.start_func = std::string(strings.Get(stacks.GetFrame(stacks.Frames(st.stack)[0]).func));
    }
    const SpanStart open = SpanOf(st);
    const SpanState s = open.state;
    const uint32_t reason = open.reason.value();
    if (s == l.open_state && reason == l.open_reason && s != kNone) return;  // GoStatus repeat
    Close(l, e.time);
    if (s != kNone) {
      l.open_state = s;
      l.open_reason = reason;
      l.open_since = e.time;
    }
  }

  // Lane choice, after the analysis, in tiers: the goroutines each finding
  // names (its first kLanesPerFinding), then the canceler and the first
  // woken goroutines of each cancellation a finding cites, then every other
  // goroutine the analysis names, then the busiest. Goroutines with no
  // running, blocked or syscall time get no lane unless the analysis names
  // them. Fills `lanes` (by goroutine id) with their focus windows.
  void ChooseLanes(const Analysis& a) {
    std::unordered_map<int64_t, uint8_t> tier;
    auto rank = [&](int64_t g, uint8_t t) {
      if (g < 0) return;
      auto [it, inserted] = tier.try_emplace(g, t);
      if (!inserted) it->second = std::min(it->second, t);
    };
    std::vector<bool> cited(a.cancellations.size());
    for (const Finding& f : a.findings) {
      for (size_t k = 0; k < f.goroutines.size(); ++k) rank(f.goroutines[k].value(), k < kLanesPerFinding ? 0 : 2);
      if (f.cancellation >= 0 && static_cast<size_t>(f.cancellation) < a.cancellations.size()) {
        const Cancellation& c = a.cancellations[static_cast<size_t>(f.cancellation)];
        cited[c.index] = true;
        rank(c.canceler.value(), 1);
        for (size_t k = 0; k < c.woken.size() && k < kLanesPerFinding; ++k) rank(c.woken[k].goroutine.value(), 1);
      }
    }
    for (const Cancellation& c : a.cancellations) {
      rank(c.canceler.value(), 2);
      for (const WokenGoroutine& w : c.woken) rank(w.goroutine.value(), 2);
    }
    for (const ContextInfo& c : a.contexts)
      for (GoId g : c.bound) rank(g.value(), 2);
    struct Candidate {
      int64_t g;
      uint8_t tier;
      uint32_t activity;
    };
    std::vector<Candidate> order;
    for (const auto& [g, t] : tier) {
      const uint32_t* n = activity.Find(static_cast<uint64_t>(g));
      order.push_back({g, t, n ? *n : 0});
    }
    uint64_t empty = 0;
    activity.ForEach([&](uint64_t g, uint32_t n) {
      if (tier.count(static_cast<int64_t>(g))) return;
      if (n == 0) {
        ++empty;
      } else {
        order.push_back({static_cast<int64_t>(g), 3, n});
      }
    });
    std::sort(order.begin(), order.end(), [](const Candidate& x, const Candidate& y) {
      if (x.tier != y.tier) return x.tier < y.tier;
      if (x.activity != y.activity) return x.activity > y.activity;
      return x.g < y.g;
    });
    const size_t keep = std::min<size_t>(order.size(), opts.max_lanes);
    lanes_dropped = order.size() - keep;
    lanes_empty = empty;
    order.resize(keep);
    std::sort(order.begin(), order.end(), [](const Candidate& x, const Candidate& y) { return x.g < y.g; });
    lanes.clear();
    lane_of.Clear();
    for (const Candidate& c : order) {
      lane_of.Insert(static_cast<uint64_t>(c.g), static_cast<uint32_t>(lanes.size()));
      lanes.emplace_back().g = c.g;
    }
    // Focus windows: around the cited cancellations first, then the others.
    auto focus = [&](GoId g, Time t) {
      const uint32_t* i = lane_of.Find(static_cast<uint64_t>(g.value()));
      if (i == nullptr || t < 0) return;
      std::vector<Window>& w = lanes[*i].focus;
      if (w.size() < kMaxFocusWindows) w.push_back({t - kFocusBefore, t + kFocusAfter});
    };
    for (const bool cited_pass : {true, false}) {
      for (const Cancellation& c : a.cancellations) {
        if (cited[c.index] != cited_pass) continue;
        focus(c.canceler, c.time);
        for (const WokenGoroutine& w : c.woken) focus(w.goroutine, w.unblocked >= 0 ? w.unblocked : c.time);
      }
    }
    for (Lane& l : lanes) {
      std::vector<Window>& w = l.focus;
      std::sort(w.begin(), w.end(), [](const Window& x, const Window& y) { return x.begin < y.begin; });
      size_t out = 0;
      for (const Window& x : w) {
        if (out > 0 && x.begin <= w[out - 1].end) {
          w[out - 1].end = std::max(w[out - 1].end, x.end);
        } else {
          w[out++] = x;
        }
      }
      w.resize(out);
    }
  }

  void PlanLanes(const Analysis& a) {
    lanes_end = std::max(last, a.quality.end);
    reason_names = {""};
    ChooseLanes(a);
    planned = true;
  }

  // The end of the second pass: spans still open end with the trace; block
  // reasons (StringIds of the second pass's reader) become indexes into
  // reason_names, in the order the lanes use them.
  void EndLanes(const StringPool& strings) {
    std::unordered_map<uint32_t, uint32_t> reason_index{{0, 0}};  // StringId value of this reader -> JSON index
    for (Lane& l : lanes) {
      Close(l, lanes_end);
      for (Span& s : l.spans) {
        auto [it, inserted] = reason_index.try_emplace(s.reason, static_cast<uint32_t>(reason_names.size()));
        if (inserted) reason_names.emplace_back(strings.Get(StringId(s.reason)));
        s.reason = it->second;
      }
    }
  }

  json Timeline(const Analysis& a, HtmlStats* st) {
    const Time start = a.quality.start >= 0 ? a.quality.start : std::max<Time>(first, 0);
    const Time end = std::max(last, a.quality.end);
    st->lanes_dropped = lanes_dropped;
    st->lanes_empty = lanes_empty;
    st->annotations_dropped = annotations_dropped;

    // Output span budget, shared evenly; lanes over their share are merged
    // outside their focus windows first.
    uint64_t raw = 0;
    for (const Lane& l : lanes) raw += l.spans.size();
    const uint64_t share = lanes.empty() ? 0 : std::max<uint64_t>(opts.max_output_spans / lanes.size(), 16);
    json out_lanes = json::array();
    for (Lane& l : lanes) {
      if (raw > opts.max_output_spans) merged += MergeTo(&l.spans, l.focus, share);
      json spans = json::array();
      for (const Span& s : l.spans) {
        spans.push_back(json::array({s.begin - start, s.end - start, static_cast<int>(s.state), s.reason, s.merged}));
      }
      st->spans += l.spans.size();
      std::string name = l.start_func;
      if (const GoroutineInfo* gi = a.Goroutine(GoId(l.g)); gi && gi->start_func != StringId()) {
        name = std::string(a.Str(gi->start_func));
      }
      json lane = {{"g", l.g}, {"name", name}, {"spans", std::move(spans)}};
      if (IsModuleGoroutine(name)) lane["module"] = true;  // the Go module's own goroutine
      out_lanes.push_back(std::move(lane));
    }
    st->lanes = lanes.size();
    st->spans_merged = merged;
    json notes = json::array();
    for (const Annotation& an : annotations) {
      static constexpr const char* kKinds[] = {"log", "region", "task"};
      notes.push_back(json::array({an.time - start, an.g, kKinds[an.kind], a.Str(StringId(an.a)),
                                   an.kind == 0 ? a.Str(StringId(an.b)) : std::string_view()}));
    }
    const uint64_t seen = activity.size();
    lanes = {};  // the spans are in the JSON now
    return json{{"start_ns", start},
                {"end_ns", end},
                {"annotations", std::move(notes)},
                {"annotations_dropped", annotations_dropped},
                {"reasons", std::exchange(reason_names, {""})},
                {"lanes", std::move(out_lanes)},
                {"goroutines_seen", seen},
                {"lanes_dropped", st->lanes_dropped},
                {"lanes_empty", st->lanes_empty},
                {"spans_merged", merged},
                {"caps",
                 {{"max_lanes", opts.max_lanes},
                  {"max_spans_per_lane", opts.max_spans_per_lane},
                  {"max_output_spans", opts.max_output_spans},
                  {"max_annotations", opts.max_annotations}}}};
  }

  json Flame(const Analysis& a, HtmlStats* st) {
    PprofStats ps;
    std::vector<PostCancelSample> samples = pprof.Samples(a, &ps);
    int vi = -1;
    std::string metric = "none";
    for (const PostCancelSample& s : samples) {
      if (s.values[1] > 0) vi = 1;
    }
    if (vi < 0) {
      for (const PostCancelSample& s : samples)
        if (s.values[2] > 0) vi = 2;
    }
    if (vi == 1) metric = "cpu";
    if (vi == 2) metric = "wall";
    std::vector<const PostCancelSample*> kept;
    if (vi >= 0) {
      for (const PostCancelSample& s : samples)
        if (s.values[vi] > 0) kept.push_back(&s);
    }
    std::sort(kept.begin(), kept.end(), [&](const PostCancelSample* x, const PostCancelSample* y) {
      return x->values[vi] > y->values[vi];
    });
    int64_t dropped_value = 0;
    if (kept.size() > opts.max_flame_samples) {
      for (size_t i = opts.max_flame_samples; i < kept.size(); ++i) dropped_value += kept[i]->values[vi];
      st->flame_samples_dropped = kept.size() - opts.max_flame_samples;
      kept.resize(opts.max_flame_samples);
    }
    FlatMap<uint32_t> frame_index;
    json frames = json::array(), out = json::array();
    uint64_t truncated = 0;
    for (const PostCancelSample* s : kept) {
      json stack = json::array();
      const size_t n = s->frames.size();
      const size_t depth = std::min<size_t>(n, opts.max_flame_depth);
      if (depth < n) ++truncated;
      for (size_t k = 0; k < depth; ++k) {
        const FrameId f = s->frames[n - 1 - k];  // root first
        auto [slot, inserted] = frame_index.Insert(f.value(), static_cast<uint32_t>(frames.size()));
        if (inserted) {
          const Frame& fr = a.stacks().GetFrame(f);
          frames.push_back({{"func", a.Str(fr.func)}, {"file", a.Str(fr.file)}, {"line", fr.line}});
        }
        stack.push_back(*slot);
      }
      std::string label;
      for (const auto& [k, v] : s->labels) {
        if (k == "context" || k == "cause") label += (label.empty() ? "" : ", ") + k + "=" + v;
      }
      out.push_back(json::array({s->values[vi], std::move(stack), s->goroutine, label}));
    }
    st->flame_samples = kept.size();
    return json{{"metric", metric},
                {"unit", "ns"},
                {"frames", std::move(frames)},
                {"samples", std::move(out)},
                {"windows", ps.windows},
                {"cpu_samples_seen", ps.cpu_samples_seen},
                {"post_cancel_cpu_samples", ps.post_cancel_cpu_samples},
                {"samples_dropped", st->flame_samples_dropped},
                {"dropped_value", dropped_value},
                {"stacks_truncated", truncated},
                {"caps", {{"max_flame_samples", opts.max_flame_samples}, {"max_flame_depth", opts.max_flame_depth}}}};
  }
};

HtmlWriter::HtmlWriter(const HtmlOptions& options) : impl_(std::make_unique<Impl>()) { impl_->opts = options; }
HtmlWriter::~HtmlWriter() = default;
void HtmlWriter::OnEvent(const Event& e, const Reader& reader) { impl_->OnEvent(e, reader); }

bool HtmlWriter::PlanLanes(const Analysis& a) {
  impl_->PlanLanes(a);
  return !impl_->lanes.empty();
}

void HtmlWriter::OnLaneEvent(const Event& e, const StringPool& strings, const StackPool& stacks) {
  impl_->OnLaneEvent(e, strings, stacks);
}

void HtmlWriter::EndLanes(const StringPool& strings) { impl_->EndLanes(strings); }

std::string EscapeJsonForScript(std::string_view in) {
  std::string out;
  out.reserve(in.size() + in.size() / 16);
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xe2' && i + 2 < in.size() && in[i + 1] == '\x80' && (in[i + 2] == '\xa8' || in[i + 2] == '\xa9')) {
      out += in[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string HtmlWriter::Write(const Analysis& a, HtmlStats* stats) {
  CF_CHECK(impl_->planned);  // PlanLanes (and the lanes' read) come first
  HtmlStats st;
  // The page lists at most 2,000 cancellations, 3,000 contexts and draws at
  // most max_lanes lanes: the embedded document keeps about that much, within
  // a byte budget, with long strings cut (docs/outputs.md, "Size bounds").
  JsonOptions jo{impl_->opts.trace_path, -1};
  jo.max_cancellations = impl_->opts.max_cancellations;
  jo.max_woken_per_cancellation = impl_->opts.max_lanes;
  jo.max_contexts = impl_->opts.max_contexts;
  jo.max_findings = impl_->opts.max_findings;
  jo.max_goroutines = impl_->opts.max_lanes;
  jo.max_tests = impl_->opts.max_contexts;
  jo.max_bytes = impl_->opts.max_data_bytes;
  jo.max_string = impl_->opts.max_string;
  // The cancellations a finding cites first, so the capped table and the
  // arrows always hold them; then the others in time order.
  jo.cancellation_order = CancellationsCitedFirst(a, jo.max_cancellations);
  std::string doc = AnalysisToJson(a, jo);
  // AnalysisToJson's compact document is one object: splice the extra keys in
  // before its closing brace.
  while (!doc.empty() && (doc.back() == '\n' || doc.back() == ' ')) doc.pop_back();
  if (!doc.empty() && doc.back() == '}') doc.pop_back();
  json extra = {{"timeline", impl_->Timeline(a, &st)}, {"flame", impl_->Flame(a, &st)}};
  st.strings_cut = TruncateStrings(extra, impl_->opts.max_string);
  std::string extra_text = extra.dump(-1, ' ', true, json::error_handler_t::replace);  // ASCII, as AnalysisToJson
  doc += ",";
  doc.append(extra_text, 1, std::string::npos);  // drop extra's '{', keep its '}'

  const std::string_view html(kReportHtml, kReportHtmlSize);
  const std::string_view css(kReportCss, kReportCssSize);
  const std::string_view js(kReportJs, kReportJsSize);
  const std::string data = EscapeJsonForScript(doc);
  std::string out;
  out.reserve(html.size() + css.size() + js.size() + data.size());
  // The template has three markers, each on its own; assets are ours (not
  // trace data), so they are inserted verbatim.
  size_t pos = 0;
  auto copy_until = [&](std::string_view marker, std::string_view value) {
    const size_t at = html.find(marker, pos);
    if (at == std::string_view::npos) return;
    out.append(html.substr(pos, at - pos));
    out.append(value);
    pos = at + marker.size();
  };
  copy_until("/*CF_CSS*/", css);
  copy_until("/*CF_DATA*/", data);
  copy_until("/*CF_JS*/", js);
  out.append(html.substr(pos));
  st.bytes = out.size();
  if (stats) *stats = st;
  return out;
}

}  // namespace cancelflow::report
