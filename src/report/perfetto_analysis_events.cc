// Why one builder object: the sections below (cancellations, findings,
// contexts, track choice, the pass's events, the bounds instant) share the
// byte budget and the output vectors, and must run in this order (priority
// order of the budget; the track choice needs the goroutines the analysis
// named). Each section is the code of one kind of event.
#include "report/perfetto_analysis_events.h"

#include <algorithm>

#include <fmt/format.h>

#include "report/json_report.h"

namespace cancelflow::report::perfetto {

std::string UserSite(const Analysis& a, StackId stack, int user_frame) {
  const size_t n = a.stacks().Frames(stack).size();
  if (n == 0) return {};
  int k = user_frame >= 0 && static_cast<size_t>(user_frame) < n ? user_frame : a.FirstUserFrame(stack);
  if (k < 0) k = 0;
  return ShortSite(SiteAt(a, stack, k));
}

namespace {

class EventBuilder {
 public:
  EventBuilder(PerfettoTimeline& timeline, const Analysis& analysis, Time start_time, Time end_time)
      : im(timeline), a(analysis), stats(timeline.stats), start(start_time), end(end_time),
        budget_cap(timeline.opts.max_event_bytes / 2) {}

  PerfettoEvents Build() {
    AddCancellationsAndFindings();
    AddContexts();
    ChooseGoroutineTracks();
    budget_cap = im.opts.max_event_bytes;  // the rest of the budget: the pass's events
    AddTimelineEvents();
    AddBoundsInstant();
    return std::move(out);
  }

 private:
  // Goroutines the analysis refers to get a track even without events.
  uint32_t gindex(GoId id);

  // The byte budget: every event's encoded size is bounded above by
  // event_bytes (strings are cut to kMaxString), and events are only added
  // while the sum stays within max_event_bytes, in priority order: cancels
  // and their flows, findings, contexts, then goroutine slices, regions,
  // logs, GC, tasks. What does not fit is counted. The analysis' events may
  // use half of the budget, so the timeline itself always has room.
  static uint64_t event_bytes(const OutEvent& e, size_t arg_bytes) {
    return kEventOverhead + std::min(e.name.size(), kMaxString) + std::min(e.category.size(), kMaxString) +
           (e.site != kNoStack ? kMaxString + 16 : 0) + arg_bytes + 9ull * e.flow_count;
  }
  static uint64_t args_bytes(const std::vector<Arg>& v) {
    uint64_t n = 0;
    for (const Arg& x : v) n += 24 + std::min(x.name.size(), kMaxString) + std::min(x.str.size(), kMaxString);
    return n;
  }
  bool fits(uint64_t bytes) {
    if (budget_used + bytes > budget_cap) return false;
    budget_used += bytes;
    return true;
  }
  bool push(const OutEvent& e, uint64_t arg_bytes) {
    if (!fits(event_bytes(e, arg_bytes))) {
      ++stats.dropped_bytes_cap;
      return false;
    }
    evs.push_back(e);
    return true;
  }
  std::string_view own(std::string s) { return names.emplace_back(std::move(s)); }
  uint32_t add_args(std::vector<Arg> v) {
    args.push_back(std::move(v));
    return static_cast<uint32_t>(args.size() - 1);
  }
  static Arg S(std::string n, std::string v) { return Arg{std::move(n), std::move(v), 0, false}; }
  static Arg N(std::string n, int64_t v) { return Arg{std::move(n), {}, v, true}; }

  void AddCancellationsAndFindings();
  void AddContexts();
  void ChooseGoroutineTracks();
  void AddTimelineEvents();
  void AddBoundsInstant();

  PerfettoTimeline& im;
  const Analysis& a;
  PerfettoStats& stats;
  const Time start, end;
  uint64_t budget_used = 0;
  uint64_t budget_cap;
  PerfettoEvents out;
  std::vector<OutEvent>& evs = out.evs;
  std::vector<std::vector<Arg>>& args = out.args;
  std::vector<uint64_t>& flows = out.flows;
  std::deque<std::string>& names = out.names;
  FlatMap<uint32_t>& ctx_index = out.ctx_index;
  size_t& context_tracks = out.context_tracks;
  FlatMap<uint32_t>& task_track = out.task_track;
  size_t& task_tracks = out.task_tracks;
};

// Goroutines the analysis refers to get a track even without events.
uint32_t EventBuilder::gindex(GoId id) {
  if (id == kNoGoroutine) return UINT32_MAX;
  Goroutine& g = im.G(id);
  if (g.group == UINT32_MAX) {
    const GoroutineInfo* info = a.Goroutine(id);
    StringId start_func = info ? info->start_func : StringId{};
    FrameId site;
    bool has_site = false;
    if (info) {
      auto frames = a.stacks().Frames(info->creation_stack);
      if (!frames.empty()) {
        site = frames.front();
        has_site = true;
      }
    }
    // Re-find: GroupFor does not touch gs, but G() may have moved it.
    im.gs[*im.g_index.Find(static_cast<uint64_t>(id.value()))].group = im.GroupFor(start_func, site, has_site);
  }
  const uint32_t gi = *im.g_index.Find(static_cast<uint64_t>(id.value()));
  im.gs[gi].has_events = im.gs[gi].named = true;
  return gi;
}

void EventBuilder::AddCancellationsAndFindings() {
  // ---- Analysis-derived events (cancels, flows, findings) -------------------
  // Goroutines per finding rule, for naming the woken instants.
  FlatMap<uint8_t> finding_rule;  // goid -> 1 + Rule of the first finding naming it
  for (const Finding& f : a.findings)
    for (GoId g : f.goroutines) finding_rule.Insert(static_cast<uint64_t>(g.value()), static_cast<uint8_t>(1 + static_cast<int>(f.rule)));

  // Cancellations drawn: those a finding cites first, then the others in
  // time order, up to max_cancellations; each with at most
  // max_flows_per_cancellation arrows, max_flows in all.
  const std::vector<uint32_t> drawn_cancels = CancellationsCitedFirst(a, im.opts.max_cancellations);
  stats.dropped_cancellations = a.cancellations.size() - drawn_cancels.size();
  uint64_t next_flow = 1;
  for (const uint32_t ci : drawn_cancels) {
    const Cancellation& c = a.cancellations[ci];
    const uint32_t cg = gindex(c.canceler);
    OutEvent ce;
    ce.begin = ce.end = c.time >= 0 ? c.time : start;
    ce.track = cg == UINT32_MAX ? kTrackCancels : Uuid(kNsGoroutine, cg);
    ce.name = own(fmt::format("cancel ({})", CancelKindName(c.kind)));
    ce.category = "cancel";
    ce.instant = true;
    std::vector<Arg> cargs{N("cancellation", c.index), S("kind", std::string(CancelKindName(c.kind))),
                           N("woken", static_cast<int64_t>(c.woken.size()))};
    if (!c.cause.empty()) cargs.push_back(S("cause", c.cause));
    if (c.context_id) cargs.push_back(N("context", static_cast<int64_t>(c.context_id)));
    if (std::string site = UserSite(a, c.canceler_stack, c.user_frame); !site.empty())
      cargs.push_back(S("canceler site", std::move(site)));
    const uint64_t ce_bytes = event_bytes(ce, args_bytes(cargs) + 9 * c.woken.size());
    if (!fits(ce_bytes)) {
      ++stats.dropped_cancellations;
      ++stats.dropped_bytes_cap;
      continue;
    }
    ce.args = add_args(std::move(cargs));
    ce.flow_begin = static_cast<uint32_t>(flows.size());
    uint32_t drawn_flows = 0;
    for (const WokenGoroutine& w : c.woken) {
      if (drawn_flows >= im.opts.max_flows_per_cancellation || stats.flows >= im.opts.max_flows) {
        ++stats.dropped_flows;
        continue;
      }
      const uint32_t wg = gindex(w.goroutine);
      OutEvent we;
      // A flow must start before it terminates (trace_processor drops the
      // arrow otherwise): the wake is drawn no earlier than its cancel.
      we.begin = we.end = std::max(w.unblocked, ce.begin);
      we.track = Uuid(kNsGoroutine, wg);
      const uint8_t* rule = finding_rule.Find(static_cast<uint64_t>(w.goroutine.value()));
      const bool ignored = rule && (*rule == 1 + static_cast<int>(Rule::kIgnoredCancel) ||
                                    *rule == 1 + static_cast<int>(Rule::kLeakedGoroutine));
      we.name = ignored ? "ignored cancel" : "woken by cancel";
      we.category = ignored ? "cancel,finding" : "cancel";
      we.instant = true;
      we.terminating = true;
      std::vector<Arg> wargs{N("cancellation", c.index), N("depth", w.depth),
                             S("outcome", std::string(WakeOutcomeName(w.outcome)))};
      // The definitions of the findings (docs/findings.md, "Response").
      if (w.response_latency() >= 0) wargs.push_back(N("time to respond (ns)", w.response_latency()));
      if (w.latency() >= 0) wargs.push_back(N("time to next block (ns)", w.latency()));
      if (w.via_afterfunc) wargs.push_back(S("via", "AfterFunc"));
      if (w.next_block_reason != kEmptyString) wargs.push_back(S("next block", std::string(a.Str(w.next_block_reason))));
      if (rule) wargs.push_back(S("rule", std::string(RuleId(static_cast<Rule>(*rule - 1)))));
      we.site = w.next_block_stack;
      we.flow_count = 1;
      if (!fits(event_bytes(we, args_bytes(wargs)))) {
        ++stats.dropped_flows;
        ++stats.dropped_bytes_cap;
        continue;
      }
      we.args = add_args(std::move(wargs));
      flows.push_back(next_flow++);
      we.flow_begin = static_cast<uint32_t>(flows.size() - 1);
      evs.push_back(we);
      ++drawn_flows;
      ++stats.flows;
    }
    ce.flow_count = drawn_flows;
    evs.push_back(ce);
  }

  for (const Finding& f : a.findings) {
    uint32_t marked = 0;
    for (GoId g : f.goroutines) {
      if (marked >= im.opts.max_instants_per_finding) {
        ++stats.dropped_finding_instants;
        continue;
      }
      const uint32_t gi = gindex(g);
      const GoroutineInfo* info = a.Goroutine(g);
      OutEvent fe;
      Time t = info && info->blocked_since >= 0 ? info->blocked_since : end;
      if (f.cancellation >= 0 && static_cast<size_t>(f.cancellation) < a.cancellations.size()) {
        const Cancellation& c = a.cancellations[static_cast<size_t>(f.cancellation)];
        for (const WokenGoroutine& w : c.woken)
          if (w.goroutine == g && w.unblocked >= 0) t = w.unblocked;
        if (c.time >= 0 && t < c.time) t = c.time;
      }
      fe.begin = fe.end = t;
      fe.track = Uuid(kNsGoroutine, gi);
      fe.name = own(fmt::format("finding: {}", RuleId(f.rule)));
      fe.category = "finding";
      fe.instant = true;
      fe.site = info ? info->block_stack : f.block_stack;
      std::vector<Arg> fargs{S("rule", std::string(RuleId(f.rule))),
                             S("severity", std::string(SeverityName(f.severity))), S("message", f.message)};
      if (!f.hint.empty()) fargs.push_back(S("hint", f.hint));
      if (f.context_id) fargs.push_back(N("context", static_cast<int64_t>(f.context_id)));
      if (!f.test.empty()) fargs.push_back(S("test", f.test));
      fargs.push_back(S("fingerprint", f.fingerprint));
      if (!fits(event_bytes(fe, args_bytes(fargs)))) {
        ++stats.dropped_finding_instants;
        ++stats.dropped_bytes_cap;
        continue;
      }
      fe.args = add_args(std::move(fargs));
      evs.push_back(fe);
      ++marked;
    }
  }
}

void EventBuilder::AddContexts() {
  // ---- Contexts ---------------------------------------------------------------
  // The first max_context_tracks contexts (creation order: parents first).
  context_tracks = std::min<size_t>(a.contexts.size(), im.opts.max_context_tracks);
  stats.dropped_contexts = a.contexts.size() - context_tracks;
  for (size_t i = 0; i < context_tracks; ++i) ctx_index.Insert(a.contexts[i].id, static_cast<uint32_t>(i));
  for (size_t i = 0; i < context_tracks; ++i) {
    const ContextInfo& c = a.contexts[i];
    OutEvent e;
    e.begin = c.created >= 0 ? c.created : start;
    e.end = c.done >= 0 ? c.done : (c.canceled >= 0 ? c.canceled : end);
    if (e.end < e.begin) e.end = e.begin;
    e.track = Uuid(kNsContext, i);
    e.name = own(c.kind.empty() ? std::string("context") : c.kind);
    e.category = "context";
    std::vector<Arg> cargs{N("context", static_cast<int64_t>(c.id))};
    if (!c.created_at.empty()) cargs.push_back(S("created at", fmt::format("{} {}:{}", c.created_at.func, c.created_at.file, c.created_at.line)));
    if (!c.done_by.empty()) cargs.push_back(S("done by", c.done_by));
    if (!c.err.empty()) cargs.push_back(S("err", c.err));
    if (!c.cause.empty()) cargs.push_back(S("cause", c.cause));
    if (!c.cancel_site.empty()) cargs.push_back(S("cancel site", fmt::format("{} {}:{}", c.cancel_site.func, c.cancel_site.file, c.cancel_site.line)));
    cargs.push_back(S("cancel called", c.cancel_called ? "true" : "false"));
    if (!c.leak_reason.empty()) cargs.push_back(S("leak", c.leak_reason));
    if (c.done < 0) cargs.push_back(S("state", "not done at trace end"));
    if (!fits(event_bytes(e, args_bytes(cargs)))) {
      ++stats.dropped_bytes_cap;
      continue;
    }
    e.args = add_args(std::move(cargs));
    evs.push_back(e);
    if (c.canceled >= 0 && c.canceled != c.done) {
      OutEvent k;
      k.begin = k.end = c.canceled;
      k.track = e.track;
      k.name = "cancel called";
      k.category = "context";
      k.instant = true;
      if (fits(event_bytes(k, 0))) {
        evs.push_back(k);
      } else {
        ++stats.dropped_bytes_cap;
      }
    }
  }
}

void EventBuilder::ChooseGoroutineTracks() {
  // ---- Goroutine tracks: the ones the analysis names, then the others in the
  // order they appeared, up to max_goroutine_tracks -------------------------------
  {
    uint64_t tracks = 0;
    for (int pass = 0; pass < 2; ++pass) {
      for (Goroutine& g : im.gs) {
        if (!g.has_events || g.group == UINT32_MAX || g.drawn || g.named != (pass == 0)) continue;
        if (tracks < im.opts.max_goroutine_tracks) {
          g.drawn = true;
          ++tracks;
        } else {
          ++stats.dropped_goroutine_tracks;
        }
      }
    }
  }
}

void EventBuilder::AddTimelineEvents() {
  // ---- Pass-derived events ------------------------------------------------------
  auto state_event = [&](uint32_t gi, const Slice& s) {
    OutEvent e;
    e.begin = s.begin;
    e.end = s.end;
    e.track = Uuid(kNsGoroutine, gi);
    e.category = "sched";
    switch (s.kind) {
      case kRunning: e.name = "running"; break;
      case kSyscall: e.name = "syscall"; break;
      default:
        e.name = s.name == kEmptyString ? std::string_view("blocked") : a.Str(s.name);
        e.site = s.stack;
        break;
    }
    push(e, 0);
  };
  for (uint32_t gi = 0; gi < im.gs.size(); ++gi) {
    const Goroutine& g = im.gs[gi];
    if (!g.drawn) continue;
    for (const Slice& s : g.head) state_event(gi, s);
    if (g.dropped > 0) {
      OutEvent d;
      d.begin = d.end = g.head.empty() ? start : g.head.back().end;
      d.track = Uuid(kNsGoroutine, gi);
      d.name = own(fmt::format("{} slices dropped", g.dropped));
      d.category = "cancelflow";
      d.instant = true;
      push(d, 0);
    }
    const size_t n = g.tail.size();
    for (size_t k = 0; k < n; ++k) state_event(gi, g.tail[(g.tail_next + k) % n]);
  }
  for (const Record& r : im.records) {
    if ((r.kind == RecordKind::kRegion || r.kind == RecordKind::kLog) && !im.gs[r.owner].drawn) continue;
    OutEvent e;
    e.begin = r.begin;
    e.end = r.end;
    switch (r.kind) {
      case RecordKind::kRegion:
        e.track = Uuid(kNsRegions, r.owner);
        e.name = r.name == kEmptyString ? std::string_view("region") : a.Str(r.name);
        e.category = "region";
        break;
      case RecordKind::kLog:
        e.track = Uuid(kNsGoroutine, r.owner);
        e.name = r.name == kEmptyString ? std::string_view("log") : a.Str(r.name);
        e.category = "log";
        e.instant = true;
        break;
      case RecordKind::kGC:
        e.track = kTrackGC;
        e.name = "GC concurrent mark phase";
        e.category = "gc";
        break;
      case RecordKind::kSTW:
        e.track = kTrackSTW;
        e.name = own(fmt::format("stop-the-world ({})", a.Str(r.name)));
        e.category = "gc";
        break;
    }
    if (r.kind == RecordKind::kLog) {
      std::vector<Arg> largs{S("message", std::string(a.Str(r.text).substr(0, kMaxString)))};
      if (!fits(event_bytes(e, args_bytes(largs)))) {
        ++stats.dropped_bytes_cap;
        continue;
      }
      e.args = add_args(std::move(largs));
      evs.push_back(e);
    } else {
      push(e, 0);
    }
  }
  task_tracks = std::min<size_t>(im.tasks.size(), im.opts.max_task_tracks);
  stats.dropped_tasks = im.tasks.size() - task_tracks;
  for (size_t i = 0; i < task_tracks; ++i) {
    const Task& t = im.tasks[i];
    task_track.Insert(t.id.value(), static_cast<uint32_t>(i));
    OutEvent e;
    e.begin = t.begin >= 0 ? t.begin : start;
    e.end = t.end >= 0 ? t.end : end;
    if (e.end < e.begin) e.end = e.begin;
    e.track = Uuid(kNsTask, i);
    e.name = t.type == kEmptyString ? std::string_view("task") : a.Str(t.type);
    e.category = "task";
    if (fits(event_bytes(e, 64))) {
      e.args = add_args({N("task", static_cast<int64_t>(t.id.value()))});
      evs.push_back(e);
    } else {
      ++stats.dropped_bytes_cap;
    }
  }
}

void EventBuilder::AddBoundsInstant() {
  // Stats are final once every event is built (the meta instant reports them).
  for (const OutEvent& e : evs) (e.instant ? stats.instants : stats.slices)++;
  ++stats.instants;
  {
    OutEvent m;
    m.begin = m.end = start;
    m.track = kTrackMeta;
    m.name = "cancelflow output bounds";
    m.category = "cancelflow";
    m.instant = true;
    m.args = add_args({N("max_slices_per_goroutine", im.opts.max_slices_per_goroutine),
                       N("max_records", static_cast<int64_t>(im.opts.max_records)),
                       N("merge_gap_ns", im.opts.merge_gap_ns),
                       N("merged_slices", static_cast<int64_t>(stats.merged_slices)),
                       N("dropped_goroutine_cap", static_cast<int64_t>(stats.dropped_goroutine_cap)),
                       N("dropped_total_cap", static_cast<int64_t>(stats.dropped_total_cap)),
                       N("latest_only_goroutines", static_cast<int64_t>(stats.latest_only_goroutines)),
                       N("unmatched_region_ends", static_cast<int64_t>(stats.unmatched_region_ends)),
                       N("dropped_cancellations", static_cast<int64_t>(stats.dropped_cancellations)),
                       N("dropped_flows", static_cast<int64_t>(stats.dropped_flows)),
                       N("dropped_finding_instants", static_cast<int64_t>(stats.dropped_finding_instants)),
                       N("dropped_goroutine_tracks", static_cast<int64_t>(stats.dropped_goroutine_tracks)),
                       N("dropped_contexts", static_cast<int64_t>(stats.dropped_contexts)),
                       N("dropped_tasks", static_cast<int64_t>(stats.dropped_tasks)),
                       N("dropped_bytes_cap", static_cast<int64_t>(stats.dropped_bytes_cap))});
    evs.push_back(m);
  }
}

}  // namespace

PerfettoEvents BuildEvents(PerfettoTimeline& im, const Analysis& a, Time start, Time end) {
  return EventBuilder(im, a, start, end).Build();
}

}  // namespace cancelflow::report::perfetto
