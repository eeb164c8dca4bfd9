// The Perfetto writer's emission (stage 3 of 3): writes the events of
// perfetto_analysis_events.h as a Perfetto Trace: every TrackDescriptor
// first (the "cancelflow" track, cancellations without a canceler track, GC,
// STW, one process per goroutine group, one thread per drawn goroutine and
// its regions track, contexts, tasks), then every TrackEvent on one packet
// sequence in time order, so trace_processor never has to re-sort.
//
// INVARIANTS
// - Only goroutines with drawn == true get a thread track, and only groups
//   with a drawn goroutine a process track; pids are 1 + group index, tids
//   live above every pid (kTidBase) so no goroutine is a process's main
//   thread.
// - Events are sorted by time; at equal times ends come before instants
//   before begins; begins open outer (longer) slices first and ends close
//   inner ones first, so slices on a track nest; instants that start flows
//   come before those that end them.
// - Every string is written inert (base/inert_text.h) and cut to kMaxString
//   bytes at a UTF-8 boundary (counted in strings_cut): the bound the byte
//   budget assumed.
// - Field numbers follow proto/perfetto_trace_subset.proto (same numbers as
//   upstream google/perfetto protos/perfetto/trace/...).
#pragma once

#include <functional>
#include <string_view>

#include "cancelflow/analysis.h"
#include "report/perfetto_analysis_events.h"
#include "report/perfetto_timeline.h"

namespace cancelflow::report::perfetto {

// Writes the trace to `sink` in chunks; adds tracks, strings_cut and bytes
// to im.stats.
void EmitTrace(PerfettoTimeline& im, const Analysis& a, const PerfettoEvents& ev,
               const std::function<void(std::string_view)>& sink);

}  // namespace cancelflow::report::perfetto
