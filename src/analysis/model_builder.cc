#include "analysis/model_builder.h"

#include <algorithm>
#include <map>

#include "analysis/wait_patterns.h"

#include "base/check.h"
#include "model/records.h"
#include "wire/event_spec.h"

namespace cancelflow::analysis {
namespace {

// The frames from `from` to the end of a stack: the "root" of a cancel call.
std::span<const FrameId> Suffix(const StackPool& pool, StackId s, int from) {
  auto frames = pool.Frames(s);
  if (from < 0 || static_cast<size_t>(from) > frames.size()) return {};
  return frames.subspan(static_cast<size_t>(from));
}

}  // namespace

// ---- ModelBuilder ------------------------------------------------------------

ModelBuilder::ModelBuilder(const AnalysisOptions& options, const Reader& reader) : options_(options), reader_(reader) {
  m_.strings = &reader.strings();
  m_.stacks = &reader.stacks();
}

const CancelStack& ModelBuilder::Classify(StackId s) {
  if (const CancelStack* c = classified_.Find(s.value())) return *c;
  const auto funcs = m_.Funcs(s);
  classified_.Insert(s.value(), ClassifyCancelStack(funcs));
  return *classified_.Find(s.value());
}

int32_t ModelBuilder::NewCancellation(CancelKind kind, const Event& e, GoId canceler, const CancelStack& c) {
  Cancellation x;
  x.index = static_cast<uint32_t>(m_.cancellations.size());
  x.kind = kind;
  x.time = e.time;
  x.canceler = canceler;
  if (GoRecord* g = m_.Find(canceler)) g->canceler = true;
  x.canceler_stack = e.stack;
  x.caller_frame = c.caller_frame;
  x.user_frame = c.user_frame;
  m_.cancellations.push_back(std::move(x));
  return static_cast<int32_t>(m_.cancellations.size() - 1);
}

void ModelBuilder::StopWoken(GoRecord& g, Time t, WakeOutcome outcome, StringId reason, StackId stack) {
  if (!g.open_woken.valid()) return;
  WokenGoroutine& w = m_.Woken(g.open_woken);
  if (w.started < 0) return;  // blocked before it ever ran again: cannot happen in a valid order
  w.stopped = t;
  w.outcome = outcome;
  w.next_block_reason = reason;
  w.next_block_stack = stack;
  g.open_woken = WokenRef{};
}

void ModelBuilder::OnCancelUnblock(const Event& e, GoId woken, const CancelStack& c) {
  const GoId canceler = e.goroutine;
  int32_t ci = -1;
  GoRecord* cg = canceler == kNoGoroutine ? nullptr : m_.Find(canceler);
  if (cg != nullptr && cg->timer_goroutine && c.kind == CancelKind::kDeadline) {
    ci = cg->timer_cancellation;
  } else if (canceler != kNoGoroutine) {
    if (OpenBurst* b = m_.bursts.Find(static_cast<uint64_t>(canceler.value()));
        b != nullptr && b->cancellation >= 0 && e.time - b->last <= options_.burst_gap_ns) {
      const Cancellation& prev = m_.cancellations[static_cast<size_t>(b->cancellation)];
      auto a = Suffix(*m_.stacks, prev.canceler_stack, prev.caller_frame);
      auto bsuf = Suffix(*m_.stacks, e.stack, c.caller_frame);
      if (prev.kind == c.kind && std::equal(a.begin(), a.end(), bsuf.begin(), bsuf.end())) ci = b->cancellation;
    }
  }
  if (ci < 0) {
    ci = NewCancellation(c.kind, e, canceler, c);
    if (pending_cancel_.goroutine == canceler && canceler != kNoGoroutine &&
        e.time - pending_cancel_.time <= options_.burst_gap_ns) {
      Cancellation& x = m_.cancellations[static_cast<size_t>(ci)];
      x.context_id = pending_cancel_.context_id;
      x.cause = pending_cancel_.cause;
    }
  }
  if (canceler != kNoGoroutine) {
    auto [b, inserted] = m_.bursts.Insert(static_cast<uint64_t>(canceler.value()), OpenBurst{});
    (void)inserted;
    b->cancellation = ci;
    b->last = e.time;
  }
  Cancellation& x = m_.cancellations[static_cast<size_t>(ci)];
  WokenGoroutine w;
  w.goroutine = woken;
  w.depth = c.depth;
  w.via_afterfunc = c.via_afterfunc;
  w.unblocked = e.time;
  x.woken.push_back(w);
  GoRecord& g = m_.Get(woken);
  g.open_woken = WokenRef{ci, static_cast<uint32_t>(x.woken.size() - 1)};
  g.last_woken = g.open_woken;
  if (!g.pending_response.valid()) {
    // The first wake it has not yet responded to; a later cancel that finds
    // it blocked elsewhere before it responded does not restart the clock.
    g.pending_response = g.open_woken;
    g.pending_is_callback = false;
    g.wait_stack = g.info.block_stack;
  }
}

void ModelBuilder::Responded(GoRecord& g, Time t) {
  WokenGoroutine& w = m_.Woken(g.pending_response);
  w.responded = t;
  if (!g.slowest_response.valid() || w.response_latency() > m_.Woken(g.slowest_response).response_latency()) {
    g.slowest_response = g.pending_response;
  }
  g.pending_response = WokenRef{};
}

bool ModelBuilder::StillInWait(const GoRecord& g, StackId now) const {
  if (g.pending_is_callback) return true;  // an AfterFunc callback responds by returning
  // Where it waited is unknown (a goroutine from before the trace whose
  // status had no stack): its next stop is the best answer the trace has.
  if (g.wait_stack == kNoStack) return false;
  if (now == g.wait_stack) return false;  // back at the same wait: a loop with a fresh context
  const auto wait = m_.stacks->Frames(g.wait_stack);
  const int k = WaitingFrame(m_.Funcs(g.wait_stack));
  if (k < 0) return false;
  const auto cur = m_.stacks->Frames(now);
  // The same wait seen through a stack of another form (a status record's
  // stack keeps the runtime.gopark frames a block's stack leaves out): the
  // same frames from the waiting frame down.
  const auto wait_from = wait.subspan(static_cast<size_t>(k));
  if (const int kn = WaitingFrame(m_.Funcs(now)); kn >= 0) {
    const auto cur_from = cur.subspan(static_cast<size_t>(kn));
    if (std::equal(wait_from.begin(), wait_from.end(), cur_from.begin(), cur_from.end())) return false;
  }
  // The waiting function is still active iff `now` ends with the same callers
  // below it (exact frames: the same call sites) and the same function in its place.
  const size_t depth = wait_from.size();
  if (cur.size() < depth) return false;
  const size_t at = cur.size() - depth;
  if (!std::equal(wait_from.begin() + 1, wait_from.end(), cur.begin() + static_cast<std::ptrdiff_t>(at) + 1)) return false;
  return m_.stacks->GetFrame(cur[at]).func == m_.stacks->GetFrame(wait_from[0]).func;
}

void ModelBuilder::OwnStack(GoRecord& g, StackId s, Time t) {
  if (s == kNoStack) return;
  g.last_stack = s;
  if (g.info.start_func == kEmptyString && g.info.created < 0) NameFromStack(g, s);
  if (g.runner_test >= 0 && runner_names_pending_ > 0) NameRunnerTest(g, s);
  if (g.pending_response.valid() && !StillInWait(g, s)) Responded(g, t);
}

void ModelBuilder::NameFromStack(GoRecord& g, StackId s) {
  // The entry function of a goroutine created before the trace: the
  // outermost frame of the first stack the trace gives for it.
  auto frames = m_.stacks->Frames(s);
  if (frames.empty()) return;
  SetStartFunc(g, m_.stacks->GetFrame(frames.back()).func);
}

void ModelBuilder::SetStartFunc(GoRecord& g, StringId func) {
  g.info.start_func = func;
  const std::string_view name = m_.Str(func);
  g.info.instrumentation = IsInstrumentationGoroutine(name);
  // The main goroutine (from before the trace, its traceback ends at
  // main.main) is the program itself: it never leaks, the program ends when
  // it returns.
  g.info.system = IsRuntimeGoroutine(name) || g.info.instrumentation || IsMainGoroutine(name);
  g.test_runner = IsTestRunner(name);
  g.propagate_cancel = IsPropagateCancelGoroutine(name);
}

void ModelBuilder::NameRunnerTest(GoRecord& g, StackId s) {
  // The test function is the frame testing.tRunner called.
  RunnerTest& t = m_.runner_tests[static_cast<size_t>(g.runner_test)];
  if (t.goroutine != g.info.id || t.function != kEmptyString) return;
  const int k = TestFunctionFrame(m_.Funcs(s));
  if (k < 0) return;
  t.function = m_.stacks->GetFrame(m_.stacks->Frames(s)[static_cast<size_t>(k)]).func;
  --runner_names_pending_;
}

void ModelBuilder::NameRunnerTests() {
  std::vector<RunnerTest>& tests = m_.runner_tests;
  // With go test's `=== RUN` order: t.Run prints "=== RUN" and then starts
  // the goroutine, both on the parent test's goroutine, so the n-th name
  // under parent P is the n-th tRunner goroutine P created. Exact for
  // subtests, t.Parallel and -count.
  if (!options_.test_run_order.empty()) {
    std::map<int32_t, std::vector<int32_t>> children;  // parent (-1: root) -> tests, in creation order
    for (size_t i = 0; i < tests.size(); ++i) children[tests[i].parent].push_back(static_cast<int32_t>(i));
    std::map<int32_t, size_t> next;           // parent -> its next unnamed child
    std::map<std::string, int32_t> latest;    // test name -> its latest tRunner goroutine
    for (const std::string& name : options_.test_run_order) {
      const size_t slash = name.rfind('/');
      int32_t parent = -1;
      if (slash != std::string::npos) {
        auto it = latest.find(name.substr(0, slash));
        if (it == latest.end()) continue;
        parent = it->second;
      }
      auto ch = children.find(parent);
      if (ch == children.end()) continue;
      size_t& n = next[parent];
      if (n >= ch->second.size()) continue;
      const int32_t t = ch->second[n++];
      tests[static_cast<size_t>(t)].name = name;
      latest[name] = t;
    }
  }
  // Otherwise (or for tests the order does not name) the test function's
  // name: the frame tRunner called is the test function or, for a subtest,
  // a closure of it (pkg.TestX.func1), which names the top-level test.
  for (size_t i = 0; i < tests.size(); ++i) {
    TestFunc tf;
    if (tests[i].function != kEmptyString) {
      tf = ParseTestFunc(m_.Str(tests[i].function));
      if (m_.tested_package.empty()) m_.tested_package = tf.import_path;
    }
    if (!tests[i].name.empty()) continue;
    for (int32_t k = static_cast<int32_t>(i), depth = 0; k >= 0 && depth < 256 && tf.test.empty(); ++depth) {
      k = tests[static_cast<size_t>(k)].parent;
      if (k >= 0 && tests[static_cast<size_t>(k)].function != kEmptyString) {
        tf = ParseTestFunc(m_.Str(tests[static_cast<size_t>(k)].function));
      }
    }
    tests[i].name = std::move(tf.test);
  }
}

void ModelBuilder::OnGoCreate(const Event& e, const StateTransition& t) {
  const GoId id(t.resource.id);
  GoRecord& g = m_.Get(id);
  g.info.created = e.time;
  g.info.creator = e.goroutine;
  g.info.creation_stack = e.stack;
  g.state = t.go_to();
  g.last_change = e.time;
  auto start = m_.stacks->Frames(t.stack);
  SetStartFunc(g, start.empty() ? kEmptyString : m_.stacks->GetFrame(start[0]).func);
  const std::string_view start_name = m_.Str(g.info.start_func);
  if (GoRecord* creator = m_.Find(e.goroutine)) {
    g.test = creator->test;
    g.runner_test = creator->runner_test;
    if (creator->runner_test >= 0 && runner_names_pending_ > 0) NameRunnerTest(*creator, e.stack);
  }
  if (g.test >= 0) g.info.test = m_.tests[static_cast<size_t>(g.test)].name;
  if (g.test_runner) {
    // A test (or subtest) without markers: its goroutine and everything it creates.
    m_.scope_facts.runner_tests = true;
    m_.runner_tests.push_back(RunnerTest{id, e.time, -1, kEmptyString, g.runner_test, {}});
    g.runner_test = static_cast<int32_t>(m_.runner_tests.size() - 1);
    ++runner_names_pending_;
  }

  // A context deadline timer firing: the runtime starts the closure with no
  // user goroutine on the M, so the creator stack is empty.
  if (e.stack == kNoStack && IsDeadlineTimerStart(start_name)) {
    CancelStack c;
    c.is_cancel = true;
    c.kind = CancelKind::kDeadline;
    const int32_t ci = NewCancellation(CancelKind::kDeadline, e, id, c);
    m_.cancellations[static_cast<size_t>(ci)].canceler_stack = t.stack;
    GoRecord& timer = *m_.Find(id);  // NewCancellation does not touch gs
    timer.timer_goroutine = true;
    timer.timer_cancellation = ci;
    return;
  }
  // An AfterFunc callback started by a cancel.
  if (e.stack != kNoStack) {
    const CancelStack& c = Classify(e.stack);
    // (AfterFunc callbacks of cancelflow's own instrumentation are plumbing.)
    if (c.is_cancel && c.via_afterfunc && !IsInstrumentationGoroutine(start_name)) {
      const int32_t ci = NewCancellation(c.kind, e, e.goroutine, c);
      m_.cancellations[static_cast<size_t>(ci)].via_afterfunc = true;
      WokenGoroutine w;
      w.goroutine = id;
      w.depth = c.depth;
      w.via_afterfunc = true;
      w.unblocked = e.time;
      m_.cancellations[static_cast<size_t>(ci)].woken.push_back(w);
      GoRecord& cb = *m_.Find(id);
      cb.open_woken = WokenRef{ci, 0};
      cb.last_woken = cb.open_woken;
      cb.pending_response = cb.open_woken;  // responds by returning
      cb.pending_is_callback = true;
    }
  }
}

void ModelBuilder::OnGoroutineTransition(const Event& e, const StateTransition& t) {
  const GoId id(t.resource.id);
  const GoState from = t.go_from(), to = t.go_to();
  if (from == GoState::kNotExist) {
    OnGoCreate(e, t);
    return;
  }
  GoRecord& g = m_.Get(id);
  if (from == GoState::kUndetermined) {
    // A goroutine that existed before this generation (a status record; in
    // later generations the same goroutine gets one again).
    const bool first_seen = g.state == GoState::kUndetermined && g.last_change < 0 && g.info.created < 0;
    if (first_seen) {
      g.last_change = e.time;
      if (m_.quality.generations <= 1) first_generation_goroutines_.push_back(id);
    }
    if (to == GoState::kWaiting && t.has_stack && t.stack != kNoStack) {
      if (g.info.block_stack == kNoStack || first_seen) {
        g.info.block_stack = t.stack;
        if (first_seen) ++m_.sites.Insert(t.stack.value(), SiteCounts{}).first->present_at_start;
      }
      if (g.info.blocked_since < 0) g.info.blocked_since = e.time;
      OwnStack(g, t.stack, e.time);
    }
    g.state = to;
    return;
  }
  // In flight (GoRecord::in_flight, model_facts.cc) counts creations, blocks and
  // wake-ups: a goroutine preempted and resumed while it spins is not new.
  // A status record of a later generation (Waiting->Waiting) is no change:
  // every trace ends with one, at its very end.
  if ((to == GoState::kWaiting || from == GoState::kWaiting) && from != to) g.last_change = e.time;
  switch (to) {
    case GoState::kRunning:
      if (from == GoState::kRunnable && g.open_woken.valid()) {
        WokenGoroutine& w = m_.Woken(g.open_woken);
        if (w.started < 0) w.started = e.time;
      }
      g.last_stack = kNoStack;  // running: where it is now is not known until it stops again
      break;
    case GoState::kWaiting:
      if (from == GoState::kRunning) {
        g.block_repeats = t.stack == g.info.block_stack && t.stack != kNoStack ? g.block_repeats + 1 : 1;
        g.info.block_reason = t.reason;
        g.info.block_stack = t.stack;
        g.info.blocked_since = e.time;
        if (t.stack != kNoStack) {
          SiteCounts& c = *m_.sites.Insert(t.stack.value(), SiteCounts{}).first;
          ++c.joined;
          if (!c.forever && m_.Str(t.reason) == "forever") c.forever = true;
        }
        StopWoken(g, e.time, WakeOutcome::kBlockedAgain, t.reason, t.stack);
        OwnStack(g, t.stack, e.time);
      }
      break;
    case GoState::kNotExist:
      g.info.ended = e.time;
      StopWoken(g, e.time, WakeOutcome::kExited, kEmptyString, kNoStack);
      if (g.pending_response.valid()) Responded(g, e.time);
      if (g.test_runner && g.runner_test >= 0) m_.runner_tests[static_cast<size_t>(g.runner_test)].end = e.time;
      if (!g.test_runner && !g.test_main) {
        // goleak's test scope: alive more than grace after its test ended,
        // even if it exits now (markers win over the tRunner ancestor).
        Time test_end = g.runner_test >= 0 ? m_.runner_tests[static_cast<size_t>(g.runner_test)].end : -1;
        if (g.test >= 0 && m_.tests[static_cast<size_t>(g.test)].end >= 0) test_end = m_.tests[static_cast<size_t>(g.test)].end;
        if (test_end >= 0 && e.time - test_end > options_.grace_ns) g.outlived_test_ns = e.time - test_end;
      }
      g.state = to;
      m_.Retire(g);
      return;
    case GoState::kRunnable:
      if (from == GoState::kWaiting) {
        if (g.info.block_stack != kNoStack) {
          if (SiteCounts* c = m_.sites.Find(g.info.block_stack.value())) ++c->left;
        }
        if (e.type == wire::kGoUnblock) {
          if (e.stack == kNoStack) {
            ++m_.quality.unblocks_without_stack;
          } else {
            const CancelStack& c = Classify(e.stack);
            if (c.is_cancel) {
              g.state = to;
              OnCancelUnblock(e, id, c);
              return;
            }
          }
        }
      } else if (from == GoState::kRunning && t.has_stack) {
        OwnStack(g, t.stack, e.time);  // preempted or yielded: where it is
      }
      break;
    case GoState::kSyscall:
      if (t.has_stack) OwnStack(g, t.stack, e.time);
      break;
    default:
      break;
  }
  g.state = to;
}

void ModelBuilder::OnRange(const Event& e) {
  // Tracing began here: runtime.StartTrace's stop-the-world, with the stack
  // of whoever started it (trace.Start, testing.(*M).before, a flight recorder).
  if (e.kind != EventKind::kRangeBegin || m_.scope_facts.start_seen || m_.quality.generations > 1) return;
  const RangeInfo r = GetRange(e);
  if (r.name != RangeName::kStopTheWorld || m_.Str(r.stw_kind) != "start trace") return;
  m_.scope_facts.start_seen = true;
  m_.scope_facts.starter = e.goroutine;
  const auto funcs = m_.Funcs(e.stack);
  m_.scope_facts.started_by_test_main = IsTestMainTraceStart(funcs);
  m_.scope_facts.started_by_flight_recorder = IsFlightRecorderTraceStart(funcs);
}

void ModelBuilder::OnLog(const Event& e) {
  const LogInfo log = GetLog(e);
  model::Record r;
  switch (model::DecodeRecord(m_.Str(log.category), m_.Str(log.message), &r)) {
    case model::Outcome::kNotARecord: return;
    case model::Outcome::kUnknownVersion:
    case model::Outcome::kUnknownRecord: ++m_.quality.records_unknown_version; return;
    case model::Outcome::kMalformed: ++m_.quality.records_malformed; return;
    case model::Outcome::kOk: break;
  }
  ++m_.quality.instrumentation_records;
  using model::RecordType;
  auto site = [&](SourceSite* s) {
    s->func = r.Str("func");
    s->file = r.Str("file");
    s->line = r.Int("line");
  };
  switch (r.type) {
    case RecordType::kCtx: {
      const uint64_t id = static_cast<uint64_t>(r.Int("id"));
      auto [slot, inserted] = m_.ctx_index.Insert(id, static_cast<uint32_t>(m_.contexts.size()));
      if (!inserted) break;
      ContextInfo c;
      c.id = id;
      c.parent = static_cast<uint64_t>(r.Int("parent"));
      c.kind = r.Str("kind");
      c.parent_kind = r.Str("parent_kind");
      c.parent_type = r.Str("parent_type");
      c.deadline_unix_ns = r.Int("deadline_ns");
      c.timeout_ns = r.Int("timeout_ns");
      c.parent_deadline_unix_ns = r.Int("parent_deadline_ns");
      site(&c.created_at);
      c.created = e.time;
      c.created_by = e.goroutine;
      if (const GoRecord* g = m_.Find(e.goroutine); g != nullptr && g->test >= 0) {
        c.test = m_.tests[static_cast<size_t>(g->test)].name;
      }
      m_.contexts.push_back(std::move(c));
      break;
    }
    case RecordType::kCancel: {
      ContextInfo* c = m_.Context(static_cast<uint64_t>(r.Int("id")));
      if (c != nullptr) {
        if (!c->cancel_called) {
          c->cancel_called = true;
          c->canceled = e.time;
          site(&c->cancel_site);
          c->cancel_cause = r.Str("cause");
        }
      }
      if (!r.Bool("noop")) {
        pending_cancel_ = PendingCancel{e.goroutine, e.time, static_cast<uint64_t>(r.Int("id")), r.Str("cause")};
        // A new cancel call: its wake-ups start a new cancellation even when
        // they come from the same line as the previous one (a loop of cancels).
        if (OpenBurst* b = m_.bursts.Find(static_cast<uint64_t>(e.goroutine.value()))) b->cancellation = -1;
      }
      break;
    }
    case RecordType::kDone:
      if (ContextInfo* c = m_.Context(static_cast<uint64_t>(r.Int("id"))); c != nullptr && c->done < 0) {
        c->done = e.time;
        c->done_by = r.Str("by");
        c->err = r.Str("err");
        c->cause = r.Str("cause");
      }
      break;
    case RecordType::kLeak:
      m_.leak_records.push_back(static_cast<uint64_t>(r.Int("id")));
      if (ContextInfo* c = m_.Context(static_cast<uint64_t>(r.Int("id")))) {
        c->leak_reason = r.Str("reason");
        if (c->test.empty()) c->test = r.Str("test");
      }
      break;
    case RecordType::kGo: {
      GoRecord& g = m_.Get(GoId(r.Int("gid")));
      g.info.context_id = static_cast<uint64_t>(r.Int("ctx"));
      g.info.name = r.Str("name");
      if (ContextInfo* c = m_.Context(g.info.context_id)) c->bound.push_back(g.info.id);
      break;
    }
    case RecordType::kGoExit: {
      GoRecord& g = m_.Get(GoId(r.Int("gid")));
      g.go_exit_record = true;
      g.exit_record_time = e.time;
      break;
    }
    case RecordType::kGoOverdue: {
      GoRecord& g = m_.Get(GoId(r.Int("gid")));
      g.overdue_record = true;
      if (g.overdue_at < 0) g.overdue_at = e.time;
      break;
    }
    case RecordType::kTestStart: {
      Test t;
      t.name = r.Str("name");
      t.start = e.time;
      t.goroutine = GoId(r.Int("gid"));
      m_.tests.push_back(std::move(t));
      GoRecord& g = m_.Get(GoId(r.Int("gid")));
      g.test_main = true;
      g.test = static_cast<int32_t>(m_.tests.size() - 1);
      g.info.test = m_.tests.back().name;
      break;
    }
    case RecordType::kTestEnd: {
      const std::string& name = r.Str("name");
      for (auto it = m_.tests.rbegin(); it != m_.tests.rend(); ++it) {
        if (it->name == name && it->end < 0) {
          it->end = e.time;
          it->result = r.Str("result");
          break;
        }
      }
      break;
    }
    default:
      break;
  }
}

void ModelBuilder::OnEvent(const Event& e) {
  // Memory bound on goroutine churn: drop retired records once they are at
  // least half of gs (amortized O(1) per goroutine; order kept).
  if (options_.compact_goroutines_at > 0 && m_.retired_in_gs >= options_.compact_goroutines_at &&
      2 * m_.retired_in_gs >= m_.gs.size()) {
    m_.CompactRetired();
  }
  ++m_.quality.events;
  if (m_.quality.start < 0) m_.quality.start = e.time;
  m_.quality.end = e.time;
  switch (e.kind) {
    case EventKind::kStateTransition: {
      const StateTransition t = GetStateTransition(e);
      if (t.resource.kind == ResourceKind::kGoroutine) OnGoroutineTransition(e, t);
      break;
    }
    case EventKind::kRangeBegin:
      OnRange(e);
      break;
    case EventKind::kLog:
      OnLog(e);
      break;
    case EventKind::kSync:
      if (const SyncDetails* d = reader_.Sync(e)) {
        // Generations are numbered from 1 when tracing starts; a flight
        // recorder snapshot starts later and misses earlier history.
        if (m_.quality.generations == 0) {
          m_.scope_facts.first_generation = d->generation;
          if (d->generation > 1) m_.quality.starts_mid_execution = true;
        }
        ++m_.quality.generations;
        if (d->has_clock_snapshot && !m_.wall_offset_known) {
          m_.wall_offset_known = true;
          m_.wall_offset = d->clock.wall_sec * 1'000'000'000 + d->clock.wall_nsec - d->clock.trace;
        }
      }
      break;
    default:
      break;
  }
}

ModelState ModelBuilder::Finish(Time end) {
  m_.trace_end = end >= 0 ? end : m_.quality.end;
  m_.user_packages = options_.user_packages;
  if (options_.detect_packages_under_test) {
    for (std::string& p : PackagesUnderTest(m_)) m_.user_packages.push_back(std::move(p));
  }
  // The user frame of each cancel, now that the packages under test are known.
  for (Cancellation& c : m_.cancellations) {
    if (c.caller_frame < 0) continue;
    auto frames = m_.stacks->Frames(c.canceler_stack);
    c.user_frame = -1;
    for (size_t i = static_cast<size_t>(c.caller_frame); i < frames.size(); ++i) {
      if (m_.IsUser(m_.Str(m_.stacks->GetFrame(frames[i]).func))) {
        c.user_frame = static_cast<int>(i);
        break;
      }
    }
  }
  // Wait sites: the counts of every stack that waits at the same frame.
  m_.sites.ForEach([&](uint64_t stack, SiteCounts& c) {
    const uint64_t site = WaitSite(m_, StackId(static_cast<uint32_t>(stack)));
    if (site == UINT64_MAX) return;
    SiteCounts& w = *m_.wait_sites.Insert(site, SiteCounts{}).first;
    w.present_at_start += c.present_at_start;
    w.joined += c.joined;
    w.left += c.left;
    w.forever = w.forever || c.forever;
  });
  NameRunnerTests();
  for (GoRecord& g : m_.gs) {
    g.info.end_state = g.info.ended >= 0 ? GoState::kNotExist : g.state;
    if (g.open_woken.valid()) {
      WokenGoroutine& w = m_.Woken(g.open_woken);
      w.outcome = w.started < 0 ? WakeOutcome::kNotStarted : WakeOutcome::kRunning;
    }
    if (g.info.end_state == GoState::kWaiting) {
      g.info.end_stack = g.info.block_stack;
    } else if (g.info.end_state != GoState::kNotExist) {
      g.info.end_stack = g.last_stack;
    }
    g.where = g.info.end_stack != kNoStack ? g.info.end_stack : g.info.block_stack;
    g.wait_site = WaitSite(m_, g.where);
    if (g.info.end_state == GoState::kWaiting) {
      std::string_view reason = m_.Str(g.info.block_reason);
      // A goroutine from before the trace has no block reason (its status
      // record gives none): where others blocked forever at the same site, so did it.
      if (reason.empty()) {
        const SiteCounts* c = m_.wait_sites.Find(g.wait_site);
        if (c != nullptr && c->forever) reason = "forever";
      }
      g.info.wait = ClassifyWait(reason, m_.Funcs(g.info.block_stack));
    } else if (g.info.end_state == GoState::kSyscall) {
      g.info.wait = WaitKind::kSyscall;
    }
    if (g.runner_test >= 0) g.info.test_end = m_.runner_tests[static_cast<size_t>(g.runner_test)].end;
    if (g.test >= 0 && m_.tests[static_cast<size_t>(g.test)].end >= 0) {
      g.info.test_end = m_.tests[static_cast<size_t>(g.test)].end;  // markers win
    }
  }
  // The goroutine that started tracing is the tracer's caller, not work the trace is about.
  if (GoRecord* starter = m_.Find(m_.scope_facts.starter); starter != nullptr && starter->info.before_trace()) {
    starter->info.system = true;
  }
  for (GoId id : first_generation_goroutines_) {
    const GoRecord* g = m_.Find(id);
    if (g != nullptr && id != m_.scope_facts.starter && !g->info.system && g->info.start_func != kEmptyString) {
      ++m_.quality.goroutines_before_trace;
    }
  }
  DecideScope(m_, options_);
  DeriveFacts(m_, options_);
  return std::move(m_);
}

}  // namespace cancelflow::analysis
