#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "analysis/rules.h"
#include "analysis/stack_patterns.h"
#include "base/go_quote.h"

namespace cancelflow::analysis {

std::string Ms(Time ns) { return fmt::format("{:.1f} ms", static_cast<double>(ns) / 1e6); }

std::string EndState(const ModelState& m, const GoRecord& r) {
  const GoroutineInfo& g = r.info;
  // `where` is end_stack when there is one.
  const int frame = g.end_stack != kNoStack ? r.where_user_frame : -1;
  const std::string at = frame >= 0 ? " at " + SiteOf(m, g.end_stack, frame) : std::string();
  switch (g.end_state) {
    case GoState::kWaiting:
      return fmt::format("blocked in {}{}", WaitKindName(g.wait == WaitKind::kNone ? WaitKind::kUnknown : g.wait), at);
    case GoState::kRunnable: return "runnable (waiting for a CPU)" + at;
    case GoState::kRunning: return "running" + at;
    case GoState::kSyscall: return "in a system call" + at;
    default: return "gone";
  }
}

std::string_view HintFor(const GoRecord& g) {
  // The evidence first: what the wait kind alone would suggest is wrong here.
  if (g.propagate_cancel) {
    return "a context derived from a custom Context parent was never canceled: call its CancelFunc "
           "(defer cancel()) where it is created";
  }
  if (g.accept_wait) {
    return "a server nobody closed waits in Accept: Close the server or its listener when the test or service is "
           "done (t.Cleanup(srv.Close) for an httptest.Server, srv.Shutdown(ctx), ln.Close())";
  }
  if (g.net_goroutine) {
    return "a server or client connection the test left open: close the server (httptest.Server.Close closes its "
           "connections), close response bodies, and call CloseIdleConnections on the client's transport";
  }
  if (g.select_has_done_case) {
    return "its select already has a ctx.Done() case, but nobody ever canceled that context or stopped it: call "
           "the Release/Close/Stop/cancel that ends it (defer it where the goroutine is started)";
  }
  return HintForWait(g.info.end_state == GoState::kWaiting ? g.info.wait : WaitKind::kNone);
}

std::string_view HintForWait(WaitKind w) {
  switch (w) {
    case WaitKind::kChanSend:
      return "nobody will receive: give the send a way out (select on <-ctx.Done() too) or buffer the channel for "
             "the one result that may be abandoned";
    case WaitKind::kChanReceive:
    case WaitKind::kSelect:
      return "nothing will send or close: also select on <-ctx.Done() and return, or close the channel when the "
             "producer is done";
    case WaitKind::kChanReceiveNil:
    case WaitKind::kChanSendNil:
      return "a nil channel never becomes ready (often ctx.Done() of context.Background() or TODO()): pass the "
             "caller's cancelable ctx, or make the channel";
    case WaitKind::kSelectNoCases:
      return "select {} never returns: wait on a context or on a channel closed at shutdown instead";
    case WaitKind::kMutexLock:
    case WaitKind::kRWMutexRLock:
    case WaitKind::kRWMutexLock:
      return "the lock is never released: find the holder that returned without Unlock (defer mu.Unlock()) or "
             "the lock-order cycle";
    case WaitKind::kWaitGroupWait:
      return "Wait never returns: a goroutine it waits for did not call Done (defer wg.Done()) or is itself stuck";
    case WaitKind::kCondWait:
      return "Cond.Wait needs a Signal or Broadcast: broadcast when the context is done and check ctx in the loop";
    case WaitKind::kIOWait:
      return "the read or write has no deadline: set one, or close the connection when ctx is done "
             "(context.AfterFunc(ctx, func() { conn.Close() }))";
    case WaitKind::kSyscall:
      return "a blocking system call does not see ctx: use a call with a timeout or one that can be interrupted";
    case WaitKind::kSleep:
    case WaitKind::kNone:
    default:
      return "check ctx.Done() between steps (a timer in a select instead of time.Sleep) and return when it is "
             "closed";
  }
}

std::string GoroutineLabel(const ModelState& m, const GoroutineInfo& g) {
  const std::string_view start = m.Str(g.start_func);
  if (!g.name.empty() && IsCtxtraceGoGoroutine(start)) {
    return fmt::format("{} (ctxtrace.Go)", g.name);
  }
  return std::string(start);
}

std::string SiteOf(const ModelState& m, StackId s, int frame) {
  if (frame < 0) return "?";
  return ShortSite(SiteAt(*m.stacks, *m.strings, s, frame));
}

LatencyStats ComputeLatency(std::vector<Time> v) {
  LatencyStats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  auto pct = [&](double p) {
    size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
  };
  s.count = static_cast<uint32_t>(v.size());
  s.p50 = pct(0.50);
  s.p90 = pct(0.90);
  s.p99 = pct(0.99);
  s.max = v.back();
  return s;
}

void SortFindings(const ModelState& m, std::vector<Finding>* findings) {
  struct Keyed {
    std::string block, creation;
    Finding f;
  };
  std::vector<Keyed> v;
  v.reserve(findings->size());
  for (Finding& f : *findings) {
    std::string block = SiteOf(m, f.block_stack, f.block_user_frame);
    std::string creation = SiteOf(m, f.creation_stack, f.creation_user_frame);
    v.push_back({std::move(block), std::move(creation), std::move(f)});
  }
  std::sort(v.begin(), v.end(), [](const Keyed& x, const Keyed& y) {
    auto key = [](const Keyed& k) {
      const Finding& f = k.f;
      return std::tie(f.rule, k.block, k.creation, f.context_site.func, f.context_site.file, f.context_site.line,
                      f.message);
    };
    if (x.f.severity != y.f.severity) return x.f.severity > y.f.severity;
    if (key(x) != key(y)) return key(x) < key(y);
    if (x.f.count() != y.f.count()) return x.f.count() < y.f.count();
    return std::tie(x.f.goroutines, x.f.contexts, x.f.evidence) < std::tie(y.f.goroutines, y.f.contexts, y.f.evidence);
  });
  findings->clear();
  for (Keyed& k : v) findings->push_back(std::move(k.f));
}

Finding ContextFinding(const ModelState& m, const AnalysisOptions& o, Rule rule, const ContextInfo& c) {
  (void)m;
  Finding f;
  f.rule = rule;
  f.severity = o.severity[static_cast<int>(rule)];
  f.contexts.push_back(c.id);
  f.context_id = c.id;
  f.context_site = c.created_at;
  f.test = c.test;
  if (!c.test.empty()) f.tests.push_back(c.test);
  return f;
}

}  // namespace cancelflow::analysis
