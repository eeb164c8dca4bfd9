// ModelState's methods and the lookups every stage shares (see model_state.h).
#include "analysis/model_state.h"

#include <algorithm>

#include "analysis/stack_patterns.h"
#include "analysis/wait_patterns.h"

namespace cancelflow::analysis {
namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

GoRecord& ModelState::Get(GoId g) {
  auto [slot, inserted] = gindex.Insert(static_cast<uint64_t>(g.value()), static_cast<uint32_t>(gs.size()));
  if (inserted) {
    gs.emplace_back();
    gs.back().info.id = g;
    ++quality.goroutines_seen;
    return gs.back();
  }
  GoRecord& r = gs[*slot];
  if (r.retired) {
    // Referenced again after it ended (an instrumentation record arriving
    // late): it matters after all.
    r.retired = false;
    --retired_in_gs;
  }
  return r;
}

std::vector<std::string_view> ModelState::Funcs(StackId s) const {
  std::vector<std::string_view> out;
  for (FrameId f : stacks->Frames(s)) out.push_back(strings->Get(stacks->GetFrame(f).func));
  return out;
}

bool IsLibraryFunc(std::string_view f) { return IsRuntimeOrStdFrame(f); }

bool ModelState::IsUser(std::string_view f) const { return IsUserFrame(f, user_packages); }

bool ModelState::IsUserGoroutine(std::string_view start) const {
  for (const std::string& p : user_packages)
    if (StartsWith(start, p)) return true;
  return !IsPlumbingGoroutine(start);
}

bool Matters(const GoRecord& g) {
  return g.info.context_id != 0 || !g.info.name.empty() || g.timer_goroutine || g.open_woken.valid() ||
         g.last_woken.valid() || g.go_exit_record || g.overdue_record || g.canceler || g.test_main ||
         g.slowest_response.valid() || g.outlived_test_ns >= 0;
}

void ModelState::Retire(GoRecord& g) {
  if (g.retired || Matters(g)) return;
  g.retired = true;
  ++retired_in_gs;
  retired_creator.Insert(static_cast<uint64_t>(g.info.id.value()), g.info.creator.value());
  const StackId s = g.info.creation_stack;
  if (s != kNoStack) {
    if (retired_stack_seen.size() <= s.value()) retired_stack_seen.resize(s.value() + 1, false);
    if (!retired_stack_seen[s.value()]) {
      retired_stack_seen[s.value()] = true;
      retired_creation_stacks.push_back(s);
    }
  }
}

void ModelState::CompactRetired() {
  size_t w = 0;
  for (size_t r = 0; r < gs.size(); ++r) {
    if (gs[r].retired) continue;
    if (w != r) gs[w] = std::move(gs[r]);
    ++w;
  }
  gs.resize(w);
  gindex.Clear();
  for (size_t i = 0; i < gs.size(); ++i) gindex.Insert(static_cast<uint64_t>(gs[i].info.id.value()), static_cast<uint32_t>(i));
  retired_in_gs = 0;
  ++compactions;
}

std::vector<std::string> PackagesUnderTest(const ModelState& m) {
  std::vector<std::string> out;
  auto add = [&](std::string p) {
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(std::move(p));
  };
  std::vector<bool> seen(m.stacks->num_stacks(), false);
  std::vector<StackId> creation_stacks = m.retired_creation_stacks;
  for (const GoRecord& g : m.gs) creation_stacks.push_back(g.info.creation_stack);
  for (const StackId s : creation_stacks) {
    if (s == kNoStack || seen[s.value()]) continue;
    seen[s.value()] = true;
    const auto funcs = m.Funcs(s);
    const int k = TestFunctionFrame(funcs);
    if (k < 0) continue;
    // The test function: "<import path>.Test..." — the package is up to the
    // first '.' after the last '/'.
    std::string pkg(PackagePath(funcs[static_cast<size_t>(k)]));
    if (pkg.empty()) continue;
    add(pkg + ".");
    if (pkg.size() > 5 && pkg.ends_with("_test")) add(pkg.substr(0, pkg.size() - 5) + ".");
  }
  return out;
}

uint64_t WaitSite(const ModelState& m, StackId s) {
  if (s == kNoStack) return UINT64_MAX;
  const int k = WaitingFrame(m.Funcs(s));
  return k < 0 ? UINT64_MAX : m.stacks->Frames(s)[static_cast<size_t>(k)].value();
}

int FirstUserFrame(const ModelState& m, StackId s) {
  if (s == kNoStack) return -1;
  auto frames = m.stacks->Frames(s);
  for (size_t i = 0; i < frames.size(); ++i) {
    if (m.IsUser(m.strings->Get(m.stacks->GetFrame(frames[i]).func))) return static_cast<int>(i);
  }
  return -1;
}

bool ModelState::UnderCancelableContext(GoId g) const {
  for (int depth = 0; depth < 1000 && g != kNoGoroutine; ++depth) {
    const GoRecord* r = Find(g);
    if (r == nullptr) {
      // A retired goroutine (ended, no context): only its creator link is kept.
      const int64_t* creator = retired_creator.Find(static_cast<uint64_t>(g.value()));
      if (creator == nullptr) return false;
      g = GoId(*creator);
      continue;
    }
    if (r->info.context_id != 0) {
      const ContextInfo* c = Context(r->info.context_id);
      // Bound to an uninstrumented context (ctx=0 is skipped above) or to a
      // cancelable instrumented one.
      if (c == nullptr || c->kind != "withoutcancel") return true;
    }
    g = r->info.creator;
  }
  return false;
}

}  // namespace cancelflow::analysis
