// `cancelflow html FILE -o OUT.html`: the self-contained HTML report (summary,
// findings with stacks, context tree, goroutine timeline with cancellation
// arrows, flame graph of post-cancel work). The analysis pass, with the HTML
// writer observing its events, then the writer's own pass for the timeline
// lanes it chose; see docs/outputs.md.
#include <cstdio>

#include <fmt/format.h>

#include "base/inert_text.h"
#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"
#include "cli/cli_io.h"
#include "cli/commands.h"
#include "report/html_writer.h"

namespace cancelflow::cli {

bool WriteHtmlFile(report::HtmlWriter& writer, const Analysis& a, const TraceBuffer& trace, const std::string& path,
                   report::HtmlStats* stats) {
  Progress progress;  // the timeline's own read of the trace
  std::string html = writer.Write(a, trace, stats, [&](uint64_t read, uint64_t total) {
    progress.Show(fmt::format("timeline: {} of {} MB read", read >> 20, total >> 20));
  });
  progress.Clear();
  return WriteOutput(path, html);
}

int RunHtml(const HtmlOptions& opts) {
  const auto resolved = ResolveAnalysisOptions(opts.analysis, "", {opts.path});
  if (!resolved) return kExitError;
  auto buf = OpenTrace(opts.path);
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
                           "{} flame stacks ({} dropped)\n",
                           InertText(opts.out), st.bytes, st.lanes, st.lanes_dropped, st.spans, st.spans_merged,
                           st.flame_samples, st.flame_samples_dropped)
                   .c_str(),
               stdout);
  }
  return AnalysisExitStatus(*a);
}

}  // namespace cancelflow::cli
