// `cancelflow pprof FILE -o OUT.pb.gz`: post-cancel CPU and wall time and
// leaked goroutines as a gzipped pprof profile (`go tool pprof -http=: OUT`).
// One analysis pass, with the pprof writer observing its events; see
// docs/outputs.md.
#include <cstdio>

#include <fmt/format.h>

#include "base/inert_text.h"
#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"
#include "cli/cli_io.h"
#include "cli/live_input.h"
#include "cli/commands.h"
#include "report/pprof_writer.h"

namespace cancelflow::cli {

bool WritePprofFile(report::PprofWriter& writer, const Analysis& a, const std::string& path,
                    report::PprofStats* stats) {
  std::string gz;
  if (!writer.Write(a, &gz, stats)) {
    PrintError("gzip failed");
    return false;
  }
  return WriteOutput(path, gz);
}

int RunPprof(const PprofOptions& opts) {
  auto resolved = ResolveAnalysisOptions(opts.analysis, "", {opts.path});
  if (!resolved) return kExitError;
  auto buf = OpenInput(opts.path, opts.live, opts.analysis, &resolved->config.analysis);
  if (!buf) return kExitError;
  report::PprofWriter writer;
  auto a = AnalyzeTrace(*buf, resolved->config.analysis, {&writer});
  if (!a) return kExitError;
  report::PprofStats st;
  if (!WritePprofFile(writer, *a, opts.out, &st)) return kExitError;
  if (opts.out != "-") {
    std::fputs(fmt::format("wrote {}: {} bytes, {} samples; {} post-cancel windows, {} of {} CPU samples in them, "
                           "{} leaked goroutines{}\n",
                           InertText(opts.out), st.bytes, st.samples, st.windows, st.post_cancel_cpu_samples, st.cpu_samples_seen,
                           st.leaked_goroutines, report::CapsHitLine(st.Caps()))
                   .c_str(),
               stdout);
  }
  return AnalysisExitStatus(*a);
}

}  // namespace cancelflow::cli
