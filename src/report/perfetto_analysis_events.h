// The Perfetto writer's events (stage 2 of 3): after the analysis, every
// slice and instant of the output as an OutEvent, in priority order under
// the byte budget. First what only the analysis knows: an instant per
// cancellation (those a finding cites first) with a flow arrow to each woken
// goroutine, "finding" instants, instrumented contexts; then the goroutines
// that get a track (the ones the analysis names, then in order of
// appearance); then the pass's state slices, regions, logs, GC/STW ranges
// and tasks (perfetto_timeline.h); last the "cancelflow output bounds"
// instant with every drop counter. perfetto_emit.h writes them.
//
// INVARIANTS
// - The byte budget: each event's encoded size is bounded above by
//   EventBytes (every string is cut to kMaxString when written), and an
//   event is added only while the sum of those bounds stays within
//   max_event_bytes; the analysis's events may use half of it, so the
//   timeline always has room. What does not fit is counted
//   (dropped_bytes_cap and the cap of its kind), never dropped silently.
// - A flow's terminating instant is never before its cancel (trace_processor
//   drops such arrows).
// - Every goroutine track an event names has drawn == true; events of
//   goroutines without a track are left out (dropped_goroutine_tracks).
// - The stats are final when BuildEvents returns (the bounds instant shows
//   them), except tracks, strings_cut and bytes, which emission adds.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "base/flat_map.h"
#include "cancelflow/analysis.h"
#include "report/perfetto_timeline.h"

namespace cancelflow::report::perfetto {

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

// The output's events and what emission needs to name their tracks.
struct PerfettoEvents {
  std::vector<OutEvent> evs;
  std::vector<std::vector<Arg>> args;  // OutEvent::args indexes these
  std::vector<uint64_t> flows;         // flow ids; OutEvent::flow_begin/flow_count index these
  std::deque<std::string> names;       // owned names (stable addresses for OutEvent::name)
  FlatMap<uint32_t> ctx_index;         // context id -> context track index (< context_tracks)
  size_t context_tracks = 0;           // the first max_context_tracks contexts
  FlatMap<uint32_t> task_track;        // task id -> task track index (< task_tracks)
  size_t task_tracks = 0;              // the first max_task_tracks tasks
};

// Builds every event of the output from the finished pass `im` (FinishPass
// done) and the analysis; marks the goroutines that get a track (drawn) and
// fills im.stats' drop counters.
PerfettoEvents BuildEvents(PerfettoTimeline& im, const Analysis& a, Time start, Time end);

// The site a timeline shows for a stack ("main.worker (worker.go:42)"): the
// given user frame, else the analysis's first user frame, else the leaf.
std::string UserSite(const Analysis& a, StackId stack, int user_frame = -1);

}  // namespace cancelflow::report::perfetto
