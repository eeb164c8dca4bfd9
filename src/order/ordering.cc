// Handler-by-handler port of internal/trace/order.go; see ordering.h.
// Error texts follow Go's (the .test corpus matches some with regexps).
#include "order/ordering.h"

#include <utility>

#include <algorithm>

#include <fmt/format.h>

#include "wire/event_spec.h"

namespace cancelflow::order {

namespace {
// Keeps a value in a general register, so the compiler does not merge
// neighbouring 8-byte copies into one vector load (see Advance).
inline int64_t ScalarCopy(int64_t v) {
#if defined(__GNUC__)
  asm("" : "+r"(v));
#endif
  return v;
}
}  // namespace

using wire::Spec;

namespace {

// tracev2GoStatus2GoState / tracev2ProcStatus2ProcState in event.go.
constexpr GoState kGoStatus2GoState[5] = {GoState::kUndetermined, GoState::kRunnable, GoState::kRunning,
                                          GoState::kSyscall, GoState::kWaiting};
constexpr ProcState kProcStatus2ProcState[5] = {ProcState::kUndetermined, ProcState::kRunning, ProcState::kIdle,
                                                ProcState::kRunning, ProcState::kIdle};

const char* GoStatusString(uint8_t s) {
  switch (s) {
    case kGoRunnable: return "Runnable";
    case kGoRunning: return "Running";
    case kGoSyscall: return "Syscall";
    case kGoWaiting: return "Waiting";
  }
  return "Bad";
}

const char* ProcStatusString(uint8_t s) {
  switch (s) {
    case kProcRunning: return "Running";
    case kProcIdle: return "Idle";
    case kProcSyscall: return "Syscall";
  }
  return "Bad";
}

// makeRangeType: ranges are keyed by their Begin event type.
uint8_t RangeStartType(uint8_t typ) {
  const auto st = Spec(typ).start_ev;
  return st != wire::kNone ? static_cast<uint8_t>(st) : typ;
}

}  // namespace

void EventQueue::Grow() {
  // Go's queue.grow: unroll the ring into a buffer twice the size.
  const size_t n = buf_.size();
  std::vector<Event> nb(n == 0 ? 8 : n * 2);
  for (size_t i = 0; i < end_ - start_; ++i) nb[i] = buf_[(start_ + i) & (n - 1)];
  end_ -= start_;
  start_ = 0;
  buf_.swap(nb);
}

// ---- rangeState -------------------------------------------------------------

bool Ordering::RangeState::Has(RangeType t) const {
  return std::find(in_flight.begin(), in_flight.end(), t) != in_flight.end();
}

// Mirrors (*rangeState).beginRange.
std::optional<std::string> Ordering::RangeState::Begin(RangeType t) {
  if (Has(t)) return fmt::format("discovered event already in-flight for when starting event {}", Spec(t.typ).name);
  in_flight.push_back(t);
  return std::nullopt;
}

// Mirrors (*rangeState).activeRange.
std::optional<std::string> Ordering::RangeState::Active(RangeType t, bool initial_gen) {
  if (initial_gen) {
    if (Has(t)) return fmt::format("found named active range already in first gen: {{{} {}}}", t.typ, t.desc);
    in_flight.push_back(t);
  } else if (!Has(t)) {
    return fmt::format("resource is missing active range: {}", Spec(t.typ).name);
  }
  return std::nullopt;
}

// Mirrors (*rangeState).endRange (swap-remove, like Go).
std::optional<std::string> Ordering::RangeState::End(uint8_t typ, uint64_t* desc) {
  const auto st = static_cast<uint8_t>(Spec(typ).start_ev);
  size_t idx = in_flight.size();
  for (size_t i = 0; i < in_flight.size(); ++i) {
    if (in_flight[i].typ == st) {
      idx = i;
      break;
    }
  }
  if (idx == in_flight.size()) return fmt::format("tried to end event {}, but not in-flight", Spec(st).name);
  *desc = in_flight[idx].desc;
  std::swap(in_flight[idx], in_flight.back());
  in_flight.pop_back();
  return std::nullopt;
}

// ---- state tables -----------------------------------------------------------

Ordering::GState* Ordering::FindG(int64_t id) {
  const uint32_t* slot = g_index_.Find(static_cast<uint64_t>(id));
  return slot ? &g_slab_[*slot] : nullptr;
}

Ordering::GState* Ordering::CreateG(int64_t id) {
  uint32_t slot;
  if (!g_free_.empty()) {
    slot = g_free_.back();
    g_free_.pop_back();
  } else {
    slot = static_cast<uint32_t>(g_slab_.size());
    g_slab_.emplace_back();
  }
  GState& s = g_slab_[slot];
  s.id = id;
  s.status = 0;
  s.seq = Seq{};
  s.regions.clear();  // capacity kept
  s.ranges.in_flight.clear();
  g_index_.Insert(static_cast<uint64_t>(id), slot);
  return &s;
}

void Ordering::DeleteG(int64_t id) {
  const uint32_t* slot = g_index_.Find(static_cast<uint64_t>(id));
  if (slot == nullptr) return;
  g_free_.push_back(*slot);
  g_index_.Erase(static_cast<uint64_t>(id));
}

Ordering::PState* Ordering::FindP(int64_t id) {
  const uint32_t* slot = p_index_.Find(static_cast<uint64_t>(id));
  return slot ? &p_slab_[*slot] : nullptr;
}

Ordering::PState* Ordering::CreateP(int64_t id) {
  const auto slot = static_cast<uint32_t>(p_slab_.size());
  p_slab_.emplace_back();
  p_slab_.back().id = id;
  p_index_.Insert(static_cast<uint64_t>(id), slot);
  return &p_slab_.back();
}

// ---- helpers ----------------------------------------------------------------

std::string Ordering::EvName(uint8_t type) const {
  // version.Version.EventName: names outside the version's specs are "Invalid(N)".
  if (type < wire::VersionSpecCount(version_) && !Spec(type).name.empty()) return std::string(Spec(type).name);
  return fmt::format("Invalid({})", type);
}

Step Ordering::Broken(const BaseEvent& ev, std::string msg) {
  error_ = Error{ErrorCode::kBrokenOrder, ev.offset, cur_gen_, std::move(msg)};
  return Step::Broken();
}

// Mirrors validateCtx.
std::optional<std::string> Ordering::ValidateCtx(const SchedCtx& c, Reqs r) const {
  if (r.m == kMustHave && c.m == -1) return "expected a thread but didn't have one";
  if (r.m == kMustNotHave && c.m != -1) return "expected no thread but had one";
  if (r.p == kMustHave && c.p == -1) return "expected a proc but didn't have one";
  if (r.p == kMustNotHave && c.p != -1) return "expected no proc but had one";
  if (r.g == kMustHave && c.g == -1) return "expected a goroutine but didn't have one";
  if (r.g == kMustNotHave && c.g != -1) return "expected no goroutine but had one";
  return std::nullopt;
}

void Ordering::Push(const SchedCtx& ctx, const BaseEvent& ev) {
  // Filled in place: building a local Event and copying it made the copy's
  // wide loads stall on the byte stores just made (76% of Push in perf).
  Event& e = direct_ != nullptr ? *std::exchange(direct_, nullptr) : queue_.Emplace();
  e.time = ev.time;
  e.thread = ThreadId(ctx.m);
  e.proc = ProcId(ctx.p);
  e.goroutine = GoId(ctx.g);
  for (int i = 0; i < 4; ++i) e.args[i] = ev.args[i];
  e.stack = kNoStack;
  e.type = ev.type;
  e.kind = KindOfType(ev.type);
  e.reserved = 0;
}

// Mirrors makeEvent.
void Ordering::PushMade(const SchedCtx& ctx, uint8_t type, int64_t time, uint64_t a0, uint64_t a1) {
  BaseEvent b;
  b.type = type;
  b.time = time;
  b.args[0] = a0;
  b.args[1] = a1;
  Push(ctx, b);
}

std::string Ordering::Dump() {
  std::string s;
  auto it = std::back_inserter(s);
  g_index_.ForEach([&](uint64_t id, uint32_t slot) {
    const GState& g = g_slab_[slot];
    fmt::format_to(it, "G {} [status={} seq={} (gen={})]; ", static_cast<int64_t>(id), GoStatusString(g.status),
                   g.seq.n, g.seq.gen);
  });
  p_index_.ForEach([&](uint64_t id, uint32_t slot) {
    const PState& p = p_slab_[slot];
    fmt::format_to(it, "P {} [status={} seq={} (gen={})]; ", static_cast<int64_t>(id), ProcStatusString(p.status),
                   p.seq.n, p.seq.gen);
  });
  m_states_.ForEach([&](uint64_t id, MState& ms) {
    fmt::format_to(it, "M {} [g={} p={}]; ", static_cast<int64_t>(id), ms.g, ms.p);
  });
  static constexpr const char* kGc[3] = {"Undetermined", "NotRunning", "Running"};
  fmt::format_to(it, "GC {} {}", gc_seq_, kGc[static_cast<int>(gc_state_)]);
  return s;
}

// ---- Advance ----------------------------------------------------------------

// Mirrors (*ordering).Advance.
Step Ordering::Advance(BaseEvent* ev, const wire::Generation& g, int64_t m, uint64_t gen, MSlotHint* hint) {
  if (initial_gen_ == 0) initial_gen_ = gen;
  cur_gen_ = gen;
  SchedCtx cur;
  cur.m = m;
  MState* ms = nullptr;
  if (m != -1) {
    if (hint != nullptr && hint->slot != nullptr && hint->capacity == m_states_.capacity()) {
      ms = static_cast<MState*>(hint->slot);
    } else {
      ms = m_states_.Insert(static_cast<uint64_t>(m), MState{}).first;
      if (hint != nullptr) *hint = MSlotHint{ms, m_states_.capacity()};
    }
    cur.p = ScalarCopy(ms->p);
    cur.g = ScalarCopy(ms->g);
  }
  const size_t m_capacity = m_states_.capacity();
  SchedCtx next;
  next.g = ScalarCopy(cur.g);
  next.p = ScalarCopy(cur.p);
  next.m = ScalarCopy(cur.m);
  const Handler h = Dispatch()[ev->type];
  if (h == nullptr) return Broken(*ev, fmt::format("bad event type found while ordering: {}", ev->type));
  const Step r = (this->*h)(ev, g, m, gen, &cur, &next);
  if (r.advanced() && ms != nullptr) {
    // A handler whose M insertion grew the table moved our slot: look it up again.
    if (m_capacity != m_states_.capacity()) {
      ms = m_states_.Insert(static_cast<uint64_t>(m), MState{}).first;
      if (hint != nullptr) *hint = MSlotHint{ms, m_states_.capacity()};
    }
    // 8-byte copies everywhere, never a 16-byte one: handlers store next.g and
    // next.p separately, and a wide load of narrower fresh stores cannot be
    // store-forwarded (perf showed 16-20% of Advance on such loads).
    ms->p = ScalarCopy(next.p);
    ms->g = ScalarCopy(next.g);
  }
  return r;
}

#define CF_HANDLER_DEF(Name)                                                                                  \
  Step Ordering::Name(BaseEvent* ev, [[maybe_unused]] const wire::Generation& g,                     \
                              [[maybe_unused]] int64_t m, [[maybe_unused]] uint64_t gen, [[maybe_unused]] SchedCtx* cur, \
                              [[maybe_unused]] SchedCtx* next)

#define CF_VALIDATE(ctx, reqs)                                    \
  do {                                                            \
    if (auto verr = ValidateCtx((ctx), (reqs))) return Broken(*ev, std::move(*verr)); \
  } while (0)

// Mirrors (*ordering).advanceProcStatus.
CF_HANDLER_DEF(AdvanceProcStatus) {
  const auto pid = static_cast<int64_t>(ev->args[0]);
  const uint64_t status = ev->args[1];
  if (status >= 5) return Broken(*ev, fmt::format("invalid status for proc {}: {}", pid, status));
  auto old_state = kProcStatus2ProcState[status];
  if (PState* s = FindP(pid)) {
    if (status == kProcSyscallAbandoned && s->status == kProcSyscall) {
      old_state = ProcState::kRunning;
      ev->args[1] = kProcSyscall;
    } else if (status == kProcSyscallAbandoned && s->status == kProcSyscallAbandoned) {
      old_state = ProcState::kIdle;
      ev->args[1] = kProcSyscallAbandoned;
    } else if (s->status != status) {
      return Broken(*ev, fmt::format("inconsistent status for proc {}: old {} vs. new {}", pid,
                                     ProcStatusString(s->status), ProcStatusString(static_cast<uint8_t>(status))));
    }
    s->seq = Seq{gen, 0};
  } else {
    PState* p = CreateP(pid);
    p->status = static_cast<uint8_t>(status);
    p->seq = Seq{gen, 0};
    old_state = gen == initial_gen_ ? ProcState::kUndetermined : ProcState::kNotExist;
  }
  ev->args[2] = static_cast<uint64_t>(old_state);  // smuggled for StateTransition
  if (status == kProcRunning || status == kProcSyscall) next->p = pid;
  if (status == kProcSyscallAbandoned && old_state == ProcState::kRunning) {
    // Emit the event in the context of the M the P is bound to.
    bool found = false;
    m_states_.ForEach([&](uint64_t mid, MState& ms) {
      if (ms.p == pid) {
        cur->m = static_cast<int64_t>(mid);
        cur->p = pid;
        cur->g = ms.g;
        found = true;
      }
    });
    if (!found) return Broken(*ev, fmt::format("failed to find sched context for proc {} that's about to be stolen", pid));
  }
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceProcStart.
CF_HANDLER_DEF(AdvanceProcStart) {
  const auto pid = static_cast<int64_t>(ev->args[0]);
  const Seq seq{gen, ev->args[1]};
  PState* s = FindP(pid);
  if (s == nullptr || s->status != kProcIdle || !seq.Succeeds(s->seq) || cur->p != -1) return false;
  CF_VALIDATE(*cur, (Reqs{kMustHave, kMustNotHave, kMayHave}));
  s->status = kProcRunning;
  s->seq = seq;
  next->p = pid;
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceProcStop.
CF_HANDLER_DEF(AdvanceProcStop) {
  PState* s = FindP(cur->p);
  if (s == nullptr) {
    return Broken(*ev, fmt::format("event {} for proc ({}) that doesn't exist", EvName(ev->type), cur->p));
  }
  if (s->status != kProcRunning && s->status != kProcSyscall) {
    return Broken(*ev, fmt::format("{} event for proc that's not Running or Syscall", EvName(ev->type)));
  }
  CF_VALIDATE(*cur, (Reqs{kMustHave, kMustHave, kMayHave}));
  s->status = kProcIdle;
  next->p = -1;
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceProcSteal.
CF_HANDLER_DEF(AdvanceProcSteal) {
  const auto pid = static_cast<int64_t>(ev->args[0]);
  const Seq seq{gen, ev->args[1]};
  PState* s = FindP(pid);
  if (s == nullptr || (s->status != kProcSyscall && s->status != kProcSyscallAbandoned) || !seq.Succeeds(s->seq)) {
    return false;
  }
  CF_VALIDATE(*cur, (Reqs{kMustHave, kMayHave, kMayHave}));
  const uint8_t old_status = s->status;
  ev->args[3] = old_status;  // extra[0]
  s->status = kProcIdle;
  s->seq = seq;
  if (old_status == kProcSyscallAbandoned) {
    Push(*cur, *ev);
    return true;
  }
  const auto mid = static_cast<int64_t>(ev->args[2]);
  if (mid == cur->m) {
    if (cur->p != pid) {
      return Broken(*ev, fmt::format("tried to self-steal proc {} (thread {}), but got proc {} instead", pid, mid,
                                     cur->p));
    }
    next->p = -1;
    Push(*cur, *ev);
    return true;
  }
  MState* ms = FindM(mid);
  if (ms == nullptr) return Broken(*ev, fmt::format("stole proc from non-existent thread {}", mid));
  if (ms->p != pid) {
    return Broken(*ev, fmt::format("tried to steal proc {} from thread {}, but got proc {} instead", pid, mid, ms->p));
  }
  ms->p = -1;
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceGoStatus.
CF_HANDLER_DEF(AdvanceGoStatus) {
  const auto gid = static_cast<int64_t>(ev->args[0]);
  const auto mid = static_cast<int64_t>(ev->args[1]);
  const uint64_t status = ev->args[2];
  if (status >= 5) return Broken(*ev, fmt::format("invalid status for goroutine {}: {}", gid, status));
  auto old_state = kGoStatus2GoState[status];
  if (GState* s = FindG(gid)) {
    if (s->status != status) {
      return Broken(*ev, fmt::format("inconsistent status for goroutine {}: old {} vs. new {}", gid,
                                     GoStatusString(s->status), GoStatusString(static_cast<uint8_t>(status))));
    }
    s->seq = Seq{gen, 0};
  } else if (gen == initial_gen_) {
    GState* n = CreateG(gid);
    n->status = static_cast<uint8_t>(status);
    n->seq = Seq{gen, 0};
    old_state = GoState::kUndetermined;
  } else {
    return Broken(*ev, fmt::format("found goroutine status for new goroutine after the first generation: id={} "
                                   "status={}",
                                   gid, GoStatusString(static_cast<uint8_t>(status))));
  }
  ev->args[2] = static_cast<uint64_t>(old_state) << 32 | status;  // smuggled for StateTransition
  switch (status) {
    case kGoRunning: next->g = gid; break;
    case kGoSyscall: {
      if (mid == -1) return Broken(*ev, fmt::format("found goroutine {} in syscall without a thread", gid));
      if (mid == cur->m) {
        if (gen != initial_gen_ && cur->g != gid) {
          return Broken(*ev, fmt::format("inconsistent thread for syscalling goroutine {}: thread has goroutine {}",
                                         gid, cur->g));
        }
        next->g = gid;
        break;
      }
      if (MState* ms = FindM(mid)) {
        if (ms->g != gid) {
          return Broken(*ev, fmt::format("inconsistent thread for syscalling goroutine {}: thread has goroutine {}",
                                         gid, ms->g));
        }
        cur->g = ms->g;
      } else {
        m_states_.Insert(static_cast<uint64_t>(mid), MState{gid, -1});
      }
      cur->m = mid;
      break;
    }
    default: break;
  }
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceGoCreate (also GoCreateBlocked).
CF_HANDLER_DEF(AdvanceGoCreate) {
  CF_VALIDATE(*cur, (Reqs{kMustHave, kMustHave, kMayHave}));
  if (GState* s = FindG(cur->g); s != nullptr && s->status != kGoRunning) {
    return Broken(*ev, fmt::format("{} event for goroutine that's not Running", EvName(ev->type)));
  }
  const auto newg = static_cast<int64_t>(ev->args[0]);
  if (FindG(newg) != nullptr) return Broken(*ev, fmt::format("tried to create goroutine ({}) that already exists", newg));
  GState* n = CreateG(newg);
  n->status = ev->type == wire::kGoCreateBlocked ? kGoWaiting : kGoRunnable;
  n->seq = Seq{gen, 0};
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceGoStopExec (GoStop, GoBlock, GoDestroy).
CF_HANDLER_DEF(AdvanceGoStopExec) {
  CF_VALIDATE(*cur, kUserGoReqs);
  GState* s = FindG(cur->g);
  if (s == nullptr) {
    return Broken(*ev, fmt::format("event {} for goroutine ({}) that doesn't exist", EvName(ev->type), cur->g));
  }
  if (s->status != kGoRunning) {
    return Broken(*ev, fmt::format("{} event for goroutine that's not Running", EvName(ev->type)));
  }
  switch (ev->type) {
    case wire::kGoDestroy: DeleteG(cur->g); break;
    case wire::kGoStop: s->status = kGoRunnable; break;
    case wire::kGoBlock: s->status = kGoWaiting; break;
    default: break;
  }
  next->g = -1;
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceGoStart.
CF_HANDLER_DEF(AdvanceGoStart) {
  const auto gid = static_cast<int64_t>(ev->args[0]);
  const Seq seq{gen, ev->args[1]};
  GState* s = FindG(gid);
  if (s == nullptr || s->status != kGoRunnable || !seq.Succeeds(s->seq)) return false;
  CF_VALIDATE(*cur, (Reqs{kMustHave, kMustHave, kMustNotHave}));
  s->status = kGoRunning;
  s->seq = seq;
  next->g = gid;
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceGoUnblock.
CF_HANDLER_DEF(AdvanceGoUnblock) {
  const auto gid = static_cast<int64_t>(ev->args[0]);
  const Seq seq{gen, ev->args[1]};
  GState* s = FindG(gid);
  if (s == nullptr || s->status != kGoWaiting || !seq.Succeeds(s->seq)) return false;
  s->status = kGoRunnable;
  s->seq = seq;
  // No context to validate: anything (sysmon, an M without P) can unblock.
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceGoSwitch (GoSwitch and GoSwitchDestroy).
CF_HANDLER_DEF(AdvanceGoSwitch) {
  CF_VALIDATE(*cur, kUserGoReqs);
  GState* cs = FindG(cur->g);
  if (cs == nullptr) {
    return Broken(*ev, fmt::format("event {} for goroutine ({}) that doesn't exist", EvName(ev->type), cur->g));
  }
  if (cs->status != kGoRunning) {
    return Broken(*ev, fmt::format("{} event for goroutine that's not Running", EvName(ev->type)));
  }
  const auto nextg = static_cast<int64_t>(ev->args[0]);
  const Seq seq{gen, ev->args[1]};
  GState* ns = FindG(nextg);
  if (ns == nullptr || ns->status != kGoWaiting || !seq.Succeeds(ns->seq)) return false;
  Push(*cur, *ev);
  if (ev->type == wire::kGoSwitch) {
    cs->status = kGoWaiting;
    PushMade(*cur, wire::kGoBlock, ev->time, 0, 0);  // no reason, no stack
  } else {
    DeleteG(cur->g);  // ns stays valid: slabs do not move on delete
    PushMade(*cur, wire::kGoDestroy, ev->time);
  }
  ns->status = kGoRunning;
  ns->seq = seq;
  next->g = nextg;
  SchedCtx start = *cur;
  start.g = -1;
  PushMade(start, wire::kGoStart, ev->time, static_cast<uint64_t>(nextg), ev->args[1]);
  return true;
}

// Mirrors (*ordering).advanceGoSyscallBegin.
CF_HANDLER_DEF(AdvanceGoSyscallBegin) {
  CF_VALIDATE(*cur, kUserGoReqs);
  GState* s = FindG(cur->g);
  if (s == nullptr) {
    return Broken(*ev, fmt::format("event {} for goroutine ({}) that doesn't exist", EvName(ev->type), cur->g));
  }
  if (s->status != kGoRunning) {
    return Broken(*ev, fmt::format("{} event for goroutine that's not Running", EvName(ev->type)));
  }
  s->status = kGoSyscall;
  PState* p = FindP(cur->p);
  if (p == nullptr) return Broken(*ev, fmt::format("uninitialized proc {} found during {}", cur->p, EvName(ev->type)));
  p->status = kProcSyscall;
  const Seq pseq{gen, ev->args[0]};
  if (!pseq.Succeeds(p->seq)) {
    return Broken(*ev, fmt::format("failed to advance {}: can't make sequence: {} (gen={}) -> {} (gen={})",
                                   EvName(ev->type), p->seq.n, p->seq.gen, pseq.n, pseq.gen));
  }
  p->seq = pseq;
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceGoSyscallEnd.
CF_HANDLER_DEF(AdvanceGoSyscallEnd) {
  CF_VALIDATE(*cur, kUserGoReqs);
  GState* s = FindG(cur->g);
  if (s == nullptr) {
    return Broken(*ev, fmt::format("event {} for goroutine ({}) that doesn't exist", EvName(ev->type), cur->g));
  }
  if (s->status != kGoSyscall) {
    return Broken(*ev, fmt::format("{} event for goroutine that's not Running", EvName(ev->type)));
  }
  s->status = kGoRunning;
  PState* p = FindP(cur->p);
  if (p == nullptr) return Broken(*ev, fmt::format("uninitialized proc {} found during {}", cur->p, EvName(ev->type)));
  if (p->status != kProcSyscall) {
    return Broken(*ev, fmt::format("expected proc {} in state Syscall, but got {} instead", cur->p,
                                   ProcStatusString(p->status)));
  }
  p->status = kProcRunning;
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceGoSyscallEndBlocked.
CF_HANDLER_DEF(AdvanceGoSyscallEndBlocked) {
  if (cur->p != -1) {
    PState* p = FindP(cur->p);
    if (p == nullptr) {
      return Broken(*ev, fmt::format("uninitialized proc {} found during {}", cur->p, EvName(ev->type)));
    }
    if (p->status == kProcSyscall) return false;
  }
  CF_VALIDATE(*cur, (Reqs{kMustHave, kMayHave, kMustHave}));
  GState* s = FindG(cur->g);
  if (s == nullptr) {
    return Broken(*ev, fmt::format("event {} for goroutine ({}) that doesn't exist", EvName(ev->type), cur->g));
  }
  if (s->status != kGoSyscall) {
    return Broken(*ev, fmt::format("{} event for goroutine that's not Running", EvName(ev->type)));
  }
  next->g = -1;
  s->status = kGoRunnable;
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceGoCreateSyscall.
CF_HANDLER_DEF(AdvanceGoCreateSyscall) {
  CF_VALIDATE(*cur, (Reqs{kMustHave, kMayHave, kMustNotHave}));
  const auto newg = static_cast<int64_t>(ev->args[0]);
  if (FindG(newg) != nullptr) {
    return Broken(*ev, fmt::format("tried to create goroutine ({}) in syscall that already exists", newg));
  }
  GState* n = CreateG(newg);
  n->status = kGoSyscall;
  n->seq = Seq{gen, 0};
  next->g = newg;
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceGoDestroySyscall.
CF_HANDLER_DEF(AdvanceGoDestroySyscall) {
  CF_VALIDATE(*cur, (Reqs{kMustHave, kMayHave, kMustHave}));
  GState* s = FindG(cur->g);
  if (s == nullptr) {
    return Broken(*ev, fmt::format("event {} for goroutine ({}) that doesn't exist", EvName(ev->type), cur->g));
  }
  if (s->status != kGoSyscall) {
    return Broken(*ev, fmt::format("{} event for goroutine that's not Syscall", EvName(ev->type)));
  }
  DeleteG(cur->g);
  next->g = -1;
  if (cur->p != -1) {
    PState* p = FindP(cur->p);
    if (p == nullptr) return Broken(*ev, fmt::format("found invalid proc {} during {}", cur->p, EvName(ev->type)));
    if (p->status != kProcSyscall) {
      return Broken(*ev, fmt::format("proc {} in unexpected state {} during {}", cur->p, ProcStatusString(p->status),
                                     EvName(ev->type)));
    }
    p->status = kProcSyscallAbandoned;
    next->p = -1;
    // Queue an extra self-ProcSteal event.
    BaseEvent extra;
    extra.type = wire::kProcSteal;
    extra.time = ev->time;
    extra.args[0] = static_cast<uint64_t>(cur->p);
    extra.args[3] = kProcSyscall;  // extra[0]
    Push(*cur, extra);
  }
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceUserTaskBegin.
CF_HANDLER_DEF(AdvanceUserTaskBegin) {
  const uint64_t id = ev->args[0];
  if (active_tasks_.Find(id) != nullptr) return Broken(*ev, fmt::format("task ID conflict: {}", id));
  uint64_t parent = ev->args[1];
  if (parent == kBackgroundTask.value()) {
    parent = kNoTask.value();
    ev->args[1] = parent;
  }
  uint32_t name = 0;
  if (!g.strings.Find(ev->args[2], &name)) {
    return Broken(*ev, fmt::format("invalid string ID {} for {} event", ev->args[2], ev->type));
  }
  active_tasks_.Insert(id, TaskState{name, parent});
  CF_VALIDATE(*cur, kUserGoReqs);
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceUserTaskEnd.
CF_HANDLER_DEF(AdvanceUserTaskEnd) {
  const uint64_t id = ev->args[0];
  if (const TaskState* ts = active_tasks_.Find(id)) {
    ev->args[2] = ts->parent;
    ev->args[3] = ts->name;  // already a global StringId
    active_tasks_.Erase(id);
  } else {
    ev->args[2] = kNoTask.value();
    ev->args[3] = 0;
  }
  CF_VALIDATE(*cur, kUserGoReqs);
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceUserRegionBegin.
CF_HANDLER_DEF(AdvanceUserRegionBegin) {
  CF_VALIDATE(*cur, kUserGoReqs);
  uint32_t name = 0;
  if (!g.strings.Find(ev->args[1], &name)) {
    return Broken(*ev, fmt::format("invalid string ID {} for {} event", ev->args[1], ev->type));
  }
  GState* s = FindG(cur->g);
  if (s == nullptr) {
    return Broken(*ev, fmt::format("encountered EvUserRegionBegin without known state for current goroutine {}",
                                   cur->g));
  }
  s->regions.push_back(Region{ev->args[0], name});
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceUserRegionEnd and (*gState).endRegion.
CF_HANDLER_DEF(AdvanceUserRegionEnd) {
  CF_VALIDATE(*cur, kUserGoReqs);
  uint32_t name = 0;
  if (!g.strings.Find(ev->args[1], &name)) {
    return Broken(*ev, fmt::format("invalid string ID {} for {} event", ev->args[1], ev->type));
  }
  GState* s = FindG(cur->g);
  if (s == nullptr) {
    return Broken(*ev, fmt::format("encountered EvUserRegionEnd without known state for current goroutine {}",
                                   cur->g));
  }
  if (!s->regions.empty()) {
    const Region r{ev->args[0], name};
    if (!(s->regions.back() == r)) {
      return Broken(*ev, fmt::format("misuse of region in goroutine {}: region end {{{} {}}} when the inner-most "
                                     "active region start event is {{{} {}}}",
                                     s->id, r.task, r.name, s->regions.back().task, s->regions.back().name));
    }
    s->regions.pop_back();
  }
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceGCActive.
CF_HANDLER_DEF(AdvanceGCActive) {
  const uint64_t seq = ev->args[0];
  if (gen == initial_gen_) {
    if (gc_state_ != GcState::kUndetermined) {
      return Broken(*ev, "GCActive in the first generation isn't first GC event");
    }
    gc_seq_ = seq;
    gc_state_ = GcState::kRunning;
    Push(*cur, *ev);
    return true;
  }
  if (seq != gc_seq_ + 1) return false;
  if (gc_state_ != GcState::kRunning) return Broken(*ev, "encountered GCActive while GC was not in progress");
  gc_seq_ = seq;
  CF_VALIDATE(*cur, kUserGoReqs);
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceGCBegin.
CF_HANDLER_DEF(AdvanceGCBegin) {
  const uint64_t seq = ev->args[0];
  if (gc_state_ == GcState::kUndetermined) {
    gc_seq_ = seq;
    gc_state_ = GcState::kRunning;
    Push(*cur, *ev);
    return true;
  }
  if (seq != gc_seq_ + 1) return false;
  if (gc_state_ == GcState::kRunning) return Broken(*ev, "encountered GCBegin while GC was already in progress");
  gc_seq_ = seq;
  gc_state_ = GcState::kRunning;
  CF_VALIDATE(*cur, kUserGoReqs);
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceGCEnd.
CF_HANDLER_DEF(AdvanceGCEnd) {
  const uint64_t seq = ev->args[0];
  if (seq != gc_seq_ + 1) return false;
  if (gc_state_ == GcState::kNotRunning) return Broken(*ev, "encountered GCEnd when GC was not in progress");
  if (gc_state_ == GcState::kUndetermined) return Broken(*ev, "encountered GCEnd when GC was in an undetermined state");
  gc_seq_ = seq;
  gc_state_ = GcState::kNotRunning;
  CF_VALIDATE(*cur, kUserGoReqs);
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceAnnotation (ProcsChange, GoLabel, UserLog).
CF_HANDLER_DEF(AdvanceAnnotation) {
  CF_VALIDATE(*cur, kUserGoReqs);
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceHeapMetric.
CF_HANDLER_DEF(AdvanceHeapMetric) {
  CF_VALIDATE(*cur, (Reqs{kMustHave, kMustHave, kMayHave}));
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceGCSweepBegin.
CF_HANDLER_DEF(AdvanceGCSweepBegin) {
  CF_VALIDATE(*cur, (Reqs{kMustHave, kMustHave, kMayHave}));
  PState* p = FindP(cur->p);
  if (p == nullptr) return Broken(*ev, fmt::format("uninitialized proc {} found during {}", cur->p, EvName(ev->type)));
  if (auto e = p->ranges.Begin(RangeType{RangeStartType(ev->type), 0})) return Broken(*ev, std::move(*e));
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceGCSweepActive.
CF_HANDLER_DEF(AdvanceGCSweepActive) {
  const auto pid = static_cast<int64_t>(ev->args[0]);
  PState* p = FindP(pid);
  if (p == nullptr) return Broken(*ev, fmt::format("encountered GCSweepActive for unknown proc {}", pid));
  if (auto e = p->ranges.Active(RangeType{RangeStartType(ev->type), 0}, gen == initial_gen_)) {
    return Broken(*ev, std::move(*e));
  }
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceGCSweepEnd.
CF_HANDLER_DEF(AdvanceGCSweepEnd) {
  CF_VALIDATE(*cur, (Reqs{kMustHave, kMustHave, kMayHave}));
  PState* p = FindP(cur->p);
  if (p == nullptr) return Broken(*ev, fmt::format("uninitialized proc {} found during {}", cur->p, EvName(ev->type)));
  uint64_t desc = 0;
  if (auto e = p->ranges.End(ev->type, &desc)) return Broken(*ev, std::move(*e));
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceGoRangeBegin (STWBegin, GCMarkAssistBegin).
CF_HANDLER_DEF(AdvanceGoRangeBegin) {
  CF_VALIDATE(*cur, kUserGoReqs);
  const uint64_t desc = ev->type == wire::kSTWBegin ? ev->args[0] : 0;
  GState* s = FindG(cur->g);
  if (s == nullptr) {
    return Broken(*ev, fmt::format("encountered event of type {} without known state for current goroutine {}",
                                   ev->type, cur->g));
  }
  if (auto e = s->ranges.Begin(RangeType{RangeStartType(ev->type), desc})) return Broken(*ev, std::move(*e));
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceGoRangeActive (GCMarkAssistActive).
CF_HANDLER_DEF(AdvanceGoRangeActive) {
  const auto gid = static_cast<int64_t>(ev->args[0]);
  GState* s = FindG(gid);
  if (s == nullptr) return Broken(*ev, fmt::format("uninitialized goroutine {} found during {}", gid, EvName(ev->type)));
  if (auto e = s->ranges.Active(RangeType{RangeStartType(ev->type), 0}, gen == initial_gen_)) {
    return Broken(*ev, std::move(*e));
  }
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceGoRangeEnd (STWEnd, GCMarkAssistEnd).
CF_HANDLER_DEF(AdvanceGoRangeEnd) {
  CF_VALIDATE(*cur, kUserGoReqs);
  GState* s = FindG(cur->g);
  if (s == nullptr) {
    return Broken(*ev, fmt::format("encountered event of type {} without known state for current goroutine {}",
                                   ev->type, cur->g));
  }
  uint64_t desc = 0;
  if (auto e = s->ranges.End(ev->type, &desc)) return Broken(*ev, std::move(*e));
  if (ev->type == wire::kSTWEnd) ev->args[0] = desc;  // smuggle the kind (a local string id of the Begin)
  Push(*cur, *ev);
  return true;
}

// Mirrors (*ordering).advanceAllocFree (experimental events).
CF_HANDLER_DEF(AdvanceAllocFree) {
  CF_VALIDATE(*cur, (Reqs{kMustHave, kMayHave, kMayHave}));
  Push(*cur, *ev);
  return true;
}

// Mirrors orderingDispatch.
const Ordering::Handler* Ordering::Dispatch() {
  static const auto table = [] {
    std::array<Handler, 256> t{};
    using O = Ordering;
    t[wire::kProcsChange] = &O::AdvanceAnnotation;
    t[wire::kProcStart] = &O::AdvanceProcStart;
    t[wire::kProcStop] = &O::AdvanceProcStop;
    t[wire::kProcSteal] = &O::AdvanceProcSteal;
    t[wire::kProcStatus] = &O::AdvanceProcStatus;
    t[wire::kGoCreate] = &O::AdvanceGoCreate;
    t[wire::kGoCreateSyscall] = &O::AdvanceGoCreateSyscall;
    t[wire::kGoStart] = &O::AdvanceGoStart;
    t[wire::kGoDestroy] = &O::AdvanceGoStopExec;
    t[wire::kGoDestroySyscall] = &O::AdvanceGoDestroySyscall;
    t[wire::kGoStop] = &O::AdvanceGoStopExec;
    t[wire::kGoBlock] = &O::AdvanceGoStopExec;
    t[wire::kGoUnblock] = &O::AdvanceGoUnblock;
    t[wire::kGoSyscallBegin] = &O::AdvanceGoSyscallBegin;
    t[wire::kGoSyscallEnd] = &O::AdvanceGoSyscallEnd;
    t[wire::kGoSyscallEndBlocked] = &O::AdvanceGoSyscallEndBlocked;
    t[wire::kGoStatus] = &O::AdvanceGoStatus;
    t[wire::kSTWBegin] = &O::AdvanceGoRangeBegin;
    t[wire::kSTWEnd] = &O::AdvanceGoRangeEnd;
    t[wire::kGCActive] = &O::AdvanceGCActive;
    t[wire::kGCBegin] = &O::AdvanceGCBegin;
    t[wire::kGCEnd] = &O::AdvanceGCEnd;
    t[wire::kGCSweepActive] = &O::AdvanceGCSweepActive;
    t[wire::kGCSweepBegin] = &O::AdvanceGCSweepBegin;
    t[wire::kGCSweepEnd] = &O::AdvanceGCSweepEnd;
    t[wire::kGCMarkAssistActive] = &O::AdvanceGoRangeActive;
    t[wire::kGCMarkAssistBegin] = &O::AdvanceGoRangeBegin;
    t[wire::kGCMarkAssistEnd] = &O::AdvanceGoRangeEnd;
    t[wire::kHeapAlloc] = &O::AdvanceHeapMetric;
    t[wire::kHeapGoal] = &O::AdvanceHeapMetric;
    t[wire::kGoLabel] = &O::AdvanceAnnotation;
    t[wire::kUserTaskBegin] = &O::AdvanceUserTaskBegin;
    t[wire::kUserTaskEnd] = &O::AdvanceUserTaskEnd;
    t[wire::kUserRegionBegin] = &O::AdvanceUserRegionBegin;
    t[wire::kUserRegionEnd] = &O::AdvanceUserRegionEnd;
    t[wire::kUserLog] = &O::AdvanceAnnotation;
    t[wire::kGoSwitch] = &O::AdvanceGoSwitch;
    t[wire::kGoSwitchDestroy] = &O::AdvanceGoSwitch;
    t[wire::kGoCreateBlocked] = &O::AdvanceGoCreate;
    t[wire::kGoStatusStack] = &O::AdvanceGoStatus;
    for (int ty = wire::kSpan; ty <= wire::kGoroutineStackFree; ++ty) t[static_cast<size_t>(ty)] = &O::AdvanceAllocFree;
    return t;
  }();
  return table.data();
}

}  // namespace cancelflow::order
