// `cancelflow html FILE -o OUT.html`: the self-contained HTML report (summary,
// findings with stacks, context tree, goroutine timeline with cancellation
// arrows, flame graph of post-cancel work). The analysis pass, with the HTML
// writer observing its events, then a second read of the trace for the
// timeline lanes the writer chose (ReadHtmlLanes); see docs/outputs.md.
#include <cstdio>

#include <fmt/format.h>

#include "base/inert_text.h"
#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"
#include "cancelflow/reader.h"
#include "cli/cli_io.h"
#include "cli/live_input.h"
#include "cli/commands.h"
#include "report/html_writer.h"

namespace cancelflow::cli {

// The HTML timeline's second read of the trace, a stage of the command's
// pipeline after the analysis: the writer plans its lanes, then this reads
// the trace again and feeds the writer's lane collector, showing its progress
// on a terminal like the analysis pass ('timeline: N of M MB read').
void ReadHtmlLanes(report::HtmlWriter& writer, const Analysis& a, const TraceBuffer& trace) {
  if (!writer.PlanLanes(a)) return;
  auto reader = Reader::Open(trace);
  if (!reader) return;  // the analysis read it: cannot happen, and the lanes stay empty
  Progress progress;
  uint64_t events = 0;
  // Where the trace broke, the read stops as the analysis's did; the error
  // was reported with the analysis.
  (void)reader->ForEachEvent([&](const Event& e) {
    writer.OnLaneEvent(e, reader->strings(), reader->stacks());
    if (++events % 65536 == 0) {
      progress.Show(fmt::format("timeline: {} of {} MB read", reader->bytes_loaded() >> 20, trace.size() >> 20));
    }
  });
  writer.EndLanes(reader->strings());
  progress.Clear();
}

bool WriteHtmlFile(report::HtmlWriter& writer, const Analysis& a, const TraceBuffer& trace, const std::string& path,
                   report::HtmlStats* stats) {
  ReadHtmlLanes(writer, a, trace);
  return WriteOutput(path, writer.Write(a, stats));
}

int RunHtml(const HtmlOptions& opts) {
  auto resolved = ResolveAnalysisOptions(opts.analysis, "", {opts.path});
  if (!resolved) return kExitError;
  auto buf = OpenInput(opts.path, opts.live, opts.analysis, &resolved->config.analysis);
  if (!buf) return kExitError;
  report::HtmlOptions ho;
  ho.trace_path = opts.path;
  ho.max_lanes = opts.max_lanes;
  ho.max_output_spans = opts.max_spans;
  report::HtmlWriter writer(ho);
  auto a = AnalyzeTrace(*buf, resolved->config.analysis, {&writer});
  if (!a) return kExitError;
  report::HtmlStats st;
  if (!WriteHtmlFile(writer, *a, *buf, opts.out, &st)) return kExitError;
  if (opts.out != "-") {
    std::fputs(fmt::format("wrote {}: {} bytes, {} goroutine lanes ({} not drawn), {} spans ({} merged), "
                           "{} flame stacks ({} dropped){}\n",
                           InertText(opts.out), st.bytes, st.lanes, st.lanes_dropped, st.spans, st.spans_merged,
                           st.flame_samples, st.flame_samples_dropped, report::CapsHitLine(st.Caps()))
                   .c_str(),
               stdout);
  }
  return AnalysisExitStatus(*a);
}

}  // namespace cancelflow::cli
