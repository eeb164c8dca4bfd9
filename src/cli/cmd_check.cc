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
#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include "base/inert_text.h"
#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"
#include "cli/commands.h"
#include "report/baseline.h"
#include "report/check_result.h"
#include "report/github_annotations.h"
#include "report/junit_writer.h"
#include "report/sarif_writer.h"
#include "report/text.h"

namespace cancelflow::cli {
namespace {

namespace fs = std::filesystem;

// Expands directories into their *.trace files (recursive, sorted).
bool ExpandInputs(const std::vector<std::string>& inputs, std::vector<std::string>& out) {
  bool ok = true;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (in != "-" && fs::is_directory(in, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(in, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().extension() == ".trace") found.push_back(it->path().string());
      }
      if (ec) {
        PrintError(fmt::format("{}: {}", in, ec.message()));
        ok = false;
      }
      std::sort(found.begin(), found.end());
      if (found.empty()) {
        PrintError(fmt::format("{}: no *.trace files", in));
        ok = false;
      }
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(in);
    }
  }
  return ok;
}

bool WriteFile(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return true;
  }
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) {
    PrintError("cannot write " + path);
    return false;
  }
  return true;
}

std::string Absolute(const std::string& p) {
  std::error_code ec;
  fs::path a = fs::absolute(p, ec);
  if (ec) return p;
  std::string s = a.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

int RunCheck(const CheckOptions& opts) {
  bool error = false;
  std::vector<std::string> paths;
  if (!ExpandInputs(opts.inputs, paths)) error = true;

  // The module root: flag, else go.mod upward from the working directory or the traces.
  std::string root = opts.module_root.empty() ? "" : Absolute(opts.module_root);
  if (root.empty()) {
    std::vector<std::string> starts{"."};
    for (const auto& p : paths) starts.push_back(fs::path(p).parent_path().empty() ? "." : fs::path(p).parent_path().string());
    root = report::FindModuleRoot(starts);
  }

  report::CheckConfig config;
  std::string config_path = opts.config;
  if (config_path.empty() && !root.empty()) {
    std::error_code ec;
    if (fs::exists(root + "/.cancelflow.json", ec)) config_path = root + "/.cancelflow.json";
  }
  if (!config_path.empty()) {
    auto c = report::LoadConfig(config_path);
    if (!c) {
      PrintError(c.error().message);
      return kExitError;
    }
    config = *c;
  }
  std::set<std::string> baseline;
  if (!opts.baseline.empty()) {
    auto b = report::LoadBaseline(opts.baseline);
    if (!b) {
      PrintError(b.error().message);
      return kExitError;
    }
    baseline = std::move(*b);
  }

  // Analyze every trace first: without a go.mod near the working directory,
  // the reported source files themselves locate the module.
  std::vector<std::pair<std::string, Analysis>> analyses;
  for (const auto& path : paths) {
    auto buf = TraceBuffer::Open(path);
    if (!buf) {
      PrintError(fmt::format("{}: {}", path, buf.error().message));
      error = true;
      continue;
    }
    auto a = Analyze(*buf, config.analysis);
    if (!a) {
      PrintError(fmt::format("{}: {}", path, a.error().ToString()));
      error = true;
      continue;
    }
    if (a->quality.partial) {
      PrintError(fmt::format("{}: trace is partial: {}", path,
                             a->quality.error ? a->quality.error->ToString() : "broken part-way"));
      error = true;
    }
    analyses.emplace_back(path, std::move(*a));
  }
  if (root.empty()) {
    std::vector<std::string> starts;
    for (const auto& [path, a] : analyses) {
      for (const auto& f : a.findings) {
        report::Site s = report::SiteOf(a, f.creation_stack, f.creation_user_frame, "");
        if (s.abs_file.empty()) s.abs_file = f.context_site.file;
        if (!s.abs_file.empty()) starts.push_back(s.abs_file);
        if (starts.size() >= 8) break;
      }
    }
    root = report::FindModuleRoot(starts);
  }

  report::CheckResult result;
  result.module_root = root;
  for (auto& [path, a] : analyses) report::AddTrace(result, path, std::move(a), config, baseline);

  if (!opts.quiet) {
    std::string text;
    for (const auto& t : result.traces) {
      for (const auto& cf : t.findings) {
        text += fmt::format("{}: {}", InertText(t.path), cf.suppressed ? "[baseline] " : cf.fails ? "" : "[not gating] ");
        text += report::FindingText(t.analysis, cf);
      }
    }
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  const char* gha = std::getenv("GITHUB_ACTIONS");
  const bool github = opts.github == "always" || (opts.github == "auto" && gha && std::string(gha) == "true");
  if (github) {
    const std::string ann = report::WriteGitHubAnnotations(result);
    std::fwrite(ann.data(), 1, ann.size(), stdout);
  }
  std::fflush(stdout);

  if (!opts.junit.empty() && !WriteFile(opts.junit, report::WriteJUnit(result))) error = true;
  if (!opts.sarif.empty() && !WriteFile(opts.sarif, report::WriteSarif(result, CANCELFLOW_VERSION))) error = true;
  if (!opts.write_baseline.empty() && !WriteFile(opts.write_baseline, report::WriteBaseline(result))) error = true;

  std::fprintf(stderr, "cancelflow check: %zu trace(s), %zu finding(s): %zu failing, %zu baselined, %zu not gating%s\n",
               result.traces.size(), result.total, result.failing, result.suppressed,
               result.total - result.failing - result.suppressed, error ? "; errors (exit 2)" : "");
  if (error) return kExitError;
  return report::Verdict(result) ? kExitFindings : kExitOk;
}

}  // namespace cancelflow::cli
