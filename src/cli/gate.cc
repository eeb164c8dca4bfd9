#include "cli/gate.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "base/inert_text.h"
#include <nlohmann/json.hpp>

#include "base/trace_buffer.h"
#include "cli/cli_io.h"
#include "cli/commands.h"
#include "export/otlp_http.h"
#include "report/baseline.h"
#include "report/github_annotations.h"
#include "report/json_report.h"
#include "report/junit_writer.h"
#include "report/metrics_writer.h"
#include "report/sarif_writer.h"
#include "report/text.h"

namespace cancelflow::cli {

std::optional<Gate> LoadGate(const GateOptions& opts, const AnalysisFlags& flags,
                             const std::vector<std::string>& inputs) {
  Gate gate;
  auto resolved = ResolveAnalysisOptions(flags, opts.module_root, inputs);
  if (!resolved) return std::nullopt;
  gate.config = std::move(resolved->config);
  gate.module_root = std::move(resolved->module_root);
  gate.leak_profile_beside = flags.leak_profile.empty() && !flags.no_leak_profile;
  if (!opts.baseline.empty()) {
    auto b = report::LoadBaseline(opts.baseline);
    if (!b) {
      PrintError(b.error().message);
      return std::nullopt;
    }
    gate.baseline = std::move(*b);
  }
  return gate;
}

std::optional<AnalyzedTrace> AnalyzeTraceFile(const std::string& path, const AnalysisOptions& options,
                                              const std::vector<std::string>& run_order, bool* error,
                                              const LiveFlags* live, const AnalysisFlags* flags) {
  AnalysisOptions with_order = options;
  with_order.test_run_order = run_order;
  std::optional<TraceBuffer> buf;
  if (live != nullptr && flags != nullptr && live::IsLiveUrl(path)) {
    buf = OpenInput(path, *live, *flags, &with_order);  // prints its one-line error
    if (!buf) {
      *error = true;
      return std::nullopt;
    }
  } else if (auto file = TraceBuffer::Open(path); file) {
    buf = std::move(*file);
  } else {
    PrintError(fmt::format("{}: {}", path, file.error().message));
    *error = true;
    return std::nullopt;
  }
  auto a = Analyze(*buf, with_order);
  if (!a) {
    PrintError(fmt::format("{}: {}", path, a.error().ToString()));
    *error = true;
    return std::nullopt;
  }
  if (a->quality.partial) {
    PrintError(fmt::format("{}: trace is partial: {}", path,
                           a->quality.error ? a->quality.error->ToString() : "broken part-way"));
    *error = true;
  }
  std::string package = a->tested_package;
  return AnalyzedTrace{path, std::move(*a), std::move(package)};
}

std::string FindingsText(const report::CheckedTrace& t, const std::string& prefix) {
  std::string text;
  for (const auto& cf : t.findings) {
    text += fmt::format("{}: {}", InertText(prefix), cf.suppressed ? "[baseline] " : cf.fails ? "" : "[not gating] ");
    text += report::FindingText(t.analysis, cf);
  }
  return text;
}

namespace {

// One document: per trace, its package, path and the analysis (the
// `analyze --json` document, `cancelflow help json`), plus the gate's counts.
std::string JsonReport(const report::CheckResult& result) {
  nlohmann::json traces = nlohmann::json::array();
  for (const auto& t : result.traces) {
    traces.push_back({{"package", t.package},
                      {"trace", t.path},
                      {"analysis", nlohmann::json::parse(report::AnalysisToJson(t.analysis, report::JsonOptions{t.path, -1}))}});
  }
  nlohmann::json doc = {{"traces", std::move(traces)},
                        {"findings", result.total},
                        {"failing", result.failing},
                        {"baselined", result.suppressed}};
  // Like analyze --json: ASCII only, invalid UTF-8 replaced (paths and package names are untrusted).
  return doc.dump(2, ' ', true, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace

bool WriteGateReports(const report::CheckResult& result, const GateOptions& opts) {
  const char* gha = std::getenv("GITHUB_ACTIONS");
  const bool github = opts.github_flag || opts.github == "always" ||
                      (opts.github == "auto" && gha != nullptr && std::string(gha) == "true");
  if (github) {
    const std::string ann = report::WriteGitHubAnnotations(result);
    std::fwrite(ann.data(), 1, ann.size(), stdout);
  }
  std::fflush(stdout);
  bool ok = true;
  if (!opts.junit.empty()) ok = WriteOutput(opts.junit, report::WriteJUnit(result)) && ok;
  if (!opts.sarif.empty()) ok = WriteOutput(opts.sarif, report::WriteSarif(result, CANCELFLOW_VERSION)) && ok;
  if (!opts.json.empty()) ok = WriteOutput(opts.json, JsonReport(result)) && ok;
  if (!opts.metrics.empty()) {
    const auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    ok = WriteOutput(opts.metrics, report::WriteOpenMetrics(result, {CANCELFLOW_VERSION, now})) && ok;
  }
  if (!opts.write_baseline.empty()) ok = WriteOutput(opts.write_baseline, report::WriteBaseline(result)) && ok;
  ExportOtlp(result, opts.otlp);
  return ok;
}

void ExportOtlp(const report::CheckResult& result, const std::string& flag_url, const otlp::Attributes& resource) {
  for (const std::string& line : otlp::ExportIfConfigured(result, flag_url, resource)) PrintError(line);
}

}  // namespace cancelflow::cli
