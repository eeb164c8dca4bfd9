// Why the pass keeps slices rather than streaming them: track names (start
// function, creation site) and which goroutines get a track are only known
// after the analysis (perfetto_analysis_events.cc), and the output is
// written descriptors first (perfetto_emit.cc).
#include "report/perfetto_timeline.h"

#include <algorithm>

#include "cancelflow/reader.h"

namespace cancelflow::report::perfetto {

Goroutine& PerfettoTimeline::G(GoId id) {
  auto [slot, inserted] = g_index.Insert(static_cast<uint64_t>(id.value()), static_cast<uint32_t>(gs.size()));
  if (inserted) {
    gs.emplace_back();
    gs.back().id = id;
    gs.back().group = UINT32_MAX;
    return gs.back();
  }
  return gs[*slot];
}

uint32_t PerfettoTimeline::GroupFor(StringId start_func, FrameId site, bool has_site) {
  const uint64_t key = (static_cast<uint64_t>(start_func.value()) << 32) | (has_site ? site.value() : UINT32_MAX);
  auto [slot, inserted] = group_index.Insert(key, static_cast<uint32_t>(groups.size()));
  if (inserted) groups.push_back(Group{start_func, site, has_site});
  return *slot;
}

Slice* PerfettoTimeline::LastSlice(Goroutine& g) {
  if (!g.tail.empty()) {
    const size_t n = g.tail.size();
    return &g.tail[(g.tail_next + n - 1) % n];
  }
  return g.head.empty() ? nullptr : &g.head.back();
}

void PerfettoTimeline::AddSlice(Goroutine& g, const Slice& s) {
  g.has_events = true;
  Slice* last = LastSlice(g);
  if (last && last->kind == s.kind && last->name == s.name && last->stack == s.stack &&
      s.begin - last->end <= opts.merge_gap_ns) {
    last->end = s.end;
    ++stats.merged_slices;
    return;
  }
  const uint32_t half = std::max<uint32_t>(1, opts.max_slices_per_goroutine / 2);
  if (g.head.size() < half && stored < opts.max_records) {
    g.head.push_back(s);
    ++stored;
    return;
  }
  if (g.tail.size() < half && stored < opts.max_records) {
    g.tail.push_back(s);
    ++stored;
    return;
  }
  if (g.tail.empty()) {
    // Past the total cap: a one-slice ring, so that every goroutine still
    // shows its latest state (where a leaked one waits at the end).
    g.tail.push_back(s);
    g.latest_only = true;
    ++stored;
    ++stats.latest_only_goroutines;
    return;
  }
  g.tail[g.tail_next] = s;
  g.tail_next = static_cast<uint32_t>((g.tail_next + 1) % g.tail.size());
  ++g.dropped;
  ++(g.latest_only ? stats.dropped_total_cap : stats.dropped_goroutine_cap);
}

void PerfettoTimeline::CloseState(Goroutine& g, Time t) {
  if (g.open_kind == kNone) return;
  AddSlice(g, Slice{g.open_since, t, g.open_name, g.open_stack, g.open_kind});
  g.open_kind = kNone;
}

bool PerfettoTimeline::AddRecord(const Record& r) {
  if (stored >= opts.max_records) {
    ++stats.dropped_total_cap;
    return false;
  }
  ++stored;
  records.push_back(r);
  return true;
}

void PerfettoTimeline::OnTransition(const Event& e) {
  const StateTransition st = GetStateTransition(e);
  if (st.resource.kind != ResourceKind::kGoroutine) return;
  const uint32_t gi = static_cast<uint32_t>(&G(GoId(st.resource.id)) - gs.data());
  if (gs[gi].group == UINT32_MAX) {
    // Name and group the goroutine from the first stack that shows its start.
    StringId start;
    FrameId site;
    bool has_site = false;
    if (st.go_from() == GoState::kNotExist && st.has_stack) {
      auto frames = stacks->Frames(st.stack);
      if (!frames.empty()) start = stacks->GetFrame(frames.front()).func;
      auto creator = stacks->Frames(e.stack);
      if (!creator.empty()) {
        site = creator.front();
        has_site = true;
      }
      gs[gi].created_in_trace = true;
    }
    gs[gi].group = GroupFor(start, site, has_site);
  }
  // A goroutine that existed before the trace is named by the outermost
  // frame of the first stack it shows (its start function, as Go's stacks
  // stop above runtime.goexit).
  if (!gs[gi].created_in_trace && groups[gs[gi].group].start_func == kEmptyString) {
    const StackId known = st.has_stack && st.stack != kNoStack ? st.stack
                          : e.goroutine == gs[gi].id         ? e.stack
                                                             : kNoStack;
    auto frames = stacks->Frames(known);
    if (!frames.empty()) gs[gi].group = GroupFor(stacks->GetFrame(frames.back()).func, FrameId{}, false);
  }
  Goroutine& gg = gs[gi];
  const SpanStart open = SpanOf(st);
  const SpanState kind = open.state;
  const StringId name = open.reason;
  const StackId stack = open.stack;
  if (kind == gg.open_kind && name == gg.open_name && stack == gg.open_stack) return;  // GoStatus repeat
  CloseState(gg, e.time);
  if (kind != kNone) {
    gg.open_kind = kind;
    gg.open_since = e.time;
    gg.open_name = name;
    gg.open_stack = stack;
  }
  if (st.go_to() == GoState::kNotExist) {
    // Regions still open when the goroutine exits end with it.
    while (!gg.open_regions.empty()) CloseRegion(gi, e.time);
  }
}

void PerfettoTimeline::CloseRegion(uint32_t gi, Time t) {
  Goroutine& g = gs[gi];
  const OpenRegion r = g.open_regions.back();
  g.open_regions.pop_back();
  Record rec;
  rec.begin = r.begin;
  rec.end = t;
  rec.owner = gi;
  rec.name = r.type;
  rec.kind = RecordKind::kRegion;
  if (AddRecord(rec)) g.has_regions = g.has_events = true;
}

void PerfettoTimeline::OnEvent(const Event& e, const Reader& reader) {
  if (first_time < 0) first_time = e.time;
  last_time = e.time;
  stacks = &reader.stacks();
  event_strings = &reader.strings();
  switch (e.kind) {
    case EventKind::kStateTransition: OnTransition(e); break;
    case EventKind::kRegionBegin: {
      if (e.goroutine == kNoGoroutine) break;
      Goroutine& g = G(e.goroutine);
      g.open_regions.push_back(OpenRegion{e.time, GetRegion(e).type});
      break;
    }
    case EventKind::kRegionEnd: {
      if (e.goroutine == kNoGoroutine) break;
      Goroutine& g = G(e.goroutine);
      const uint32_t gi = static_cast<uint32_t>(&g - gs.data());
      const StringId type = GetRegion(e).type;
      auto it = std::find_if(g.open_regions.rbegin(), g.open_regions.rend(),
                             [&](const OpenRegion& r) { return r.type == type; });
      if (it == g.open_regions.rend()) {
        ++stats.unmatched_region_ends;
        break;
      }
      // Close inner regions that were never ended, then the match.
      const size_t keep = static_cast<size_t>(g.open_regions.rend() - it) - 1;
      while (gs[gi].open_regions.size() > keep) CloseRegion(gi, e.time);
      break;
    }
    case EventKind::kLog: {
      if (e.goroutine == kNoGoroutine) break;
      Goroutine& g = G(e.goroutine);
      const LogInfo l = GetLog(e);
      Record rec;
      rec.begin = rec.end = e.time;
      rec.owner = static_cast<uint32_t>(&g - gs.data());
      rec.name = l.category;
      rec.text = l.message;
      rec.kind = RecordKind::kLog;
      if (AddRecord(rec)) g.has_events = true;
      break;
    }
    case EventKind::kTaskBegin:
    case EventKind::kTaskEnd: {
      const TaskInfo t = GetTask(e);
      auto [slot, inserted] = task_index.Insert(t.id.value(), static_cast<uint32_t>(tasks.size()));
      if (inserted) {
        if (stored >= opts.max_records) {
          task_index.Erase(t.id.value());
          ++stats.dropped_total_cap;
          break;
        }
        ++stored;
        tasks.push_back(Task{t.id, t.parent, t.type, -1, -1});
      }
      Task& task = tasks[*task_index.Find(t.id.value())];
      if (task.type == kEmptyString) task.type = t.type;
      if (e.kind == EventKind::kTaskBegin) {
        task.begin = e.time;
      } else {
        task.end = e.time;
      }
      break;
    }
    case EventKind::kRangeBegin:
    case EventKind::kRangeActive:
    case EventKind::kRangeEnd: {
      const RangeInfo r = GetRange(e);
      if (r.name == RangeName::kGCMarkPhase) {
        if (e.kind != EventKind::kRangeEnd) {
          if (open_gc < 0) open_gc = e.time;
        } else {
          AddRecord(Record{open_gc < 0 ? first_time : open_gc, e.time, 0, {}, {}, RecordKind::kGC});
          open_gc = -1;
        }
      } else if (r.name == RangeName::kStopTheWorld) {
        if (e.kind != EventKind::kRangeEnd) {
          if (open_stw < 0) {
            open_stw = e.time;
            open_stw_kind = r.stw_kind;
          }
        } else {
          AddRecord(Record{open_stw < 0 ? first_time : open_stw, e.time, 0,
                           open_stw < 0 ? r.stw_kind : open_stw_kind, {}, RecordKind::kSTW});
          open_stw = -1;
        }
      }
      break;
    }
    default: break;
  }
}

void PerfettoTimeline::FinishPass(Time end) {
  for (uint32_t gi = 0; gi < gs.size(); ++gi) {
    CloseState(gs[gi], end);
    while (!gs[gi].open_regions.empty()) CloseRegion(gi, end);
  }
  if (open_gc >= 0) AddRecord(Record{open_gc, end, 0, {}, {}, RecordKind::kGC});
  if (open_stw >= 0) AddRecord(Record{open_stw, end, 0, open_stw_kind, {}, RecordKind::kSTW});
  open_gc = open_stw = -1;
}

}  // namespace cancelflow::report::perfetto
