// PerfettoWriter: the cancellation timeline as a Perfetto protobuf trace
// (open it in https://ui.perfetto.dev).
//
// ALGORITHM: an EventObserver on the analysis pass. OnEvent turns goroutine
// state transitions into per-goroutine slices (running, blocked with the
// block reason as name, syscall), user regions into slices, logs into
// instants, tasks and GC/STW ranges into slices on their own tracks; it
// keeps them in memory, bounded (below). Write(analysis) then adds what only
// the finished analysis knows: the instrumented-context tracks, an instant
// per cancellation on the canceler's track with one flow arrow per woken
// goroutine (TrackEvent.flow_ids on the cancel, terminating_flow_ids on a
// "woken by cancel" instant of the woken goroutine), and an instant per
// finding goroutine ("ignored cancel", "leaked goroutine"). It emits every
// TrackDescriptor first, then every TrackEvent sorted by time on one packet
// sequence, so trace_processor never has to re-sort.
//
// TRACK LAYOUT
//   process "main.worker <- main.main (main.go:42)"  one per (start function, creation site)
//     thread "main.worker g12"                 one per goroutine: running / <block reason> / syscall
//       "g12 regions"                          user regions (own track: regions span state slices)
//   "GC" / "STW"                               GC mark phases, stop-the-world ranges
//   "contexts" > "ctx 3 timeout (main.f)" > …  instrumented contexts, nested like the context tree
//   "tasks" > "task 1 reqType" > …             user tasks, nested by parent task
//   "cancelflow"                               one instant with the output bounds and drop counts
//
// BOUNDS (so that large traces stay loadable; defaults in PerfettoOptions):
// - merging: a slice that starts within merge_gap_ns of the end of the
//   previous kept slice of the same goroutine, with the same name and
//   stack, extends it (e.g. running→runnable→running preemption flips).
// - per goroutine: the first max_slices_per_goroutine/2 state slices and
//   the last max_slices_per_goroutine/2 (a ring) are kept; the middle is
//   dropped and marked by one "N slices dropped" instant.
// - in total: at most max_records slices + instants are stored during the
//   pass; past that, new slices only replace ring entries (a goroutine
//   without a ring gets a one-slice one: every goroutine keeps its latest
//   state, at most one slice per goroutine over the cap) and regions, logs
//   and tasks are dropped.
// - analysis-derived events: at most max_cancellations cancel instants
//   (those a finding cites first), max_flows_per_cancellation and max_flows
//   arrows, max_instants_per_finding finding instants per finding.
// - tracks: at most max_goroutine_tracks goroutines (those the analysis
//   names first, then in order of appearance), max_context_tracks contexts,
//   max_task_tracks tasks; events of goroutines without a track are left out.
// - bytes: every string is cut to 256 bytes, so each event has a size bound;
//   events are added in priority order (cancels and flows, findings,
//   contexts, goroutine slices, regions, logs, GC, tasks) while the sum of
//   those bounds stays within max_event_bytes.
// Every drop is counted in PerfettoStats and in the "cancelflow" instant.
//
// INVARIANTS
// - Slices on one track are properly nested (state slices never overlap;
//   regions nest per goroutine; unmatched region ends are counted, not drawn).
// - At equal timestamps, ends are emitted before instants before begins.
// - Event StringIds/StackIds are resolved with the Analysis' pools, which
//   must be the pools of the Reader that produced the events (Analyze
//   guarantees this).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "cancelflow/analysis.h"
#include "report/bounds.h"

namespace cancelflow::report {

struct PerfettoOptions {
  uint32_t max_slices_per_goroutine = 2000;  // half kept from the start, half from the end
  uint64_t max_records = 500'000;            // slices + instants stored during the pass
  Time merge_gap_ns = 2'000;
  // Caps on what the analysis adds, and on tracks (see BOUNDS above).
  uint64_t max_cancellations = 20'000;         // cancel instants (cited by a finding first)
  uint32_t max_flows_per_cancellation = 1'000;  // arrows (and woken instants) per cancel
  uint64_t max_flows = 100'000;                 // arrows in all
  uint32_t max_instants_per_finding = 1'000;    // "finding" instants per finding
  uint64_t max_goroutine_tracks = 10'000;       // goroutines the analysis names first
  uint64_t max_context_tracks = 10'000;         // instrumented contexts, in creation order
  uint64_t max_task_tracks = 10'000;            // trace.NewTask tasks, in order
  // Upper bound of the encoded size of all events (each event's size is
  // bounded: strings are cut to 256 bytes); with the track caps the file
  // stays under 64 MB for any trace.
  uint64_t max_event_bytes = 48ull << 20;
};

struct PerfettoStats {
  uint64_t tracks = 0;
  uint64_t slices = 0;    // slices written (begin/end pairs)
  uint64_t instants = 0;  // instants written
  uint64_t flows = 0;     // cancel -> woken goroutine arrows
  uint64_t merged_slices = 0;
  uint64_t dropped_goroutine_cap = 0;  // middle slices of busy goroutines
  uint64_t dropped_total_cap = 0;      // slices/regions/logs/tasks past max_records
  uint64_t latest_only_goroutines = 0;  // past max_records: goroutines keeping only their latest slice
  uint64_t unmatched_region_ends = 0;
  uint64_t dropped_cancellations = 0;     // cancels not drawn (max_cancellations, bytes)
  uint64_t dropped_flows = 0;             // arrows not drawn (flow caps, bytes)
  uint64_t dropped_finding_instants = 0;  // max_instants_per_finding, bytes
  uint64_t dropped_goroutine_tracks = 0;  // goroutines without a track (max_goroutine_tracks)
  uint64_t dropped_contexts = 0;          // contexts without a track (max_context_tracks)
  uint64_t dropped_tasks = 0;             // tasks without a track (max_task_tracks)
  uint64_t dropped_bytes_cap = 0;         // events left out by max_event_bytes
  uint64_t strings_cut = 0;               // strings cut to 256 bytes
  uint64_t bytes = 0;

  // The caps record (report/bounds.h) beyond the slice caps, which the
  // summary line states on their own (merging is not a loss).
  CapsRecord Caps() const {
    return {{{dropped_cancellations, "cancellations"},
             {dropped_flows, "flows"},
             {dropped_finding_instants, "finding marks"},
             {dropped_goroutine_tracks, "goroutine tracks"},
             {dropped_contexts, "contexts"},
             {dropped_tasks, "tasks"},
             {dropped_bytes_cap, "events (byte budget)"},
             {strings_cut, "strings cut"}}};
  }
};

class PerfettoWriter final : public EventObserver {
 public:
  explicit PerfettoWriter(const PerfettoOptions& options = {});
  ~PerfettoWriter() override;
  PerfettoWriter(const PerfettoWriter&) = delete;
  PerfettoWriter& operator=(const PerfettoWriter&) = delete;

  void OnEvent(const Event& e, const Reader& reader) override;

  // Writes the whole trace to `sink` in chunks (call once, after the pass).
  // `analysis` may be one with no cancellations (a bare timeline).
  PerfettoStats Write(const Analysis& analysis, const std::function<void(std::string_view)>& sink);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace cancelflow::report
