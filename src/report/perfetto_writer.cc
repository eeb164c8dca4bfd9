// The Perfetto writer: the public face of three stages, each in its own
// file with its invariants (see perfetto_writer.h for the output):
//   perfetto_timeline         the event pass (OnEvent): state slices,
//                             regions, logs, tasks, GC, under record caps
//   perfetto_analysis_events  after the analysis: every output event, in
//                             priority order under the byte budget
//   perfetto_emit             descriptors, then the events in time order
//
// Why the writer buffers instead of streaming events as they arrive:
// cancellation flows, finding marks and context tracks are only known once
// the analysis pass has finished, and track names (start function, creation
// site) must be in the TrackDescriptors written before the events. The
// bounds in the header keep the buffer proportional to the options, not to
// the trace.
#include "report/perfetto_writer.h"

#include <algorithm>

#include "base/check.h"
#include "report/perfetto_analysis_events.h"
#include "report/perfetto_emit.h"
#include "report/perfetto_timeline.h"

namespace cancelflow::report {

struct PerfettoWriter::Impl {
  perfetto::PerfettoTimeline timeline;
};

PerfettoWriter::PerfettoWriter(const PerfettoOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->timeline.opts = options;
}
PerfettoWriter::~PerfettoWriter() = default;

void PerfettoWriter::OnEvent(const Event& e, const Reader& reader) { impl_->timeline.OnEvent(e, reader); }

PerfettoStats PerfettoWriter::Write(const Analysis& a, const std::function<void(std::string_view)>& sink) {
  perfetto::PerfettoTimeline& im = impl_->timeline;
  CF_CHECK(im.event_strings == nullptr || im.event_strings == &a.strings());
  if (im.stacks == nullptr) im.stacks = &a.stacks();
  const Time end = std::max(im.last_time, a.quality.end);
  const Time start = im.first_time >= 0 ? im.first_time : std::max<Time>(a.quality.start, 0);
  im.FinishPass(end);
  const perfetto::PerfettoEvents events = perfetto::BuildEvents(im, a, start, end);
  perfetto::EmitTrace(im, a, events, sink);
  return im.stats;
}

}  // namespace cancelflow::report
