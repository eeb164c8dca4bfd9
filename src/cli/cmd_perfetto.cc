// `cancelflow perfetto FILE -o OUT.pftrace`: the cancellation timeline as a
// Perfetto trace (open it in https://ui.perfetto.dev). One analysis pass,
// with the Perfetto writer observing its events; see docs/outputs.md.
#include <cstdio>

#include <fmt/format.h>

#include "base/inert_text.h"
#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"
#include "cli/cli_io.h"
#include "cli/live_input.h"
#include "cli/commands.h"
#include "report/perfetto_writer.h"

namespace cancelflow::cli {

bool WritePerfettoFile(report::PerfettoWriter& writer, const Analysis& a, const std::string& path,
                       report::PerfettoStats* stats) {
  auto f = OutputFile::Create(path);
  if (!f) return false;
  *stats = writer.Write(a, [&](std::string_view chunk) { f->Write(chunk); });
  return f->Close();
}

int RunPerfetto(const PerfettoOptions& opts) {
  auto resolved = ResolveAnalysisOptions(opts.analysis, "", {opts.path});
  if (!resolved) return kExitError;
  auto buf = OpenInput(opts.path, opts.live, opts.analysis, &resolved->config.analysis);
  if (!buf) return kExitError;
  report::PerfettoOptions po;
  po.max_slices_per_goroutine = opts.max_slices_per_goroutine;
  po.max_records = opts.max_records;
  report::PerfettoWriter writer(po);
  auto a = AnalyzeTrace(*buf, resolved->config.analysis, {&writer});
  if (!a) return kExitError;
  report::PerfettoStats st;
  if (!WritePerfettoFile(writer, *a, opts.out, &st)) return kExitError;
  if (opts.out != "-") {
    std::string line = fmt::format("wrote {}: {} bytes, {} tracks, {} slices, {} instants, {} cancel flows; "
                                   "{} slices merged, {} dropped (per-goroutine cap), {} dropped (total cap{})",
                                   InertText(opts.out), st.bytes, st.tracks, st.slices, st.instants, st.flows,
                                   st.merged_slices, st.dropped_goroutine_cap, st.dropped_total_cap,
                                   st.latest_only_goroutines
                                       ? fmt::format(": {} goroutines keep only their latest slice",
                                                     st.latest_only_goroutines)
                                       : std::string());
    // Every other cap that was hit (docs/outputs.md, "Bounds policy").
    line += report::CapsHitLine(st.Caps()) + "\n";
    std::fputs(line.c_str(), stdout);
  }
  return AnalysisExitStatus(*a);
}

}  // namespace cancelflow::cli
