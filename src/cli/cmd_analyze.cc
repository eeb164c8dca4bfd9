// `cancelflow analyze FILE`: the cancellation report (text, or --json).
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"
#include "cli/cli_io.h"
#include "cli/live_input.h"
#include "cli/commands.h"
#include "export/otlp_http.h"
#include "report/check_result.h"
#include "report/html_writer.h"
#include "report/json_report.h"
#include "report/text_report.h"

namespace cancelflow::cli {

int RunAnalyze(const AnalyzeOptions& opts) {
  auto resolved = ResolveAnalysisOptions(opts.analysis, "", {opts.path});
  if (!resolved) return kExitError;
  const AnalysisOptions& ao = resolved->config.analysis;
  auto buf = OpenInput(opts.path, opts.live, opts.analysis, &resolved->config.analysis);
  if (!buf) return kExitError;
  // --perfetto / --pprof / --html: the writers observe this same pass.
  std::optional<report::PerfettoWriter> perfetto;
  std::optional<report::PprofWriter> pprof;
  std::optional<report::HtmlWriter> html;
  std::vector<EventObserver*> observers;
  if (!opts.perfetto_out.empty()) observers.push_back(&perfetto.emplace());
  if (!opts.pprof_out.empty()) observers.push_back(&pprof.emplace());
  if (!opts.html_out.empty()) {
    report::HtmlOptions ho;
    ho.trace_path = opts.path;
    observers.push_back(&html.emplace(ho));
  }
  auto a = AnalyzeTrace(*buf, ao, observers);
  if (!a) return kExitError;
  if (perfetto) {
    report::PerfettoStats st;
    if (!WritePerfettoFile(*perfetto, *a, opts.perfetto_out, &st)) return kExitError;
  }
  if (pprof) {
    report::PprofStats st;
    if (!WritePprofFile(*pprof, *a, opts.pprof_out, &st)) return kExitError;
  }
  if (html) {
    report::HtmlStats st;
    if (!WriteHtmlFile(*html, *a, *buf, opts.html_out, &st)) return kExitError;
  }
  std::string out;
  if (opts.json) {  // streamed: the document is never held whole
    report::WriteAnalysisJson(*a, report::JsonOptions{opts.path, 2},
                              [](std::string_view chunk) { std::fwrite(chunk.data(), 1, chunk.size(), stdout); });
  } else {
    report::TextOptions to;
    to.trace_path = opts.path;
    to.color = UseColor(opts.color, STDOUT_FILENO);
    out = report::AnalysisToText(*a, to);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  int rc = AnalysisExitStatus(*a);
  if (rc == kExitOk && opts.fail_on_findings && !a->findings.empty()) rc = kExitFindings;
  if (otlp::ExportConfigured(opts.otlp)) {  // the findings with the gate's fingerprints and sites
    report::CheckResult result;
    report::AddTrace(result, opts.path, std::move(*a), report::CheckConfig{}, {});
    ExportOtlp(result, opts.otlp);
  }
  return rc;
}

}  // namespace cancelflow::cli
