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
//   process "main.worker <- main.main:42"     one per (start function, creation site)
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
//   pass; past that, new slices only replace ring entries and regions, logs
//   and tasks are dropped. Analysis-derived events (cancels, flows,
//   findings, contexts) are never dropped.
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

namespace cancelflow::report {

struct PerfettoOptions {
  uint32_t max_slices_per_goroutine = 2000;  // half kept from the start, half from the end
  uint64_t max_records = 500'000;            // slices + instants stored during the pass
  Time merge_gap_ns = 2'000;
};

struct PerfettoStats {
  uint64_t tracks = 0;
  uint64_t slices = 0;    // slices written (begin/end pairs)
  uint64_t instants = 0;  // instants written
  uint64_t flows = 0;     // cancel -> woken goroutine arrows
  uint64_t merged_slices = 0;
  uint64_t dropped_goroutine_cap = 0;  // middle slices of busy goroutines
  uint64_t dropped_total_cap = 0;      // slices/regions/logs/tasks past max_records
  uint64_t unmatched_region_ends = 0;
  uint64_t bytes = 0;
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
