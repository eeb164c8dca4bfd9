// cancelflow command-line entry point: parses arguments and dispatches to one
// file per subcommand. This is the one place that catches exceptions thrown
// by third-party libraries (CLI11, fmt, allocation failure).
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "base/inert_text.h"
#include "cli/commands.h"

namespace cancelflow::cli {

// Messages may hold trace strings and file names: one inert line each.
void PrintError(const std::string& message) {
  const std::string line = "cancelflow: " + InertText(message) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

namespace {

int Main(int argc, char** argv) {
  CLI::App app{"cancelflow: how cancellation flows through Go programs, read from runtime/trace files"};
  app.require_subcommand(1);

  DumpOptions dump;
  auto* dump_cmd = app.add_subcommand("dump", "Print every event of a trace like `go tool trace -d=...`");
  dump_cmd->add_option("--format", dump.format, "go-wire (= go tool trace -d=wire) or go-parsed (= go tool trace -d=parsed)")->capture_default_str();
  dump_cmd->add_option("file", dump.path, "trace file, or - for standard input")->required();

  StatsOptions stats;
  auto* stats_cmd = app.add_subcommand("stats", "Count events, bytes, batches and generations in a trace");
  stats_cmd->add_option("file", stats.path, "trace file, or - for standard input")->required();
  stats_cmd->add_flag("--ordered", stats.ordered,
                      "also run the full ordering pass (Go's ReadEvent loop) and print counts by event kind");
  stats_cmd->add_option("--threads", stats.threads, "threads for the wire pass (default: one per CPU)")
      ->check(CLI::Range(1, 1024));

  AnalyzeOptions analyze;
  auto* analyze_cmd = app.add_subcommand("analyze", "Report cancellations and cancellation bugs found in a trace");
  analyze_cmd->add_option("file", analyze.path, "trace file, or - for standard input")->required();
  analyze_cmd->add_flag("--json", analyze.json, "print the JSON document (docs/json-schema.md)");
  analyze_cmd->add_option("--color", analyze.color, "auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  analyze_cmd->add_option("--grace-ms", analyze.grace_ms, "ignored-cancel: grace period after a cancel")
      ->capture_default_str();
  analyze_cmd->add_option("--slow-ms", analyze.slow_ms, "slow-cancel: threshold after a cancel")->capture_default_str();
  analyze_cmd->add_flag("--fail-on-findings", analyze.fail_on_findings, "exit with status 1 when there are findings");
  analyze_cmd->add_option("--perfetto", analyze.perfetto_out, "also write the Perfetto timeline to this file (same pass)");
  analyze_cmd->add_option("--pprof", analyze.pprof_out, "also write the gzipped pprof profile to this file (same pass)");
  analyze_cmd->add_option("--html", analyze.html_out, "also write the self-contained HTML report to this file (same pass)");
  analyze_cmd->add_option("--threads", analyze.threads,
                          "1: read and analyze on one thread; default: the ordered reader on a second thread when there is a second CPU")
      ->check(CLI::Range(1, 64));

  PerfettoOptions perfetto;
  auto* perfetto_cmd = app.add_subcommand(
      "perfetto", "Write the cancellation timeline as a Perfetto trace (open in https://ui.perfetto.dev)");
  perfetto_cmd->add_option("file", perfetto.path, "trace file, or - for standard input")->required();
  perfetto_cmd->add_option("-o,--output", perfetto.out, "Perfetto trace to write (.pftrace), or - for stdout")->required();
  perfetto_cmd->add_option("--max-slices-per-goroutine", perfetto.max_slices_per_goroutine,
                           "state slices kept per goroutine (half from its start, half from its end)")
      ->capture_default_str();
  perfetto_cmd->add_option("--max-records", perfetto.max_records, "slices, regions, logs and tasks kept in total")
      ->capture_default_str();

  PprofOptions pprof;
  auto* pprof_cmd = app.add_subcommand(
      "pprof", "Write post-cancel CPU/wall time and leaked goroutines as a gzipped pprof profile");
  pprof_cmd->add_option("file", pprof.path, "trace file, or - for standard input")->required();
  pprof_cmd->add_option("-o,--output", pprof.out, "profile to write (.pb.gz), or - for stdout")->required();

  HtmlOptions html;
  auto* html_cmd = app.add_subcommand(
      "html", "Write a self-contained HTML report: findings, context tree, timeline with cancel arrows, flame graph");
  html_cmd->add_option("file", html.path, "trace file, or - for standard input")->required();
  html_cmd->add_option("-o,--output", html.out, "HTML file to write, or - for stdout")->required();
  html_cmd->add_option("--max-lanes", html.max_lanes, "goroutine lanes drawn (named by the analysis first)")
      ->capture_default_str();
  html_cmd->add_option("--max-spans", html.max_spans, "timeline spans in the file (lanes merged to fit)")
      ->capture_default_str();

  Text2BinOptions text2bin;
  auto* text2bin_cmd =
      app.add_subcommand("text2bin", "Convert Go's raw text trace format (or a Go .test file) to a binary trace");
  text2bin_cmd->add_option("in", text2bin.in, "text trace or .test file")->required();
  text2bin_cmd->add_option("out", text2bin.out, "binary trace to write")->required();

  CheckOptions check;
  auto* check_cmd = app.add_subcommand(
      "check", "CI gate: analyze traces; exit 0 clean, 1 findings, 2 error; write JUnit, SARIF, GitHub annotations");
  check_cmd->add_option("traces", check.inputs, "trace files, or directories holding *.trace files")->required();
  check_cmd->add_option("--junit", check.junit, "write JUnit XML to FILE (one testcase per Go test)");
  check_cmd->add_option("--sarif", check.sarif, "write SARIF 2.1.0 to FILE");
  check_cmd->add_flag("--github", check.github_flag,
                      "print GitHub Actions annotations (default: when GITHUB_ACTIONS=true)");
  check_cmd->add_option("--module-root", check.module_root,
                        "report paths relative to DIR (default: the first go.mod upward from the working "
                        "directory, the traces, or the reported source files)");
  check_cmd->add_option("--baseline", check.baseline, "suppress the findings listed in FILE (by fingerprint)");
  check_cmd->add_option("--write-baseline", check.write_baseline,
                        "write every finding to FILE as a baseline (the exit status still reflects the gate)");
  check_cmd->add_option("--config", check.config,
                        "gate configuration (default: .cancelflow.json in the module root, if present)");
  check_cmd->add_flag("-q,--quiet", check.quiet, "print only the summary line");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitError;
  }
  if (dump_cmd->parsed()) return RunDump(dump);
  if (stats_cmd->parsed()) return RunStats(stats);
  if (analyze_cmd->parsed()) return RunAnalyze(analyze);
  if (check_cmd->parsed()) {
    if (check.github_flag) check.github = "always";
    return RunCheck(check);
  }
  if (perfetto_cmd->parsed()) return RunPerfetto(perfetto);
  if (pprof_cmd->parsed()) return RunPprof(pprof);
  if (html_cmd->parsed()) return RunHtml(html);
  if (text2bin_cmd->parsed()) return RunText2Bin(text2bin);
  return kExitError;
}

}  // namespace
}  // namespace cancelflow::cli

int main(int argc, char** argv) {
  try {
    return cancelflow::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    cancelflow::cli::PrintError(e.what());
    return cancelflow::cli::kExitError;
  }
}
