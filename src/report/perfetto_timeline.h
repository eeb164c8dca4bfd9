// The Perfetto writer's event pass (stage 1 of 3; perfetto_writer.h has the
// output's layout and bounds): an EventObserver's state that turns the
// ordered events of the analysis pass into per-goroutine state slices,
// regions, logs, tasks and GC/STW ranges, kept in memory under the options'
// record caps. perfetto_analysis_events.h then turns them, with what the
// finished analysis knows, into the output's events under the byte budget,
// and perfetto_emit.h writes them.
//
// INVARIANTS
// - Memory is bounded by the options, not the trace: at most
//   max_records slices + records + tasks, plus at most one slice per
//   goroutine past that (its latest state, `latest_only`), plus the open
//   slice and open regions of each goroutine.
// - Per goroutine, `head` holds the first max_slices_per_goroutine/2 state
//   slices and `tail` a ring of the latest ones (tail_next is the oldest);
//   what the ring overwrote is counted in `dropped` and in the stats.
// - Kept slices of one goroutine are in time order and never overlap; a
//   slice within merge_gap_ns of the previous one with the same name and
//   stack extends it (counted as merged, not dropped).
// - Regions nest per goroutine; an unmatched region end is counted, never
//   drawn; whatever is open at the end closes at the end (FinishPass).
// - Every StringId/StackId is one of the analysis Reader's pools (the
//   pools this pass saw, `event_strings` / `stacks`).
#pragma once

#include <cstdint>
#include <vector>

#include "base/flat_map.h"
#include "cancelflow/analysis.h"
#include "report/perfetto_writer.h"
#include "report/timeline_spans.h"

namespace cancelflow::report::perfetto {

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

// Every string written is cut to kMaxString bytes (names, categories,
// annotation values, track names), so an event's size has an upper bound:
// kEventOverhead covers its two packets' fixed fields (timestamps, sequence
// id, type, track uuid, message headers).
constexpr size_t kMaxString = 256;
constexpr uint64_t kEventOverhead = 64;

struct Slice {
  Time begin = 0;
  Time end = 0;
  StringId name;  // block reason (kBlocked)
  StackId stack;  // block stack (kBlocked)
  SpanState kind = kNone;
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
  SpanState open_kind = kNone;
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

struct PerfettoTimeline {
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

  // The goroutine's record (created on first sight, group unset).
  Goroutine& G(GoId id);
  // The group of (start function, creation site), created on first use.
  uint32_t GroupFor(StringId start_func, FrameId site, bool has_site);
  // The latest kept state slice of g, or nullptr.
  Slice* LastSlice(Goroutine& g);
  // Keeps a closed state slice: merged, in head, in the ring, or counted.
  void AddSlice(Goroutine& g, const Slice& s);
  void CloseState(Goroutine& g, Time t);
  // Keeps a region, log, GC or STW record unless past max_records (counted).
  bool AddRecord(const Record& r);
  void OnTransition(const Event& e);
  void CloseRegion(uint32_t gi, Time t);
  void OnEvent(const Event& e, const Reader& reader);
  // Closes everything still open at the end of the trace.
  void FinishPass(Time end);
};

}  // namespace cancelflow::report::perfetto
