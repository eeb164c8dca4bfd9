// cancelflow command-line entry point: parses arguments and dispatches to one
// file per subcommand. This is the one place that catches exceptions thrown
// by third-party libraries (CLI11, fmt, allocation failure).
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "base/inert_text.h"
#include "cli/commands.h"

namespace cancelflow::cli {

// Messages may hold trace strings and file names: one inert line each.
void PrintError(const std::string& message) {
  const std::string line = "cancelflow: " + InertText(message) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

namespace {

// CLI11's messages, each line prefixed like every other error.
std::string FailureMessage(const CLI::App* app, const CLI::Error& e) {
  std::string out;
  std::string msg = e.what();
  for (size_t start = 0; start < msg.size();) {
    size_t nl = msg.find('\n', start);
    if (nl == std::string::npos) nl = msg.size();
    if (nl > start) out += "cancelflow: " + msg.substr(start, nl - start) + "\n";
    start = nl + 1;
  }
  // The subcommand being parsed when the error happened, if any.
  const auto subs = app->get_subcommands();
  out += subs.empty() ? "cancelflow: run 'cancelflow help' for usage\n"
                      : "cancelflow: run 'cancelflow " + subs.front()->get_name() + " --help' for usage\n";
  return out;
}

// --otlp: the OTLP export of `analyze`, `check` and `test` (src/export/otlp_http.h).
void AddOtlpOption(CLI::App* cmd, std::string& url) {
  cmd->add_option("--otlp", url,
                  "send the analysis as OpenTelemetry traces (OTLP/HTTP protobuf) to URL (a base URL gets /v1/traces); "
                  "default: OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT; a failure is printed and changes no exit status");
}

// The report and gate flags `check` and `test` share.
void AddGateOptions(CLI::App* cmd, GateOptions& g) {
  cmd->add_option("--junit", g.junit, "write JUnit XML to FILE (one testsuite per package, one testcase per Go test)");
  cmd->add_option("--sarif", g.sarif, "write SARIF 2.1.0 to FILE");
  cmd->add_option("--json", g.json, "write the analyses and the gate's counts as JSON to FILE (cancelflow help json)");
  cmd->add_option("--metrics", g.metrics, "write OpenMetrics text to FILE (cancelflow help ci)");
  cmd->add_flag("--github", g.github_flag, "print GitHub Actions annotations (default: when GITHUB_ACTIONS=true)");
  cmd->add_option("--module-root", g.module_root,
                  "report paths relative to DIR (default: the first go.mod upward from the working "
                  "directory, the traces, or the reported source files)");
  cmd->add_option("--baseline", g.baseline, "suppress the findings listed in FILE (by fingerprint)");
  cmd->add_option("--write-baseline", g.write_baseline,
                  "write every finding to FILE as a baseline (the exit status still reflects the gate)");
  cmd->add_flag("-q,--quiet", g.quiet, "print only the summary line");
  AddOtlpOption(cmd, g.otlp);
}

int Main(int argc, char** argv) {
  // `cancelflow test ... -- GO TEST FLAGS`: what follows -- goes to go test.
  std::vector<std::string> go_flags;
  if (argc > 1 && std::string(argv[1]) == "test") {
    for (int i = 2; i < argc; ++i) {
      if (std::string(argv[i]) != "--") continue;
      go_flags.assign(argv + i + 1, argv + argc);
      argc = i;
      break;
    }
  }

  CLI::App app{"cancelflow: how cancellation flows through Go programs, read from runtime/trace files"};
  app.name("cancelflow");
  app.require_subcommand(1);
  app.failure_message(FailureMessage);
  app.set_version_flag("--version", "cancelflow " CANCELFLOW_VERSION);
  app.footer("Run 'cancelflow help TOPIC' for a topic (" + HelpTopicsLine() + ") or 'cancelflow SUBCOMMAND --help'.");

  auto* version_cmd = app.add_subcommand("version", "Print the version");
  std::string help_topic;
  auto* help_cmd = app.add_subcommand("help", "Show help on a topic (with no topic, the usage)");
  help_cmd->add_option("topic", help_topic, "one of: " + HelpTopicsLine());

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
  analyze_cmd->add_option("file", analyze.path, "trace file, - for standard input, or a live service http://HOST:PORT/debug/pprof/")->required();
  analyze_cmd->add_flag("--json", analyze.json, "print the JSON document (cancelflow help json)");
  analyze_cmd->add_option("--color", analyze.color, "auto (a terminal, unless NO_COLOR is set), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  AddAnalysisFlags(analyze_cmd, analyze.analysis);
  AddLiveFlags(analyze_cmd, analyze.live);
  analyze_cmd->add_flag("--fail-on-findings", analyze.fail_on_findings, "exit with status 1 when there are findings");
  analyze_cmd->add_option("--perfetto", analyze.perfetto_out, "also write the Perfetto timeline to this file (same pass)");
  analyze_cmd->add_option("--pprof", analyze.pprof_out, "also write the gzipped pprof profile to this file (same pass)");
  analyze_cmd->add_option("--html", analyze.html_out, "also write the self-contained HTML report to this file (same pass)");
  AddOtlpOption(analyze_cmd, analyze.otlp);

  PerfettoOptions perfetto;
  auto* perfetto_cmd = app.add_subcommand(
      "perfetto", "Write the cancellation timeline as a Perfetto trace (open in https://ui.perfetto.dev)");
  perfetto_cmd->add_option("file", perfetto.path, "trace file, - for standard input, or a live service http://HOST:PORT/debug/pprof/")->required();
  perfetto_cmd->add_option("-o,--output", perfetto.out, "Perfetto trace to write (.pftrace), or - for stdout")->required();
  perfetto_cmd->add_option("--max-slices-per-goroutine", perfetto.max_slices_per_goroutine,
                           "state slices kept per goroutine (half from its start, half from its end)")
      ->capture_default_str();
  perfetto_cmd->add_option("--max-records", perfetto.max_records, "slices, regions, logs and tasks kept in total")
      ->capture_default_str();
  AddAnalysisFlags(perfetto_cmd, perfetto.analysis);
  AddLiveFlags(perfetto_cmd, perfetto.live);

  PprofOptions pprof;
  auto* pprof_cmd = app.add_subcommand(
      "pprof", "Write post-cancel CPU/wall time and leaked goroutines as a gzipped pprof profile");
  pprof_cmd->add_option("file", pprof.path, "trace file, - for standard input, or a live service http://HOST:PORT/debug/pprof/")->required();
  pprof_cmd->add_option("-o,--output", pprof.out, "profile to write (.pb.gz), or - for stdout")->required();
  AddAnalysisFlags(pprof_cmd, pprof.analysis);
  AddLiveFlags(pprof_cmd, pprof.live);

  HtmlOptions html;
  auto* html_cmd = app.add_subcommand(
      "html", "Write a self-contained HTML report: findings, context tree, timeline with cancel arrows, flame graph");
  html_cmd->add_option("file", html.path, "trace file, - for standard input, or a live service http://HOST:PORT/debug/pprof/")->required();
  html_cmd->add_option("-o,--output", html.out, "HTML file to write, or - for stdout")->required();
  html_cmd->add_option("--max-lanes", html.max_lanes, "goroutine lanes drawn (named by the analysis first)")
      ->capture_default_str();
  html_cmd->add_option("--max-spans", html.max_spans, "timeline spans in the file (lanes merged to fit)")
      ->capture_default_str();
  AddAnalysisFlags(html_cmd, html.analysis);
  AddLiveFlags(html_cmd, html.live);

  Text2BinOptions text2bin;
  auto* text2bin_cmd =
      app.add_subcommand("text2bin", "Convert Go's raw text trace format (or a Go .test file) to a binary trace");
  text2bin_cmd->add_option("in", text2bin.in, "text trace or .test file")->required();
  text2bin_cmd->add_option("out", text2bin.out, "binary trace to write")->required();

  CheckOptions check;
  auto* check_cmd = app.add_subcommand(
      "check", "CI gate: analyze traces; exit 0 clean, 1 findings, 2 error; write JUnit, SARIF, GitHub annotations");
  check_cmd->add_option("traces", check.inputs, "trace files, directories searched for trace files (recognized by their header), or live services http://HOST:PORT/debug/pprof/")->required();
  AddAnalysisFlags(check_cmd, check.analysis);
  AddLiveFlags(check_cmd, check.live);
  AddGateOptions(check_cmd, check.gate);

  TestOptions test;
  auto* test_cmd = app.add_subcommand(
      "test", "Run go test with one execution trace per package and gate on the analysis; exit 0 clean, 1 a test "
              "failed or findings, 2 error. Flags after -- go to go test.");
  test_cmd->add_option("packages", test.packages, "packages, as for go test (default ./...)");
  test_cmd->add_option("--keep-traces", test.keep_traces,
                       "keep the traces in DIR (one per package, named by import path); default: a temporary "
                       "directory, removed");
  test_cmd->add_option("-p,--parallel", test.parallel, "packages tested at once (default: one per CPU, as go test)")
      ->check(CLI::Range(1, 1024));
  AddAnalysisFlags(test_cmd, test.analysis);
  AddGateOptions(test_cmd, test.gate);

  WatchOptions watch;
  auto* watch_cmd = app.add_subcommand(
      "watch", "Watch live services: each round, each target's trace window and leak profile, analyzed; findings "
               "on /metrics (OpenMetrics text) and OTLP; cancelflow help watch");
  watch_cmd->add_option("targets", watch.targets, "http://HOST:PORT/debug/pprof/ URLs, or Prometheus file_sd JSON files")
      ->required();
  watch_cmd->add_option("--every", watch.every, "round length: each target once per round, starts spread over it (15m, 30s, 500ms)")
      ->capture_default_str();
  AddLiveFlags(watch_cmd, watch.live, /*keep_trace=*/false);
  watch_cmd->add_option("--listen", watch.listen, "serve /metrics on HOST:PORT (port 0: any free port, printed)")
      ->capture_default_str();
  watch_cmd->add_option("--keep", watch.keep_dir, "keep each fetched trace in DIR (default: none kept)");
  watch_cmd->add_option("--keep-max-mb", watch.keep_max_mb, "cap on the traces kept in DIR: the oldest are deleted")
      ->check(CLI::Range(1.0, 1e7))
      ->capture_default_str();
  watch_cmd->add_option("--service", watch.service, "service label of URL targets (default: host:port; file_sd: its \"service\" label)");
  watch_cmd->add_option("--rounds", watch.rounds, "stop after N rounds (default: run until SIGTERM/SIGINT)");
  watch_cmd->add_option("--max-series", watch.max_series, "cap on finding series on /metrics, all targets together")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  AddAnalysisFlags(watch_cmd, watch.analysis);
  AddOtlpOption(watch_cmd, watch.otlp);

  // A first argument that is not an option must name a subcommand; CLI11
  // would only say that one is required.
  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
      const std::string near = Nearest(argv[1], names);
      PrintError(fmt::format("unknown command \"{}\"{}", argv[1],
                             near.empty() ? "" : "; did you mean \"" + near + "\"?"));
      PrintError("run 'cancelflow help' for the list of commands");
      return kExitError;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitError;
  }
  if (version_cmd->parsed()) {
    std::printf("cancelflow %s\n", CANCELFLOW_VERSION);
    return kExitOk;
  }
  if (help_cmd->parsed()) return RunHelp(help_topic, app.help("", CLI::AppFormatMode::Normal));
  if (dump_cmd->parsed()) return RunDump(dump);
  if (stats_cmd->parsed()) return RunStats(stats);
  if (analyze_cmd->parsed()) return RunAnalyze(analyze);
  if (check_cmd->parsed()) return RunCheck(check);
  if (test_cmd->parsed()) {
    test.go_flags = std::move(go_flags);
    return RunTest(test);
  }
  if (perfetto_cmd->parsed()) return RunPerfetto(perfetto);
  if (pprof_cmd->parsed()) return RunPprof(pprof);
  if (html_cmd->parsed()) return RunHtml(html);
  if (text2bin_cmd->parsed()) return RunText2Bin(text2bin);
  if (watch_cmd->parsed()) return RunWatch(watch);
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
