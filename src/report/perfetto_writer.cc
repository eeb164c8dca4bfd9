// Why the writer buffers instead of streaming events as they arrive:
// cancellation flows, finding marks and context tracks are only known once
// the analysis pass has finished, and track names (start function, creation
// site) must be in the TrackDescriptors written before the events. The
// bounds in the header keep the buffer proportional to the options, not to
// the trace.
//
// Field numbers follow proto/perfetto_trace_subset.proto (same numbers as
// upstream google/perfetto protos/perfetto/trace/...).
#include "report/perfetto_writer.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "analysis/stack_patterns.h"
#include "base/check.h"
#include "base/flat_map.h"
#include "base/inert_text.h"
#include "cancelflow/reader.h"
#include "report/json_report.h"
#include "report/module_goroutines.h"
#include "report/protobuf_writer.h"

namespace cancelflow::report {

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

// Track uuids: (index << 3) | namespace, so ids never collide, are never 0,
// and stay short varints (every TrackEvent repeats its track's uuid).
constexpr uint64_t Uuid(uint64_t ns, uint64_t index) { return (index << 3) | ns; }
constexpr uint64_t kNsGoroutine = 1, kNsGroup = 2, kNsRegions = 3, kNsContext = 4, kNsTask = 5, kNsGlobal = 6;
constexpr uint64_t kTrackGC = Uuid(kNsGlobal, 1);
constexpr uint64_t kTrackSTW = Uuid(kNsGlobal, 2);
constexpr uint64_t kTrackContexts = Uuid(kNsGlobal, 3);
constexpr uint64_t kTrackTasks = Uuid(kNsGlobal, 4);
constexpr uint64_t kTrackMeta = Uuid(kNsGlobal, 5);
constexpr uint64_t kTrackCancels = Uuid(kNsGlobal, 6);  // cancels whose canceler has no track

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

// Every string written is cut to kMaxString bytes (names, categories,
// annotation values, track names), so an event's size has an upper bound:
// kEventOverhead covers its two packets' fixed fields (timestamps, sequence
// id, type, track uuid, message headers).
constexpr size_t kMaxString = 256;
constexpr uint64_t kEventOverhead = 64;

// Writes the inert form of s (what ProtoWriter::String writes) cut to at
// most kMaxString bytes at a UTF-8 boundary; counts the strings cut.
void PutString(ProtoWriter& p, uint32_t field, std::string_view s, uint64_t* cut) {
  if (s.size() <= kMaxString && IsInertText(s)) {
    p.String(field, s);
    return;
  }
  std::string t = InertText(s);
  if (t.size() > kMaxString) {
    size_t n = kMaxString;
    while (n > 0 && (static_cast<unsigned char>(t[n]) & 0xC0) == 0x80) --n;
    t.resize(n);
    ++*cut;
  }
  p.String(field, t);
}

enum class SliceKind : uint8_t { kNone, kRunning, kBlocked, kSyscall };

struct Slice {
  Time begin = 0;
  Time end = 0;
  StringId name;  // block reason (kBlocked)
  StackId stack;  // block stack (kBlocked)
  SliceKind kind = SliceKind::kNone;
};

struct OpenRegion {
  Time begin;
  StringId type;
};

struct Goroutine {
  GoId id;
  uint32_t group = 0;
  bool created_in_trace = false;
  // The open state slice.
  SliceKind open_kind = SliceKind::kNone;
  Time open_since = 0;
  StringId open_name;
  StackId open_stack;
  // Kept state slices: the first half, then a ring of the latest.
  std::vector<Slice> head;
  std::vector<Slice> tail;
  uint32_t tail_next = 0;
  bool latest_only = false;  // tail is the one-slice ring past max_records
  uint64_t dropped = 0;
  std::vector<OpenRegion> open_regions;
  bool has_regions = false;
  bool has_events = false;  // anything to draw (slices, instants, regions)
  bool named = false;       // the analysis refers to it (cancel, wake, finding): drawn first
  bool drawn = false;       // has a track (within max_goroutine_tracks)
};

struct Group {
  StringId start_func;
  FrameId site;  // creation site (leaf frame of the creator's stack)
  bool has_site = false;
};

// A slice or instant stored during the pass outside the per-goroutine
// state slices: regions, logs, tasks, GC and STW ranges.
enum class RecordKind : uint8_t { kRegion, kLog, kGC, kSTW };
struct Record {
  Time begin = 0;
  Time end = 0;        // == begin for instants
  uint32_t owner = 0;  // goroutine index (regions, logs)
  StringId name;
  StringId text;  // log message
  RecordKind kind = RecordKind::kRegion;
};

struct Task {
  TaskId id;
  TaskId parent;
  StringId type;
  Time begin = -1;
  Time end = -1;
};

struct Arg {
  std::string name;
  std::string str;
  int64_t num = 0;
  bool is_num = false;
};

// One TrackEvent pair (or instant) ready to be written.
struct OutEvent {
  Time begin = 0;
  Time end = 0;
  uint64_t track = 0;
  std::string_view name;
  std::string_view category;
  StackId site;                // "site" annotation from this stack's user frame (0 = none)
  uint32_t args = UINT32_MAX;  // index into Out::args
  uint32_t flow_begin = 0, flow_count = 0;
  bool terminating = false;
  bool instant = false;
};

struct Item {
  Time ts;
  uint8_t phase;   // 0 end, 1 instant, 2 begin
  Time secondary;  // nesting order at equal ts
  uint32_t event;
};

}  // namespace

struct PerfettoWriter::Impl {
  PerfettoOptions opts;
  FlatMap<uint32_t> g_index;  // GoId -> index into gs
  std::vector<Goroutine> gs;
  FlatMap<uint32_t> group_index;  // start func << 32 | site frame -> index into groups
  std::vector<Group> groups;
  std::vector<Record> records;
  FlatMap<uint32_t> task_index;
  std::vector<Task> tasks;
  Time open_gc = -1;
  Time open_stw = -1;
  StringId open_stw_kind;
  Time first_time = -1, last_time = 0;
  uint64_t stored = 0;
  const StringPool* event_strings = nullptr;
  PerfettoStats stats;
  // Interned strings this writer needs during the pass.
  const StackPool* stacks = nullptr;

  Goroutine& G(GoId id) {
    auto [slot, inserted] = g_index.Insert(static_cast<uint64_t>(id.value()), static_cast<uint32_t>(gs.size()));
    if (inserted) {
      gs.emplace_back();
      gs.back().id = id;
      gs.back().group = UINT32_MAX;
      return gs.back();
    }
    return gs[*slot];
  }

  uint32_t GroupFor(StringId start_func, FrameId site, bool has_site) {
    const uint64_t key = (static_cast<uint64_t>(start_func.value()) << 32) | (has_site ? site.value() : UINT32_MAX);
    auto [slot, inserted] = group_index.Insert(key, static_cast<uint32_t>(groups.size()));
    if (inserted) groups.push_back(Group{start_func, site, has_site});
    return *slot;
  }

  Slice* LastSlice(Goroutine& g) {
    if (!g.tail.empty()) {
      const size_t n = g.tail.size();
      return &g.tail[(g.tail_next + n - 1) % n];
    }
    return g.head.empty() ? nullptr : &g.head.back();
  }

  void AddSlice(Goroutine& g, const Slice& s) {
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

  void CloseState(Goroutine& g, Time t) {
    if (g.open_kind == SliceKind::kNone) return;
    AddSlice(g, Slice{g.open_since, t, g.open_name, g.open_stack, g.open_kind});
    g.open_kind = SliceKind::kNone;
  }

  bool AddRecord(const Record& r) {
    if (stored >= opts.max_records) {
      ++stats.dropped_total_cap;
      return false;
    }
    ++stored;
    records.push_back(r);
    return true;
  }

  void OnTransition(const Event& e) {
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
    SliceKind kind = SliceKind::kNone;
    StringId name;
    StackId stack;
    switch (st.go_to()) {
      case GoState::kRunning: kind = SliceKind::kRunning; break;
      case GoState::kWaiting:
        kind = SliceKind::kBlocked;
        name = st.reason;
        stack = st.stack;
        break;
      case GoState::kSyscall: kind = SliceKind::kSyscall; break;
      default: break;
    }
    if (kind == gg.open_kind && name == gg.open_name && stack == gg.open_stack) return;  // GoStatus repeat
    CloseState(gg, e.time);
    if (kind != SliceKind::kNone) {
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

  void CloseRegion(uint32_t gi, Time t) {
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

  void OnEvent(const Event& e, const Reader& reader) {
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

  // Closes everything still open at the end of the trace.
  void FinishPass(Time end) {
    for (uint32_t gi = 0; gi < gs.size(); ++gi) {
      CloseState(gs[gi], end);
      while (!gs[gi].open_regions.empty()) CloseRegion(gi, end);
    }
    if (open_gc >= 0) AddRecord(Record{open_gc, end, 0, {}, {}, RecordKind::kGC});
    if (open_stw >= 0) AddRecord(Record{open_stw, end, 0, open_stw_kind, {}, RecordKind::kSTW});
    open_gc = open_stw = -1;
  }
};

namespace {

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

std::string FrameSite(const Analysis& a, FrameId fid) {
  const Frame& f = a.stacks().GetFrame(fid);
  std::string_view file = a.Str(f.file);
  if (auto slash = file.rfind('/'); slash != std::string_view::npos) file = file.substr(slash + 1);
  return fmt::format("{} {}:{}", a.Str(f.func), file, f.line);
}

// The first user frame of a stack ("main.worker worker.go:42"), else the leaf.
std::string UserSite(const Analysis& a, StackId stack, int user_frame = -1) {
  auto frames = a.stacks().Frames(stack);
  if (frames.empty()) return {};
  if (user_frame >= 0 && static_cast<size_t>(user_frame) < frames.size())
    return FrameSite(a, frames[static_cast<size_t>(user_frame)]);
  for (FrameId f : frames)
    if (!analysis::IsRuntimeOrStdFrame(a.Str(a.stacks().GetFrame(f).func))) return FrameSite(a, f);
  return FrameSite(a, frames.front());
}

}  // namespace

PerfettoWriter::PerfettoWriter(const PerfettoOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->opts = options;
}
PerfettoWriter::~PerfettoWriter() = default;

void PerfettoWriter::OnEvent(const Event& e, const Reader& reader) { impl_->OnEvent(e, reader); }

PerfettoStats PerfettoWriter::Write(const Analysis& a, const std::function<void(std::string_view)>& sink) {
  Impl& im = *impl_;
  CF_CHECK(im.event_strings == nullptr || im.event_strings == &a.strings());
  if (im.stacks == nullptr) im.stacks = &a.stacks();
  Time end = std::max(im.last_time, a.quality.end);
  Time start = im.first_time >= 0 ? im.first_time : std::max<Time>(a.quality.start, 0);
  im.FinishPass(end);
  PerfettoStats& stats = im.stats;

  // Goroutines the analysis refers to get a track even without events.
  auto gindex = [&](GoId id) -> uint32_t {
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
  };

  // The byte budget: every event's encoded size is bounded above by
  // EventBytes (strings are cut to kMaxString), and events are only added
  // while the sum stays within max_event_bytes, in priority order: cancels
  // and their flows, findings, contexts, then goroutine slices, regions,
  // logs, GC, tasks. What does not fit is counted. The analysis' events may
  // use half of the budget, so the timeline itself always has room.
  uint64_t budget_used = 0;
  uint64_t budget_cap = im.opts.max_event_bytes / 2;
  auto event_bytes = [&](const OutEvent& e, size_t arg_bytes) -> uint64_t {
    return kEventOverhead + std::min(e.name.size(), kMaxString) + std::min(e.category.size(), kMaxString) +
           (e.site != kNoStack ? kMaxString + 16 : 0) + arg_bytes + 9ull * e.flow_count;
  };
  auto args_bytes = [](const std::vector<Arg>& v) -> uint64_t {
    uint64_t n = 0;
    for (const Arg& x : v) n += 24 + std::min(x.name.size(), kMaxString) + std::min(x.str.size(), kMaxString);
    return n;
  };
  auto fits = [&](uint64_t bytes) {
    if (budget_used + bytes > budget_cap) return false;
    budget_used += bytes;
    return true;
  };

  std::vector<OutEvent> evs;
  std::vector<std::vector<Arg>> args;
  std::vector<uint64_t> flows;
  std::deque<std::string> names;  // owned names (stable addresses)
  auto own = [&](std::string s) -> std::string_view { return names.emplace_back(std::move(s)); };
  auto add_args = [&](std::vector<Arg> v) -> uint32_t {
    args.push_back(std::move(v));
    return static_cast<uint32_t>(args.size() - 1);
  };
  auto S = [](std::string n, std::string v) { return Arg{std::move(n), std::move(v), 0, false}; };
  auto N = [](std::string n, int64_t v) { return Arg{std::move(n), {}, v, true}; };

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

  // ---- Contexts ---------------------------------------------------------------
  FlatMap<uint32_t> ctx_index;
  // The first max_context_tracks contexts (creation order: parents first).
  const size_t context_tracks = std::min<size_t>(a.contexts.size(), im.opts.max_context_tracks);
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
  budget_cap = im.opts.max_event_bytes;
  auto push = [&](const OutEvent& e, uint64_t arg_bytes) {
    if (!fits(event_bytes(e, arg_bytes))) {
      ++stats.dropped_bytes_cap;
      return false;
    }
    evs.push_back(e);
    return true;
  };

  // ---- Pass-derived events ------------------------------------------------------
  auto state_event = [&](uint32_t gi, const Slice& s) {
    OutEvent e;
    e.begin = s.begin;
    e.end = s.end;
    e.track = Uuid(kNsGoroutine, gi);
    e.category = "sched";
    switch (s.kind) {
      case SliceKind::kRunning: e.name = "running"; break;
      case SliceKind::kSyscall: e.name = "syscall"; break;
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
  FlatMap<uint32_t> task_track;
  const size_t task_tracks = std::min<size_t>(im.tasks.size(), im.opts.max_task_tracks);
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
      name += FrameSite(a, gr.site);
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
  return stats;
}

}  // namespace cancelflow::report
