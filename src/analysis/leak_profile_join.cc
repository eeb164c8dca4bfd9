// Joins the runtime's goroutine leak profile to the model (the fact
// GoRecord::in_profile, and DataQuality::leak_profile), after the pass and
// before the rules. Invariants:
//   - debug=2 text is joined by goroutine id (trace goroutine ids are the
//     runtime's goids); the protobuf form, which has no ids, by stacks: the
//     function names of the goroutine's stack at the end of the trace against
//     the profile's, both without runtime frames. A leaked stack that matches
//     more goroutines than the profile counts proves none of them
//     (`ambiguous`).
//   - A profile that cannot belong to this trace is an error, never a silent
//     non-join: one that matches no goroutine of the trace; one that marks
//     leaked a goroutine the trace never saw, or shows exiting or running at
//     its end (a leaked goroutine can never run again); one whose goroutine
//     runs another function than the trace's goroutine of the same id
//     (goroutine ids are small numbers: another process reuses them), or
//     that it marks leaked at another stack than the trace's end. Only a
//     leaked goroutine's stack must agree: the profile is taken a moment
//     before the trace ends (cancelflow test, the flight recorder), and
//     until then any other goroutine may still run and block elsewhere, as
//     the trace's own writer goroutine always does.
//   - A profile taken after the trace (LeakProfile::taken_after_trace, live
//     services) tolerates what can happen in between: a goroutine the trace
//     never saw, one that was running at the end and blocked since, one that
//     moved to another wait. Those are counted (`after_trace`) and get no
//     fact; a goroutine that runs another function is still a mismatch.
//   - Only goroutines alive at the end get a fact; rules decide what it means.
#include <algorithm>
#include <string_view>

#include <fmt/format.h>

#include "analysis/model_state.h"

namespace cancelflow::analysis {
namespace {

// Frames left out of the comparison: the runtime's (sync.runtime_* too), and internal/ packages'
// (internal/sync's Mutex frames are in the profile's stack of a goroutine
// blocked in sync.(*Mutex).Lock, inlined, while the trace's stack of the
// same wait starts at sync.(*Mutex).Lock).
bool RuntimeFrame(std::string_view func) {
  return func.substr(0, 8) == "runtime." || func.substr(0, 9) == "internal/" || func.substr(0, 13) == "sync.runtime_";
}

std::vector<std::string_view> UserFuncs(const ModelState& m, StackId s) {
  std::vector<std::string_view> out;
  if (s == kNoStack) return out;
  for (FrameId f : m.stacks->Frames(s)) {
    const std::string_view func = m.strings->Get(m.stacks->GetFrame(f).func);
    if (!RuntimeFrame(func)) out.push_back(func);
  }
  return out;
}

bool AliveAtEnd(const GoRecord& g) { return g.info.ended < 0; }

std::vector<std::string_view> UserFuncs(const LeakProfileGoroutine& pg) {
  std::vector<std::string_view> out;
  for (const std::string& f : pg.funcs)
    if (!RuntimeFrame(f)) out.push_back(f);
  return out;
}

// The same wait, seen by the trace and by the profile: the trace's
// non-runtime frames are the profile's outer part. The profile may print
// frames inside the wait that the trace's stack stops short of; never the
// other way round: a trace stack with frames the profile lacks (time.Sleep
// above the function that later blocked in a send) is another wait.
bool SameWait(const std::vector<std::string_view>& in_trace, const std::vector<std::string_view>& in_profile) {
  if (in_trace.empty() || in_profile.empty()) return in_trace.empty() && in_profile.empty();
  if (in_trace.size() > in_profile.size()) return false;
  return std::equal(in_trace.begin(), in_trace.end(),
                    in_profile.end() - static_cast<std::ptrdiff_t>(in_trace.size()));
}

// Why the profile's goroutine cannot be the trace's goroutine of the same id
// (why empty when they agree): its outermost function is not the one the trace
// saw it start (`other_function`: another process), or it is leaked (it can
// never run again) and both are blocked at different stacks (it may have
// moved, if the profile was taken after the trace).
struct Disagreement {
  std::string why;
  bool other_function = false;
};

Disagreement Disagree(const LeakProfileGoroutine& pg, const GoRecord& g, const ModelState& m) {
  const std::vector<std::string_view> in_profile = UserFuncs(pg);
  if (in_profile.empty()) return {};
  const std::string_view start = m.strings->Get(g.info.start_func);
  // `go f(x)` starts a compiler wrapper (pkg.F.gowrap1) that one side may name and the other leave out.
  const bool go_wrapper =
      start.find(".gowrap") != std::string_view::npos || in_profile.back().find(".gowrap") != std::string_view::npos;
  if (!start.empty() && !RuntimeFrame(start) && !go_wrapper && in_profile.back() != start) {
    return {fmt::format("its goroutine {} runs {}, the trace's started at {}", pg.goid, in_profile.back(), start), true};
  }
  // Only a leaked goroutine cannot have moved between the profile and the
  // trace's end (the profile is taken just before tracing stops): another
  // one may have been woken and blocked elsewhere since.
  if (pg.leaked && g.info.end_state == GoState::kWaiting) {
    const std::vector<std::string_view> in_trace = UserFuncs(m, g.info.end_stack);
    if (!in_trace.empty() && !SameWait(in_trace, in_profile)) {
      return {fmt::format("its goroutine {} waits in {}, the trace's in {}", pg.goid, in_profile.front(),
                          in_trace.front()),
              false};
    }
  }
  return {};
}

}  // namespace

std::optional<Error> JoinLeakProfile(const LeakProfile& p, ModelState& m) {
  DataQuality::LeakProfileJoin& q = m.quality.leak_profile;
  q.present = true;
  q.path = p.path;
  q.leaked = p.leaked();
  auto mismatch = [&](std::string why) {
    return MakeError(ErrorCode::kProfileMismatch, 0, kNoGeneration,
                     fmt::format("leak profile {}: {}; was it taken from this process, at the end of this trace?",
                                 p.path.empty() ? "(given)" : p.path, why))
        .value();
  };
  if (p.form == LeakProfile::Form::kText) {
    q.form = "debug=2";
    q.listed = p.goroutines.size();
    for (const LeakProfileGoroutine& pg : p.goroutines) {
      GoRecord* g = m.Find(GoId{pg.goid});
      if (g == nullptr) {
        if (pg.leaked && p.taken_after_trace) {
          ++q.after_trace;
          continue;
        }
        if (pg.leaked) return mismatch(fmt::format("it marks goroutine {} leaked, which the trace never saw", pg.goid));
        ++q.not_in_trace;
        continue;
      }
      if (const Disagreement d = Disagree(pg, *g, m); !d.why.empty()) {
        if (!p.taken_after_trace || d.other_function) return mismatch(d.why);
        ++q.after_trace;  // waits elsewhere than at the trace's end: it moved after the trace
        continue;
      }
      if (pg.leaked && AliveAtEnd(*g) && g->info.end_state != GoState::kWaiting && p.taken_after_trace) {
        ++q.after_trace;  // running at the trace's end, blocked for good since
        continue;
      }
      if (pg.leaked && (!AliveAtEnd(*g) || g->info.end_state != GoState::kWaiting)) {
        return mismatch(fmt::format("it marks goroutine {} leaked ({}), but the trace shows it {} at its end", pg.goid,
                                    pg.state, AliveAtEnd(*g) ? "not blocked" : "exited"));
      }
      if (!AliveAtEnd(*g)) continue;  // exited between the profile and the end of the trace
      ++q.joined;
      g->in_profile = pg.leaked ? GoRecord::InProfile::kLeaked : GoRecord::InProfile::kAlive;
      if (pg.leaked) ++q.leaked_joined;
    }
    if (q.joined == 0) return mismatch(fmt::format("none of its {} goroutines is alive at the end of the trace", q.listed));
    return std::nullopt;
  }
  q.form = "protobuf";
  if (p.leaked_stacks.empty()) return std::nullopt;  // nothing leaked: nothing to join or contradict
  for (const LeakProfileStack& st : p.leaked_stacks) {
    std::vector<std::string_view> want;
    for (const std::string& f : st.funcs)
      if (!RuntimeFrame(f)) want.push_back(f);
    std::vector<GoRecord*> matches;
    for (GoRecord& g : m.gs) {
      if (!AliveAtEnd(g) || g.info.end_state != GoState::kWaiting) continue;
      if (SameWait(UserFuncs(m, g.info.end_stack), want)) matches.push_back(&g);
    }
    if (matches.size() > static_cast<size_t>(st.count)) {
      q.ambiguous += static_cast<uint64_t>(st.count);
      continue;
    }
    for (GoRecord* g : matches) {
      g->in_profile = GoRecord::InProfile::kLeaked;
      ++q.leaked_joined;
      ++q.joined;
    }
  }
  if (q.joined == 0 && q.ambiguous == 0)
    return mismatch(fmt::format("none of its {} leaked stacks matches a goroutine blocked at the end of the trace",
                                p.leaked_stacks.size()));
  return std::nullopt;
}

}  // namespace cancelflow::analysis
