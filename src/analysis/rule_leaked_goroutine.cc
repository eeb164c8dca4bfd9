// leaked-goroutine: a goroutine that will never finish, by evidence the trace
// holds (docs/findings.md, "leaked-goroutine"). Being alive at the end is
// evidence only where the trace covers the goroutine's whole expected life:
// - any scope: the runtime's goroutine leak profile marks it leaked: nothing
//   runnable can reach what it waits on (proven; leak_profile_join.cc);
// - any scope: blocked forever (a nil channel, `select {}`): nothing can
//   wake it (proven);
// - program: alive at the end of the whole program's trace, except a
//   goroutine caught in flight (GoRecord::in_flight) (certain); caught in
//   flight while blocked on a channel, select or sync primitive (likely: the
//   trace cannot tell a leak from work about to go on); in flight in a sleep,
//   a timer, I/O or a system call, or running: no finding;
// - test: alive after the end of the test it belongs to (its testing.tRunner
//   ancestor, or the test markers), goleak's definition measured from that
//   test's end: by more than `grace_ns`, even if it exits later
//   (GoRecord::outlived_test_ns), or, when the test ended less than
//   `grace_ns` before the trace did, not in flight at the end (certain); in
//   flight then, blocked on a channel, select or sync primitive (likely); a
//   goroutine runnable or running at the end that was created or woken less
//   than `grace_ns` before it is on its way out. Goroutines of no test, or of
//   a test still running, are not judged by being alive. Servers and clients
//   the test left open (net, net/...) are judged here (GoRecord::net_goroutine);
// - window, flight: a group of goroutines waiting at one site on a channel
//   or a lock that grew during the trace (at least growth_min_joined joined)
//   while none ever left it (likely: a warning at most).
// A goroutine the leak profile lists alive and not leaked while it waits on a
// channel, select or sync primitive is reachable from something runnable: its
// timing-only evidence makes it likely, not certain; and evidence that is
// likely by itself (recently blocked, still running) with the runtime saying
// it is alive is no finding.
// - program: alive and not blocked at the end (runnable or running), not in
//   flight and not a loop that blocked at one stack twice or more: likely.
// The runtime's own waits (GC, sweeper) and waits on I/O or a sleep never
// count as growth: they end by themselves or by events outside the program.
#include <fmt/format.h>

#include "analysis/rules.h"

namespace cancelflow::analysis {
namespace {

enum Evidence : uint8_t {
  kProfileLeaked, kForever, kOutlivedProgram, kOutlivedTest, kOutlivedTestThenExited, kRecentlyBlocked,
  kStillRunning, kGrowing
};

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
  const SiteCounts* c = m.wait_sites.Find(g.wait_site);
  if (c == nullptr || c->left > 0 || c->joined < o.growth_min_joined) return nullptr;
  return c;
}

}  // namespace

void FindLeakedGoroutines(const ModelState& m, const AnalysisOptions& o, FindingSink* out) {
  const TraceScope scope = m.quality.scope;
  std::vector<GoroutineGroupInput> items;
  for (const GoRecord& g : m.gs) {
    if (!IsCandidate(g, *out)) continue;
    if (g.info.ended >= 0) {
      // goleak: alive more than grace after its test, though it exited later.
      if (scope == TraceScope::kTest && g.outlived_test_ns >= 0) {
        items.push_back({&g, -1, -1, kOutlivedTestThenExited, Certainty::kCertain});
      }
      continue;
    }
    if (g.info.wait == WaitKind::kRuntime) continue;
    // Blocked on a channel, select or sync primitive less than grace before
    // the end: the trace cannot tell a leak from work about to go on.
    const bool recently_blocked = g.in_flight && g.info.end_state == GoState::kWaiting && CanGrow(g.info.wait);
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
      if (g.info.test_end < 0) continue;
      if (m.trace_end - g.info.test_end > o.grace_ns || (!g.on_its_way_out && !g.in_flight)) {
        items.push_back({&g, -1, ci, kOutlivedTest, timing});
      } else if (recently_blocked && g.in_profile != GoRecord::InProfile::kAlive) {
        items.push_back({&g, -1, ci, kRecentlyBlocked, Certainty::kLikely});
      }
    } else if (scope == TraceScope::kProgram) {
      const bool not_blocked = g.info.end_state == GoState::kRunnable || g.info.end_state == GoState::kRunning;
      if (!g.in_flight && not_blocked && g.block_repeats < 2) {
        // Not blocked and not a loop: the trace cannot tell work that never
        // ends from work waiting for a CPU or about to finish.
        if (g.in_profile != GoRecord::InProfile::kAlive) items.push_back({&g, -1, ci, kStillRunning, Certainty::kLikely});
      } else if (!g.in_flight) {
        items.push_back({&g, -1, ci, kOutlivedProgram, timing});
      } else if (recently_blocked && g.in_profile != GoRecord::InProfile::kAlive) {
        items.push_back({&g, -1, ci, kRecentlyBlocked, Certainty::kLikely});
      }
    } else if (GrowingSite(g, m, o) != nullptr) {
      items.push_back({&g, -1, ci, kGrowing, Certainty::kLikely});
    }
  }
  EmitGoroutineFindings(m, o, Rule::kLeakedGoroutine, std::move(items), [&](const auto& v, Finding* f) {
    const GoroutineInfo& g = v.front().g->info;
    const bool exited = v.front().evidence == kOutlivedTestThenExited;
    f->message = fmt::format("{} goroutine{} started at {} {} leaked: {}", v.size(), v.size() == 1 ? "" : "s",
                             GoroutineLabel(m, g), v.size() == 1 ? "is" : "are",
                             exited ? "outlived its test, exited only later" : EndState(m, *v.front().g));
    size_t before = 0;
    for (const auto& it : v) before += it.g->info.before_trace() ? 1u : 0u;
    const std::string older =
        before == 0 ? std::string() : fmt::format(" ({} of them already existed when the trace began)", before);
    const std::string reachable = v.front().certainty == Certainty::kLikely && v.front().evidence != kGrowing &&
                                          v.front().evidence != kRecentlyBlocked && v.front().evidence != kStillRunning
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
      case kOutlivedTestThenExited: {
        Time least = v.front().g->outlived_test_ns;
        Time most = least;
        for (const auto& it : v) {
          least = std::min(least, it.g->outlived_test_ns);
          most = std::max(most, it.g->outlived_test_ns);
        }
        f->evidence = fmt::format("outlived the test it belongs to by more than {}: it exited {}{} after that test "
                                  "ended (goleak's definition: alive after its test, whatever it does later){}",
                                  Ms(o.grace_ns), Ms(least), Ms(least) == Ms(most) ? "" : " to " + Ms(most), older);
        break;
      }
      case kRecentlyBlocked:
        f->evidence = fmt::format("blocked in {} when the trace ended, but for less than {} (it {} then): the trace "
                                  "cannot tell a leak from work about to go on{}",
                                  WaitKindName(g.wait), Ms(o.grace_ns),
                                  g.created >= 0 && m.trace_end - g.created < o.grace_ns ? "was created" : "blocked",
                                  older);
        break;
      case kStillRunning:
        f->evidence = fmt::format("still {} when the whole program's trace ended, without blocking for at least {} "
                                  "before it, and not a loop that blocks at one place: the trace cannot tell work "
                                  "that never ends from work about to finish{}",
                                  g.end_state == GoState::kRunning ? "running" : "runnable", Ms(o.grace_ns), older);
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
    f->hint = exited ? "it ran on after its test returned: make the test stop it and wait for it to exit (the "
                       "Release/Close/Stop/cancel that ends it, then a wait, e.g. in t.Cleanup)"
                     : std::string(HintFor(*v.front().g));
  }, out);
}

}  // namespace cancelflow::analysis
