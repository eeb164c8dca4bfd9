// Why the descriptors are written before the events and the events sorted
// here rather than as they were built: the UI and trace_processor resolve a
// TrackEvent's track from descriptors already seen, and the builder adds
// events in budget priority order, not in time order.
#include "report/perfetto_emit.h"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/flat_map.h"
#include "base/inert_text.h"
#include "report/bounds.h"
#include "report/module_goroutines.h"
#include "report/protobuf_writer.h"

namespace cancelflow::report::perfetto {

namespace {

// ---- Field numbers (proto/perfetto_trace_subset.proto) ---------------------
namespace pf {
constexpr uint32_t kTracePacket = 1;  // Trace.packet
// TracePacket
constexpr uint32_t kTimestamp = 8;
constexpr uint32_t kTrustedPacketSequenceId = 10;
constexpr uint32_t kTrackEvent = 11;
constexpr uint32_t kTrackDescriptor = 60;
// TrackDescriptor
constexpr uint32_t kTdUuid = 1;
constexpr uint32_t kTdName = 2;
constexpr uint32_t kTdProcess = 3;
constexpr uint32_t kTdThread = 4;
constexpr uint32_t kTdParentUuid = 5;
constexpr uint32_t kTdSiblingOrderRank = 12;
constexpr uint32_t kTdThreadOrdering = 20;
constexpr uint64_t kThreadOrderingExplicit = 1;  // TrackDescriptor.ThreadOrdering
// ProcessDescriptor
constexpr uint32_t kPdPid = 1;
constexpr uint32_t kPdProcessName = 6;
// ThreadDescriptor
constexpr uint32_t kThdPid = 1;
constexpr uint32_t kThdTid = 2;
constexpr uint32_t kThdThreadName = 5;
// TrackEvent
constexpr uint32_t kTeDebugAnnotations = 4;
constexpr uint32_t kTeType = 9;
constexpr uint32_t kTeTrackUuid = 11;
constexpr uint32_t kTeCategories = 22;
constexpr uint32_t kTeName = 23;
constexpr uint32_t kTeFlowIds = 47;
constexpr uint32_t kTeTerminatingFlowIds = 48;
// TrackEvent.Type
constexpr uint64_t kSliceBegin = 1;
constexpr uint64_t kSliceEnd = 2;
constexpr uint64_t kInstant = 3;
// DebugAnnotation
constexpr uint32_t kDaUintValue = 3;
constexpr uint32_t kDaIntValue = 4;
constexpr uint32_t kDaStringValue = 6;
constexpr uint32_t kDaName = 10;
}  // namespace pf

constexpr uint32_t kSequenceId = 1;

// pids are small (1 + group index, below Linux's pid_max, as the UI and
// trace_processor expect of a process), and tids live above every pid so a
// goroutine is never taken for a process's main thread (tid == pid).
constexpr int64_t kPidMax = int64_t{1} << 22;
constexpr int64_t kTidBase = kPidMax;
constexpr int64_t Pid(uint32_t group) { return 1 + static_cast<int64_t>(group); }
// Goroutine ids below 2^30 keep their number (+ kTidBase); others (never seen
// from Go, but the trace is untrusted) get a slot of their own above that.
constexpr int64_t Tid(GoId g, uint32_t index) {
  return g.value() > 0 && g.value() < (int64_t{1} << 30) ? kTidBase + g.value()
                                                         : kTidBase + (int64_t{1} << 30) + index;
}

// Writes the inert form of s (what ProtoWriter::String writes) cut to at
// most kMaxString bytes at a UTF-8 boundary; counts the strings cut.
void PutString(ProtoWriter& p, uint32_t field, std::string_view s, uint64_t* cut) {
  if (s.size() <= kMaxString && IsInertText(s)) {
    p.String(field, s);
    return;
  }
  std::string t = InertText(s);
  if (t.size() > kMaxString) {
    t.resize(Utf8Prefix(t, kMaxString));
    ++*cut;
  }
  p.String(field, t);
}

struct Item {
  Time ts;
  uint8_t phase;   // 0 end, 1 instant, 2 begin
  Time secondary;  // nesting order at equal ts
  uint32_t event;
};

// Buffers packets and hands them to the sink in ~1 MiB chunks.
class PacketStream {
 public:
  explicit PacketStream(const std::function<void(std::string_view)>& sink) : sink_(sink) {}
  ~PacketStream() { Flush(); }
  ProtoWriter& packet() { return pkt_; }
  // Appends pkt_ as one Trace.packet and clears it.
  void Commit() {
    out_.Message(pf::kTracePacket, pkt_.data());
    pkt_.Clear();
    if (out_.size() >= (1u << 20)) Flush();
  }
  void Flush() {
    if (out_.size() == 0) return;
    bytes_ += out_.size();
    sink_(out_.data());
    out_.Clear();
  }
  uint64_t bytes() const { return bytes_ + out_.size(); }

 private:
  const std::function<void(std::string_view)>& sink_;
  ProtoWriter pkt_;
  ProtoWriter out_;
  uint64_t bytes_ = 0;
};

}  // namespace

void EmitTrace(PerfettoTimeline& im, const Analysis& a, const PerfettoEvents& ev,
               const std::function<void(std::string_view)>& sink) {
  PerfettoStats& stats = im.stats;
  const std::vector<OutEvent>& evs = ev.evs;
  const std::vector<std::vector<Arg>>& args = ev.args;
  const std::vector<uint64_t>& flows = ev.flows;
  const FlatMap<uint32_t>& ctx_index = ev.ctx_index;
  const size_t context_tracks = ev.context_tracks;
  const FlatMap<uint32_t>& task_track = ev.task_track;
  const size_t task_tracks = ev.task_tracks;

  // ---- Write: descriptors, then events in time order --------------------------
  PacketStream out(sink);
  auto descriptor = [&](uint64_t uuid, uint64_t parent, std::string_view name) {
    ProtoWriter& p = out.packet();
    p.Varint(pf::kTrustedPacketSequenceId, kSequenceId);
    auto td = p.BeginMessage(pf::kTrackDescriptor);
    p.Varint(pf::kTdUuid, uuid);
    if (parent) p.Varint(pf::kTdParentUuid, parent);
    PutString(p, pf::kTdName, name, &stats.strings_cut);
    p.EndMessage(td);
    out.Commit();
    ++stats.tracks;
  };
  descriptor(kTrackMeta, 0, "cancelflow");
  if (!a.cancellations.empty()) descriptor(kTrackCancels, 0, "cancellations (canceler unknown)");
  bool have_gc = false, have_stw = false;
  for (const Record& r : im.records) {
    have_gc |= r.kind == RecordKind::kGC;
    have_stw |= r.kind == RecordKind::kSTW;
  }
  if (have_gc) descriptor(kTrackGC, 0, "GC");
  if (have_stw) descriptor(kTrackSTW, 0, "STW");

  // Groups and goroutines (only those with something to draw).
  std::vector<uint8_t> group_used(im.groups.size(), 0);
  for (const Goroutine& g : im.gs)
    if (g.drawn) group_used[g.group] = 1;
  for (size_t i = 0; i < im.groups.size(); ++i) {
    if (!group_used[i]) continue;
    const Group& gr = im.groups[i];
    std::string name = gr.start_func == kEmptyString ? std::string("(unknown start)") : std::string(a.Str(gr.start_func));
    if (IsModuleGoroutine(a.Str(gr.start_func))) name = fmt::format("{} {}", kModuleMark, name);
    if (gr.has_site) {
      name += " <- ";
      name += ShortSite(SiteAt(a, gr.site));
    } else {
      name += " (existed at trace start)";
    }
    ProtoWriter& p = out.packet();
    p.Varint(pf::kTrustedPacketSequenceId, kSequenceId);
    auto td = p.BeginMessage(pf::kTrackDescriptor);
    p.Varint(pf::kTdUuid, Uuid(kNsGroup, i));
    auto pd = p.BeginMessage(pf::kTdProcess);
    p.Int64(pf::kPdPid, Pid(static_cast<uint32_t>(i)));
    PutString(p, pf::kPdProcessName, name, &stats.strings_cut);
    p.EndMessage(pd);
    // Goroutine tracks in the order the goroutines start (sibling_order_rank).
    p.Varint(pf::kTdThreadOrdering, pf::kThreadOrderingExplicit);
    p.EndMessage(td);
    out.Commit();
    ++stats.tracks;
  }
  // Goroutine tracks by start (first event on the track), ranked within their group.
  std::vector<Time> first_ts(im.gs.size(), std::numeric_limits<Time>::max());
  for (const OutEvent& e : evs) {
    if ((e.track & 7) != kNsGoroutine) continue;
    Time& t = first_ts[e.track >> 3];
    t = std::min(t, e.begin);
  }
  std::vector<uint32_t> by_start;
  for (uint32_t gi = 0; gi < im.gs.size(); ++gi)
    if (im.gs[gi].drawn) by_start.push_back(gi);
  std::stable_sort(by_start.begin(), by_start.end(), [&](uint32_t x, uint32_t y) { return first_ts[x] < first_ts[y]; });
  std::vector<uint32_t> group_rank(im.groups.size(), 0);
  for (const uint32_t gi : by_start) {
    const Goroutine& g = im.gs[gi];
    const Group& gr = im.groups[g.group];
    const GoroutineInfo* info = a.Goroutine(g.id);
    std::string name = fmt::format("{} g{}", gr.start_func == kEmptyString ? "goroutine" : a.Str(gr.start_func), g.id.value());
    if (info && !info->name.empty()) name = fmt::format("{} ({})", name, info->name);
    if (IsModuleGoroutine(a.Str(gr.start_func))) name = fmt::format("{} {}", kModuleMark, name);
    ProtoWriter& p = out.packet();
    p.Varint(pf::kTrustedPacketSequenceId, kSequenceId);
    auto td = p.BeginMessage(pf::kTrackDescriptor);
    p.Varint(pf::kTdUuid, Uuid(kNsGoroutine, gi));
    auto th = p.BeginMessage(pf::kTdThread);
    p.Int64(pf::kThdPid, Pid(g.group));
    p.Int64(pf::kThdTid, Tid(g.id, gi));
    PutString(p, pf::kThdThreadName, name, &stats.strings_cut);
    p.EndMessage(th);
    p.Varint(pf::kTdSiblingOrderRank, group_rank[g.group]++);
    p.EndMessage(td);
    out.Commit();
    ++stats.tracks;
    if (g.has_regions) descriptor(Uuid(kNsRegions, gi), Uuid(kNsGoroutine, gi), fmt::format("g{} regions", g.id.value()));
  }
  if (!a.contexts.empty()) descriptor(kTrackContexts, 0, "contexts");
  for (size_t i = 0; i < context_tracks; ++i) {
    const ContextInfo& c = a.contexts[i];
    const uint32_t* parent = c.parent ? ctx_index.Find(c.parent) : nullptr;
    std::string name = fmt::format("ctx {} {}", c.id, c.kind);
    if (!c.created_at.func.empty()) name += fmt::format(" ({})", c.created_at.func);
    descriptor(Uuid(kNsContext, i), parent ? Uuid(kNsContext, *parent) : kTrackContexts, name);
  }
  if (!im.tasks.empty()) descriptor(kTrackTasks, 0, "tasks");
  for (size_t i = 0; i < task_tracks; ++i) {
    const Task& t = im.tasks[i];
    const uint32_t* parent = t.parent != kNoTask && t.parent != kBackgroundTask ? task_track.Find(t.parent.value()) : nullptr;
    descriptor(Uuid(kNsTask, i), parent ? Uuid(kNsTask, *parent) : kTrackTasks,
               fmt::format("task {} {}", t.id.value(), t.type == kEmptyString ? "" : a.Str(t.type)));
  }

  std::vector<Item> items;
  items.reserve(evs.size() * 2);
  for (uint32_t i = 0; i < evs.size(); ++i) {
    const OutEvent& e = evs[i];
    if (e.instant) {
      // At equal times, instants that start flows come before those ending them.
      items.push_back(Item{e.begin, 1, e.terminating ? 1 : 0, i});
    } else {
      // Begins: outer (longer) first; ends: inner (later begin) first.
      items.push_back(Item{e.begin, 2, -e.end, i});
      items.push_back(Item{e.end, 0, -e.begin, i});
    }
  }
  std::sort(items.begin(), items.end(), [](const Item& x, const Item& y) {
    if (x.ts != y.ts) return x.ts < y.ts;
    if (x.phase != y.phase) return x.phase < y.phase;
    if (x.secondary != y.secondary) return x.secondary < y.secondary;
    return x.event < y.event;
  });

  FlatMap<uint32_t> site_cache;  // stack -> index into site_strings
  std::vector<std::string> site_strings;
  for (const Item& it : items) {
    const OutEvent& e = evs[it.event];
    ProtoWriter& p = out.packet();
    p.Varint(pf::kTimestamp, static_cast<uint64_t>(std::max<Time>(it.ts, 0)));
    p.Varint(pf::kTrustedPacketSequenceId, kSequenceId);
    auto te = p.BeginMessage(pf::kTrackEvent);
    p.Varint(pf::kTeType, it.phase == 0 ? pf::kSliceEnd : it.phase == 1 ? pf::kInstant : pf::kSliceBegin);
    p.Varint(pf::kTeTrackUuid, e.track);
    if (it.phase != 0) {
      PutString(p, pf::kTeCategories, e.category, &stats.strings_cut);
      PutString(p, pf::kTeName, e.name, &stats.strings_cut);
      auto annotate_str = [&](std::string_view n, std::string_view v) {
        auto da = p.BeginMessage(pf::kTeDebugAnnotations);
        PutString(p, pf::kDaName, n, &stats.strings_cut);
        PutString(p, pf::kDaStringValue, v, &stats.strings_cut);
        p.EndMessage(da);
      };
      if (e.site != kNoStack) {
        auto [slot, inserted] = site_cache.Insert(e.site.value(), static_cast<uint32_t>(site_strings.size()));
        if (inserted) site_strings.push_back(UserSite(a, e.site));
        const std::string& site = site_strings[*slot];
        if (!site.empty()) annotate_str("site", site);
      }
      if (e.args != UINT32_MAX) {
        for (const Arg& arg : args[e.args]) {
          if (arg.is_num) {
            auto da = p.BeginMessage(pf::kTeDebugAnnotations);
            PutString(p, pf::kDaName, arg.name, &stats.strings_cut);
            if (arg.num >= 0) {
              p.Varint(pf::kDaUintValue, static_cast<uint64_t>(arg.num));
            } else {
              p.Int64(pf::kDaIntValue, arg.num);
            }
            p.EndMessage(da);
          } else {
            annotate_str(arg.name, arg.str);
          }
        }
      }
      for (uint32_t k = 0; k < e.flow_count; ++k)
        p.Fixed64(e.terminating ? pf::kTeTerminatingFlowIds : pf::kTeFlowIds, flows[e.flow_begin + k]);
    }
    p.EndMessage(te);
    out.Commit();
  }
  out.Flush();
  stats.bytes = out.bytes();
}

}  // namespace cancelflow::report::perfetto
