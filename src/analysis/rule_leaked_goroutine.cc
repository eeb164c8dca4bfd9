// leaked-goroutine: a goroutine that will never finish, by evidence the trace
// holds (docs/findings.md, "leaked-goroutine"). Being alive at the end is
// evidence only where the trace covers the goroutine's whole expected life:
// - any scope: the runtime's goroutine leak profile marks it leaked: nothing
//   runnable can reach what it waits on (proven; leak_profile_join.cc);
// - any scope: blocked forever (a nil channel, `select {}`): nothing can
//   wake it (proven);
// - program: alive at the end of the whole program's trace, except a
//   goroutine caught in flight (InFlightAtEnd) (certain);
// - test: alive after the end of the test it belongs to (its testing.tRunner
//   ancestor, or the test markers), goleak's definition measured from that
//   test's end: by more than `grace_ns`, or blocked at the end (a goroutine
//   runnable or running at the end that was created or woken less than
//   `grace_ns` before it is on its way out) (certain). Goroutines of no test,
//   or of a test still running, are not judged by being alive;
// - window, flight: a group of goroutines waiting at one site on a channel
//   or a lock that grew during the trace (at least growth_min_joined joined)
//   while none ever left it (likely: a warning at most).
// A goroutine the leak profile lists alive and not leaked while it waits on a
// channel, select or sync primitive is reachable from something runnable: its
// timing-only evidence makes it likely, not certain.
// The runtime's own waits (GC, sweeper) and waits on I/O or a sleep never
// count as growth: they end by themselves or by events outside the program.
#include <fmt/format.h>

#include "analysis/rules.h"
#include "analysis/stack_patterns.h"

namespace cancelflow::analysis {
namespace {

enum Evidence : uint8_t { kProfileLeaked, kForever, kOutlivedProgram, kOutlivedTest, kGrowing };

bool CanGrow(WaitKind w) {
  switch (w) {
    case WaitKind::kChanReceive: case WaitKind::kChanSend: case WaitKind::kSelect:
    case WaitKind::kMutexLock: case WaitKind::kRWMutexRLock: case WaitKind::kRWMutexLock:
    case WaitKind::kWaitGroupWait: case WaitKind::kCondWait: case WaitKind::kSemacquire:
      return true;
    default:
      return false;
  }
}

const SiteCounts* GrowingSite(const GoRecord& g, const ModelState& m, const AnalysisOptions& o) {
  if (g.info.end_state != GoState::kWaiting || !CanGrow(g.info.wait)) return nullptr;
  const SiteCounts* c = m.wait_sites.Find(WaitSite(m, g.info.end_stack));
  if (c == nullptr || c->left > 0 || c->joined < o.growth_min_joined) return nullptr;
  return c;
}

// Runnable or running at the end, created or woken less than the grace before it.
bool OnItsWayOut(const GoRecord& g, const ModelState& m, const AnalysisOptions& o) {
  if (g.info.end_state != GoState::kRunnable && g.info.end_state != GoState::kRunning) return false;
  return g.last_change >= 0 && m.trace_end - g.last_change < o.grace_ns;
}

}  // namespace

void FindLeakedGoroutines(const ModelState& m, const AnalysisOptions& o, FindingSink* out) {
  const TraceScope scope = m.quality.scope;
  std::vector<GoroutineGroupInput> items;
  for (const GoRecord& g : m.gs) {
    if (!IsCandidate(g, m, *out) || g.info.ended >= 0 || g.info.wait == WaitKind::kRuntime) continue;
    const int64_t ci = g.last_woken.valid() ? g.last_woken.cancellation : -1;
    // Reachable, says the runtime: timing alone is not enough to be certain.
    const Certainty timing = g.in_profile == GoRecord::InProfile::kAlive && CanGrow(g.info.wait)
                                 ? Certainty::kLikely
                                 : Certainty::kCertain;
    if (g.in_profile == GoRecord::InProfile::kLeaked) {
      items.push_back({&g, -1, ci, kProfileLeaked, Certainty::kProven});
    } else if (BlockedForever(g.info.wait)) {
      items.push_back({&g, -1, ci, kForever, Certainty::kProven});
    } else if (scope == TraceScope::kTest) {
      if (g.info.test_end >= 0 && (m.trace_end - g.info.test_end > o.grace_ns || !OnItsWayOut(g, m, o))) {
        items.push_back({&g, -1, ci, kOutlivedTest, timing});
      }
    } else if (scope == TraceScope::kProgram) {
      if (!InFlightAtEnd(g, m, o)) items.push_back({&g, -1, ci, kOutlivedProgram, timing});
    } else if (GrowingSite(g, m, o) != nullptr) {
      items.push_back({&g, -1, ci, kGrowing, Certainty::kLikely});
    }
  }
  EmitGoroutineFindings(m, o, Rule::kLeakedGoroutine, std::move(items), [&](const auto& v, Finding* f) {
    const GoroutineInfo& g = v.front().g->info;
    const std::string_view start = m.Str(g.start_func);
    f->message = fmt::format("{} goroutine{} started at {} {} leaked: {}", v.size(), v.size() == 1 ? "" : "s",
                             GoroutineLabel(m, g), v.size() == 1 ? "is" : "are", EndState(m, g));
    size_t before = 0;
    for (const auto& it : v) before += it.g->info.before_trace() ? 1u : 0u;
    const std::string older =
        before == 0 ? std::string() : fmt::format(" ({} of them already existed when the trace began)", before);
    const std::string reachable = v.front().certainty == Certainty::kLikely && v.front().evidence != kGrowing
                                      ? "; but the runtime's leak profile lists it alive, not leaked: something "
                                        "runnable can still reach what it waits on"
                                      : "";
    switch (v.front().evidence) {
      case kProfileLeaked:
        f->evidence = fmt::format("the runtime's goroutine leak profile marks it leaked: blocked in {} on something "
                                  "no runnable goroutine can reach, so nothing can ever wake it{}",
                                  WaitKindName(g.wait), older);
        break;
      case kForever:
        f->evidence = fmt::format("blocked forever in {}: nothing can ever wake it{}", WaitKindName(g.wait), older);
        break;
      case kOutlivedTest:
        f->evidence = fmt::format("outlived the test it belongs to: still {} {} after that test ended{}",
                                  g.end_state == GoState::kWaiting ? "blocked" : "alive", Ms(m.trace_end - g.test_end),
                                  older) + reachable;
        break;
      case kOutlivedProgram:
        f->evidence = fmt::format("still alive when the whole program's trace ended, unchanged for at least {} before "
                                  "it (not in flight){}",
                                  Ms(o.grace_ns), older) + reachable;
        break;
      case kGrowing: {
        const SiteCounts& c = *GrowingSite(*v.front().g, m, o);
        f->evidence = fmt::format("the goroutines waiting at this site only grew during the trace: {} were already "
                                  "waiting when it began, {} joined, none ever left",
                                  c.present_at_start, c.joined);
        break;
      }
    }
    if (IsPropagateCancelGoroutine(start)) {
      f->hint = "a context derived from a custom Context parent was never canceled: call its CancelFunc "
                "(defer cancel()) where it is created";
    } else {
      f->hint = std::string(HintFor(g.end_state == GoState::kWaiting ? g.wait : WaitKind::kNone));
    }
  }, out);
}

}  // namespace cancelflow::analysis
