// `cancelflow perfetto FILE -o OUT.pftrace`: the cancellation timeline as a
// Perfetto trace (open it in https://ui.perfetto.dev). One analysis pass,
// with the Perfetto writer observing its events; see docs/outputs.md.
#include <cstdio>

#include <fmt/format.h>

#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"
#include "cli/commands.h"
#include "report/perfetto_writer.h"

namespace cancelflow::cli {

bool WritePerfettoFile(report::PerfettoWriter& writer, const Analysis& a, const std::string& path,
                       report::PerfettoStats* stats) {
  std::FILE* f = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
  if (!f) {
    PrintError(fmt::format("cannot create {}", path));
    return false;
  }
  bool ok = true;
  *stats = writer.Write(a, [&](std::string_view chunk) {
    if (ok && std::fwrite(chunk.data(), 1, chunk.size(), f) != chunk.size()) ok = false;
  });
  if (f == stdout) {
    ok = std::fflush(f) == 0 && ok;
  } else {
    ok = std::fclose(f) == 0 && ok;
  }
  if (!ok) PrintError(fmt::format("cannot write {}", path));
  return ok;
}

int RunPerfetto(const PerfettoOptions& opts) {
  auto buf = TraceBuffer::Open(opts.path);
  if (!buf) {
    PrintError(buf.error().message);
    return kExitError;
  }
  report::PerfettoOptions po;
  po.max_slices_per_goroutine = opts.max_slices_per_goroutine;
  po.max_records = opts.max_records;
  report::PerfettoWriter writer(po);
  auto a = Analyze(*buf, AnalysisOptions{}, {&writer});
  if (!a) {
    PrintError(a.error().ToString());
    return kExitError;
  }
  report::PerfettoStats st;
  if (!WritePerfettoFile(writer, *a, opts.out, &st)) return kExitError;
  if (opts.out != "-") {
    std::fputs(fmt::format("wrote {}: {} bytes, {} tracks, {} slices, {} instants, {} cancel flows; "
                           "{} slices merged, {} dropped (per-goroutine cap), {} dropped (total cap)\n",
                           opts.out, st.bytes, st.tracks, st.slices, st.instants, st.flows, st.merged_slices,
                           st.dropped_goroutine_cap, st.dropped_total_cap)
                   .c_str(),
               stdout);
  }
  if (a->quality.partial) {
    PrintError(fmt::format("trace is partial: {}", a->quality.error ? a->quality.error->ToString() : "?"));
    return kExitPartial;
  }
  return kExitOk;
}

}  // namespace cancelflow::cli
