// Sites: the one place a stack frame becomes a source location, and its
// short text form. The analysis's messages (findings.cc), the gate's
// resolved sites (report/check_result) and the timelines (Perfetto) all go
// through here, so a site reads the same everywhere and the user frame is
// the analysis's (user_packages included) in every report.
#include <fmt/format.h>

#include "analysis/stack_patterns.h"
#include "cancelflow/analysis.h"

namespace cancelflow {
namespace {

SourceSite FrameToSite(const StackPool& stacks, const StringPool& strings, FrameId id) {
  const Frame& f = stacks.GetFrame(id);
  return SourceSite{std::string(strings.Get(f.func)), std::string(strings.Get(f.file)), static_cast<int64_t>(f.line)};
}

}  // namespace

SourceSite SiteAt(const StackPool& stacks, const StringPool& strings, StackId stack, int frame) {
  if (frame < 0 || stack == kNoStack) return {};
  const auto frames = stacks.Frames(stack);
  if (static_cast<size_t>(frame) >= frames.size()) return {};
  return FrameToSite(stacks, strings, frames[static_cast<size_t>(frame)]);
}

SourceSite SiteAt(const Analysis& a, StackId stack, int frame) { return SiteAt(a.stacks(), a.strings(), stack, frame); }

SourceSite SiteAt(const Analysis& a, FrameId frame) { return FrameToSite(a.stacks(), a.strings(), frame); }

std::string ShortSite(const SourceSite& s) {
  std::string_view file = s.file;
  if (const size_t slash = file.rfind('/'); slash != std::string_view::npos) file.remove_prefix(slash + 1);
  return fmt::format("{} ({}:{})", s.func, file, s.line);
}

int Analysis::FirstUserFrame(StackId stack) const {
  const auto frames = stacks().Frames(stack);
  for (size_t i = 0; i < frames.size(); ++i) {
    if (analysis::IsUserFrame(Str(stacks().GetFrame(frames[i]).func), user_packages)) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace cancelflow
