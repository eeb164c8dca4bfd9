#include "report/check_result.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

namespace cancelflow::report {

std::string RelativeTo(const std::string& path, const std::string& root, bool* relative) {
  if (relative) *relative = false;
  if (root.empty() || path.size() <= root.size() + 1) return path;
  if (path.compare(0, root.size(), root) != 0 || path[root.size()] != '/') return path;
  if (relative) *relative = true;
  return path.substr(root.size() + 1);
}

Site SiteOf(const Analysis& a, StackId stack, int index, const std::string& module_root) {
  Site s;
  if (index < 0 || stack == kNoStack) return s;
  const auto frames = a.stacks().Frames(stack);
  if (static_cast<size_t>(index) >= frames.size()) return s;
  const Frame& fr = a.stacks().GetFrame(frames[static_cast<size_t>(index)]);
  s.func = std::string(a.Str(fr.func));
  s.abs_file = std::string(a.Str(fr.file));
  s.file = RelativeTo(s.abs_file, module_root, &s.relative);
  s.line = static_cast<int64_t>(fr.line);
  return s;
}

namespace {

// Context rules carry the ctx record's site instead of stacks.
Site ContextSite(const SourceSite& src, const std::string& root) {
  Site s;
  s.func = src.func;
  s.abs_file = src.file;
  s.file = RelativeTo(s.abs_file, root, &s.relative);
  s.line = src.line;
  return s;
}

}  // namespace

void AddTrace(CheckResult& result, std::string path, Analysis analysis, const CheckConfig& config,
              const std::set<std::string>& baseline) {
  CheckedTrace t{std::move(path), std::move(analysis), {}, {}, {}};
  const Analysis& a = t.analysis;
  if (a.quality.partial) result.partial = true;
  for (size_t i = 0; i < a.findings.size(); ++i) {
    const Finding& f = a.findings[i];
    if (!config.enabled(f.rule)) continue;
    CheckedFinding cf;
    cf.index = i;
    cf.fingerprint = f.fingerprint;
    cf.suppressed = baseline.count(cf.fingerprint) > 0;
    cf.fails = !cf.suppressed && config.Fails(f.severity, f.certainty);
    cf.creation = SiteOf(a, f.creation_stack, f.creation_user_frame, result.module_root);
    if (!f.context_site.empty()) cf.creation = ContextSite(f.context_site, result.module_root);
    cf.block = SiteOf(a, f.block_stack, f.block_user_frame, result.module_root);
    cf.primary = cf.block.empty() ? cf.creation : cf.block;
    std::string_view what = a.Str(f.start_func);
    if (what.empty()) what = cf.creation.func;
    cf.title = what.empty() ? std::string(RuleId(f.rule)) : fmt::format("{}: {}", RuleId(f.rule), what);
    if (!f.test.empty()) cf.tests.push_back(f.test);
    for (const GoId g : f.goroutines) {
      const GoroutineInfo* info = a.Goroutine(g);
      if (info != nullptr && !info->test.empty() &&
          std::find(cf.tests.begin(), cf.tests.end(), info->test) == cf.tests.end()) {
        cf.tests.push_back(info->test);
      }
    }
    ++result.total;
    if (cf.suppressed) ++result.suppressed;
    if (cf.fails) ++result.failing;
    t.findings.push_back(std::move(cf));
  }
  result.traces.push_back(std::move(t));
}

std::string FindModuleRoot(const std::vector<std::string>& start_dirs) {
  namespace fs = std::filesystem;
  for (const auto& start : start_dirs) {
    std::error_code ec;
    fs::path dir = fs::absolute(start, ec);
    if (ec) continue;
    dir = dir.lexically_normal();
    if (!fs::is_directory(dir, ec)) dir = dir.parent_path();
    while (!dir.empty()) {
      if (fs::exists(dir / "go.mod", ec)) {
        std::string s = dir.string();
        while (s.size() > 1 && s.back() == '/') s.pop_back();
        return s;
      }
      if (dir == dir.root_path() || dir.parent_path() == dir) break;
      dir = dir.parent_path();
    }
  }
  return "";
}

}  // namespace cancelflow::report
