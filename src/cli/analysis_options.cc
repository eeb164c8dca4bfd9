#include "cli/analysis_options.h"

#include <cmath>
#include <filesystem>
#include <memory>
#include <system_error>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "base/parallel.h"
#include "cli/commands.h"
#include "report/check_result.h"

namespace cancelflow::cli {

namespace fs = std::filesystem;

void AddAnalysisFlags(CLI::App* cmd, AnalysisFlags& flags) {
  cmd->add_option("--config", flags.config,
                  "analysis and gate configuration (default: .cancelflow.json in the module root; cancelflow help "
                  "config); flags override it");
  cmd->add_option("--grace-ms", flags.grace_ms,
                  "grace period: ignored-cancel after a cancel; a leak outlives its test or blocks this long "
                  "(default 100, or the config's thresholds.grace)")
      ->check(CLI::Range(0.0, 1e9));
  cmd->add_option("--slow-ms", flags.slow_ms,
                  "slow-cancel: threshold after a cancel (default 100, or the config's thresholds.slow_cancel)")
      ->check(CLI::Range(0.0, 1e9));
  cmd->add_option("--scope", flags.scope,
                  "what the trace covers, instead of deciding it from the trace: program, test, window or flight")
      ->check(CLI::IsMember({"program", "test", "window", "flight"}));
  cmd->add_option("--threads", flags.threads,
                  "1: read and analyze on one thread; default: the ordered reader on a second thread when there is "
                  "a second CPU")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--leak-profile", flags.leak_profile,
                  "the runtime's goroutine leak profile taken at the end of the trace (debug=2 text, joined by "
                  "goroutine id, or the .pb.gz form, joined by stacks): the goroutines it marks leaked are proven "
                  "leaks (cancelflow help findings); default: X.goroutineleak beside trace X.trace, if any");
  cmd->add_flag("--no-leak-profile", flags.no_leak_profile,
                "do not read the leak profile found beside the trace (X.goroutineleak)");
}

std::string LeakProfileBeside(const std::string& trace_path) {
  if (trace_path.empty() || trace_path == "-" || trace_path.find("://") != std::string::npos) return "";
  // X.trace or X.out (go test -trace trace.out): X.goroutineleak; any other name: NAME.goroutineleak.
  const fs::path trace(trace_path);
  std::vector<fs::path> candidates;
  if (trace.has_extension()) candidates.push_back(fs::path(trace).replace_extension(".goroutineleak"));
  candidates.push_back(fs::path(trace_path + ".goroutineleak"));
  for (const fs::path& path : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) return path.string();
  }
  return "";
}

bool LoadLeakProfileInto(const std::string& path, AnalysisOptions& options) {
  auto p = LoadLeakProfile(path);
  if (!p) {
    PrintError(p.error().message);
    return false;
  }
  options.leak_profile = std::make_shared<const LeakProfile>(std::move(*p));
  return true;
}

namespace {

std::string Absolute(const std::string& p) {
  std::error_code ec;
  const fs::path a = fs::absolute(p, ec);
  if (ec) return p;
  std::string s = a.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

Time Millis(double ms) { return static_cast<Time>(std::llround(ms * 1e6)); }

}  // namespace

std::string ModuleRootFor(const std::string& module_root_flag, const std::vector<std::string>& inputs) {
  if (!module_root_flag.empty()) return Absolute(module_root_flag);
  std::vector<std::string> starts{"."};
  for (const auto& in : inputs) {
    if (in == "-" || in.find("://") != std::string::npos) continue;
    const fs::path parent = fs::path(in).parent_path();
    starts.push_back(parent.empty() ? "." : parent.string());
  }
  return report::FindModuleRoot(starts);
}

std::optional<ResolvedOptions> ResolveAnalysisOptions(const AnalysisFlags& flags, const std::string& module_root_flag,
                                                      const std::vector<std::string>& inputs) {
  ResolvedOptions r;
  r.module_root = ModuleRootFor(module_root_flag, inputs);
  std::string config_path = flags.config;
  if (config_path.empty() && !r.module_root.empty()) {
    std::error_code ec;
    if (fs::exists(r.module_root + "/.cancelflow.json", ec)) config_path = r.module_root + "/.cancelflow.json";
  }
  if (!config_path.empty()) {
    auto c = report::LoadConfig(config_path);
    if (!c) {
      PrintError(c.error().message);
      return std::nullopt;
    }
    r.config = std::move(*c);
    r.config.analysis.config_file = config_path;
  }
  AnalysisOptions& ao = r.config.analysis;
  if (flags.grace_ms) {
    ao.grace_ns = Millis(*flags.grace_ms);
    ao.set_by_flags.emplace_back("grace");
  }
  if (flags.slow_ms) {
    ao.slow_cancel_ns = Millis(*flags.slow_ms);
    ao.set_by_flags.emplace_back("slow_cancel");
  }
  if (!flags.scope.empty()) {
    ao.scope = TraceScopeFromName(flags.scope);
    ao.set_by_flags.emplace_back("scope");
  }
  // Source lines are evidence for what the trace cannot show (evidence/source_lines.h).
  ao.source_root = r.module_root;
  std::string profile = flags.leak_profile;
  if (profile.empty() && !flags.no_leak_profile && inputs.size() == 1) profile = LeakProfileBeside(inputs[0]);
  if (!profile.empty() && !LoadLeakProfileInto(profile, ao)) return std::nullopt;
  // Results do not depend on the thread count (AnalysisOptions::threads).
  ao.threads = flags.threads > 0 ? static_cast<unsigned>(flags.threads) : (DefaultThreads() > 1 ? 2u : 1u);
  return r;
}

}  // namespace cancelflow::cli
