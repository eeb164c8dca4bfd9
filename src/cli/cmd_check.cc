// `cancelflow check TRACE...`: the CI gate. Analyzes every trace (files, or
// directories searched recursively for *.trace), applies the config and the
// baseline, writes the requested reports and returns
//   0 clean, 1 failing findings, 2 an input or option is unusable
// (a trace that cannot be read, or broke part-way, is an error: the gate
// must not pass on what it could not see; reports are still written for
// every trace that could be analyzed).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "cli/cli_io.h"
#include "cli/commands.h"
#include "cli/gate.h"
#include "report/check_result.h"

namespace cancelflow::cli {
namespace {

namespace fs = std::filesystem;

// Whether `path` starts like a Go execution trace ("go 1.NN trace"), whatever
// its extension (go test -trace trace.out).
bool LooksLikeTrace(const fs::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  char head[16] = {};
  const size_t n = std::fread(head, 1, sizeof head, f);
  std::fclose(f);
  const std::string_view h(head, n);
  return h.substr(0, 5) == "go 1." && h.find(" trace") != std::string_view::npos;
}

// Expands directories into the trace files under them (recursive, sorted).
bool ExpandInputs(const std::vector<std::string>& inputs, std::vector<std::string>& out) {
  bool ok = true;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (in != "-" && fs::is_directory(in, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(in, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        if (it->is_regular_file(ec) && LooksLikeTrace(it->path())) found.push_back(it->path().string());
      }
      if (ec) {
        PrintError(fmt::format("{}: {}", in, ec.message()));
        ok = false;
      }
      std::sort(found.begin(), found.end());
      if (found.empty()) {
        PrintError(fmt::format("{}: no Go execution trace files", in));
        ok = false;
      }
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(in);
    }
  }
  return ok;
}

}  // namespace

int RunCheck(const CheckOptions& check) {
  const GateOptions& opts = check.gate;
  bool error = false;
  std::vector<std::string> paths;
  if (!ExpandInputs(check.inputs, paths)) error = true;

  // The options, and the module root: flag, else go.mod upward from the working directory or the traces.
  const auto gate = LoadGate(opts, check.analysis, paths);
  if (!gate) return kExitError;
  std::string root = gate->module_root;

  // Analyze every trace first: without a go.mod near the working directory,
  // the reported source files themselves locate the module.
  std::vector<AnalyzedTrace> analyses;
  uint64_t total_bytes = 0, read_bytes = 0;
  for (const auto& path : paths) {
    std::error_code ec;
    total_bytes += path == "-" ? 0 : fs::file_size(path, ec);
  }
  Progress progress;
  for (size_t i = 0; i < paths.size(); ++i) {
    progress.Show(fmt::format("{}/{} traces, {:.1f} of {:.1f} MB", i, paths.size(), static_cast<double>(read_bytes) / 1e6,
                              static_cast<double>(total_bytes) / 1e6));
    std::error_code ec;
    if (paths[i] != "-") read_bytes += fs::file_size(paths[i], ec);
    bool failed = false;
    // Each trace with the leak profile beside it, if any (the flight recorder's X.goroutineleak).
    AnalysisOptions options = gate->config.analysis;
    if (gate->leak_profile_beside && !options.leak_profile) {
      if (const std::string beside = LeakProfileBeside(paths[i]);
          !beside.empty() && !LoadLeakProfileInto(beside, options)) {
        failed = true;
        error = true;
        continue;
      }
    }
    auto a = failed ? std::nullopt : AnalyzeTraceFile(paths[i], options, {}, &failed, &check.live, &check.analysis);
    if (failed) progress.Clear();
    error = error || failed;
    if (a) analyses.push_back(std::move(*a));
  }
  progress.Clear();
  if (root.empty()) {
    std::vector<std::string> starts;
    for (const auto& t : analyses) {
      for (const auto& f : t.analysis.findings) {
        report::Site s = report::SiteOf(t.analysis, f.creation_stack, f.creation_user_frame, "");
        if (s.abs_file.empty()) s.abs_file = f.context_site.file;
        if (!s.abs_file.empty()) starts.push_back(s.abs_file);
        if (starts.size() >= 8) break;
      }
    }
    root = report::FindModuleRoot(starts);
  }

  report::CheckResult result;
  result.module_root = root;
  for (auto& t : analyses) {
    report::AddTrace(result, t.path, std::move(t.analysis), gate->config, gate->baseline);
    result.traces.back().package = t.package;
  }

  if (!opts.quiet) {
    std::string text;
    for (const auto& t : result.traces) text += FindingsText(t, t.path);
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  if (!WriteGateReports(result, opts)) error = true;

  std::fprintf(stderr, "cancelflow check: %zu trace(s), %zu finding(s): %zu failing, %zu baselined, %zu not gating%s\n",
               result.traces.size(), result.total, result.failing, result.suppressed,
               result.total - result.failing - result.suppressed, error ? "; errors (exit 2)" : "");
  if (error) return kExitError;
  return report::Verdict(result) ? kExitFindings : kExitOk;
}

}  // namespace cancelflow::cli
