// Ordering: the reference partial-order state machine, handler by handler.
//
// Mirrors internal/trace/order.go. Each wire event read from an M's batch
// cursor is offered to Advance, which answers:
//   true  - the event is valid now: its effects are applied to the G/P/M
//           state and one or more ordered events are queued (GoSwitch queues
//           three, GoDestroySyscall may queue a synthetic ProcSteal);
//   false - "not yet": a predecessor in the partial order (a sequence number,
//           a status, a steal) has not been consumed; try another M;
//   Error - "broken": the trace contradicts itself; reading must stop.
// Only "at a distance" events (GoStart, GoUnblock, GoSwitch, ProcStart,
// ProcSteal, GC begin/end) can answer "not yet"; events an M issues on the
// resources it owns are serialized by the M's own stream.
//
// INVARIANTS
// - Sequence numbers never carry across generations (Seq::Succeeds compares gen).
// - Events are queued with the per-generation (local) string and stack ids of
//   the generation being ordered; the reader converts them to global ids when
//   it pops them, after Go's validateTableIDs check. Exceptions: UserTaskEnd
//   args[3] and region/task names held in the state are global StringIds.
// - No allocation per event in steady state: G/P state lives in slabs indexed
//   through FlatMaps and reused after GoDestroy; the queue is a ring buffer
//   that keeps its capacity.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/flat_map.h"
#include "cancelflow/error.h"
#include "cancelflow/event.h"
#include "wire/generation.h"
#include "wire/version.h"

namespace cancelflow::order {

// Go's baseEvent: wire type, converted time, arguments after the timestamp.
struct BaseEvent {
  uint8_t type = 0;
  int64_t time = 0;
  uint64_t args[4] = {};
  uint64_t offset = 0;  // byte offset of the type byte (for errors)
};

// Go's schedCtx.
struct SchedCtx {
  int64_t g = -1;
  int64_t p = -1;
  int64_t m = -1;
};

// Wire status values (tracev2.GoStatus / tracev2.ProcStatus).
enum WireGoStatus : uint8_t { kGoBad = 0, kGoRunnable, kGoRunning, kGoSyscall, kGoWaiting };
enum WireProcStatus : uint8_t { kProcBad = 0, kProcRunning, kProcIdle, kProcSyscall, kProcSyscallAbandoned };

// A ring buffer of events that keeps its capacity (Go's queue[Event]).
class EventQueue {
 public:
  void Push(const Event& e) {
    if (end_ - start_ == buf_.size()) Grow();
    buf_[end_ & (buf_.size() - 1)] = e;
    ++end_;
  }
  // Push without a temporary: the caller fills every field of the slot.
  Event& Emplace() {
    if (end_ - start_ == buf_.size()) Grow();
    return buf_[end_++ & (buf_.size() - 1)];
  }
  bool Pop(Event* e) {
    if (end_ == start_) return false;
    *e = buf_[start_ & (buf_.size() - 1)];
    ++start_;
    return true;
  }
  bool empty() const { return end_ == start_; }

 private:
  void Grow();
  std::vector<Event> buf_;
  size_t start_ = 0;
  size_t end_ = 0;
};

// What Ordering::Advance answers: the event advanced (it was valid now and
// its events are queued), "not yet", or broken (the Error is in
// Ordering::error()). A plain value instead of a Result<bool>: it is built,
// returned and tested for every event of the trace. Handlers return true /
// false for the first two, Ordering::Broken for the third.
class Step {
 public:
  constexpr Step(bool advanced) : v_(advanced ? kYes : kNotYet) {}  // NOLINT: implicit on purpose
  static constexpr Step Broken() { return Step(kBroken); }
  bool advanced() const { return v_ == kYes; }
  bool broken() const { return v_ == kBroken; }

 private:
  enum V : uint8_t { kNotYet, kYes, kBroken };
  constexpr explicit Step(V v) : v_(v) {}
  V v_;
};

class Ordering {
 public:
  explicit Ordering(wire::Version v) : version_(v) {}

  // A caller's cache of M `m`'s state slot (the reader keeps one per batch
  // cursor, i.e. per M): valid while the M table's capacity is the one it was
  // filled at (slots move only when the table grows; Ms are never erased).
  // Saves the M lookup when consecutive events come from different Ms.
  struct MSlotHint {
    void* slot = nullptr;
    size_t capacity = 0;  // 0: empty (a table with slots never has capacity 0)
  };

  // Mirrors (*ordering).Advance. `gen` holds the tables of generation `gen_num`.
  // After a broken Step, error() says why. `hint` may be null.
  Step Advance(BaseEvent* ev, const wire::Generation& gen, int64_t m, uint64_t gen_num, MSlotHint* hint = nullptr);
  const Error& error() const { return error_; }

  // Mirrors (*ordering).Next.
  bool Next(Event* e) { return queue_.Pop(e); }

  // With the queue empty, the next event Advance queues is the next one Next
  // returns: SetDirect(e) makes that first event be written to *e instead of
  // the queue (no copy through the ring buffer, whose narrow stores followed by
  // the copy's wide loads stalled). TakeDirect() ends this and says whether
  // *e was written; the other events of that Advance are queued as usual.
  void SetDirect(Event* e) { direct_ = QueueEmpty() ? e : nullptr; }
  bool TakeDirect() {
    const bool filled = direct_ == nullptr;
    direct_ = nullptr;
    return filled;
  }
  bool QueueEmpty() const { return queue_.empty(); }

  // A short description of the G/P/M/GC state (Go's dumpOrdering), for errors.
  std::string Dump();

  // Counters, for `stats`.
  size_t live_goroutines() const { return g_index_.size(); }

 private:
  struct Seq {
    uint64_t gen = 0;
    uint64_t n = 0;
    bool Succeeds(Seq b) const { return gen == b.gen && n == b.n + 1; }
  };
  struct RangeType {
    uint8_t typ = 0;
    uint64_t desc = 0;  // local string id (Go compares per-generation ids too)
    bool operator==(const RangeType&) const = default;
  };
  struct Region {
    uint64_t task = 0;
    uint32_t name = 0;  // global StringId
    bool operator==(const Region&) const = default;
  };
  struct RangeState {
    std::vector<RangeType> in_flight;
    bool Has(RangeType t) const;
    std::optional<std::string> Begin(RangeType t);
    std::optional<std::string> Active(RangeType t, bool initial_gen);
    std::optional<std::string> End(uint8_t typ, uint64_t* desc);
  };
  struct GState {
    int64_t id = 0;
    uint8_t status = 0;
    Seq seq;
    std::vector<Region> regions;
    RangeState ranges;
  };
  struct PState {
    int64_t id = 0;
    uint8_t status = 0;
    Seq seq;
    RangeState ranges;
  };
  struct MState {
    int64_t g = -1;
    int64_t p = -1;
  };
  struct TaskState {
    uint32_t name = 0;  // global StringId
    uint64_t parent = 0;
  };
  enum class GcState : uint8_t { kUndetermined, kNotRunning, kRunning };
  enum Constraint : uint8_t { kMustNotHave, kMayHave, kMustHave };
  struct Reqs {
    Constraint m, p, g;
  };
  static constexpr Reqs kUserGoReqs{kMustHave, kMustHave, kMustHave};

  using Handler = Step (Ordering::*)(BaseEvent*, const wire::Generation&, int64_t, uint64_t, SchedCtx*, SchedCtx*);
  static const Handler* Dispatch();

  // Handlers: (ev, gen tables, m, gen, curCtx (mutable: the context recorded
  // on the queued event), newCtx (out)).
#define CF_HANDLER(Name) \
  Step Name(BaseEvent* ev, const wire::Generation& g, int64_t m, uint64_t gen, SchedCtx* cur, SchedCtx* next)
  CF_HANDLER(AdvanceProcStatus);
  CF_HANDLER(AdvanceProcStart);
  CF_HANDLER(AdvanceProcStop);
  CF_HANDLER(AdvanceProcSteal);
  CF_HANDLER(AdvanceGoStatus);
  CF_HANDLER(AdvanceGoCreate);
  CF_HANDLER(AdvanceGoStopExec);
  CF_HANDLER(AdvanceGoStart);
  CF_HANDLER(AdvanceGoUnblock);
  CF_HANDLER(AdvanceGoSwitch);
  CF_HANDLER(AdvanceGoSyscallBegin);
  CF_HANDLER(AdvanceGoSyscallEnd);
  CF_HANDLER(AdvanceGoSyscallEndBlocked);
  CF_HANDLER(AdvanceGoCreateSyscall);
  CF_HANDLER(AdvanceGoDestroySyscall);
  CF_HANDLER(AdvanceUserTaskBegin);
  CF_HANDLER(AdvanceUserTaskEnd);
  CF_HANDLER(AdvanceUserRegionBegin);
  CF_HANDLER(AdvanceUserRegionEnd);
  CF_HANDLER(AdvanceGCActive);
  CF_HANDLER(AdvanceGCBegin);
  CF_HANDLER(AdvanceGCEnd);
  CF_HANDLER(AdvanceAnnotation);
  CF_HANDLER(AdvanceHeapMetric);
  CF_HANDLER(AdvanceGCSweepBegin);
  CF_HANDLER(AdvanceGCSweepActive);
  CF_HANDLER(AdvanceGCSweepEnd);
  CF_HANDLER(AdvanceGoRangeBegin);
  CF_HANDLER(AdvanceGoRangeActive);
  CF_HANDLER(AdvanceGoRangeEnd);
  CF_HANDLER(AdvanceAllocFree);
#undef CF_HANDLER

  std::optional<std::string> ValidateCtx(const SchedCtx& c, Reqs r) const;
  void Push(const SchedCtx& ctx, const BaseEvent& ev);
  void PushMade(const SchedCtx& ctx, uint8_t type, int64_t time, uint64_t a0 = 0, uint64_t a1 = 0);
  std::string EvName(uint8_t type) const;
  Step Broken(const BaseEvent& ev, std::string msg);

  GState* FindG(int64_t id);
  GState* CreateG(int64_t id);
  void DeleteG(int64_t id);
  PState* FindP(int64_t id);
  PState* CreateP(int64_t id);
  MState* FindM(int64_t id) { return m_states_.Find(static_cast<uint64_t>(id)); }

  wire::Version version_;
  FlatMap<uint32_t> g_index_;  // GoID -> slot in g_slab_
  std::vector<GState> g_slab_;
  std::vector<uint32_t> g_free_;
  FlatMap<uint32_t> p_index_;
  std::vector<PState> p_slab_;
  FlatMap<MState> m_states_;
  FlatMap<TaskState> active_tasks_;
  uint64_t gc_seq_ = 0;
  GcState gc_state_ = GcState::kUndetermined;
  uint64_t initial_gen_ = 0;
  uint64_t cur_gen_ = 0;
  EventQueue queue_;
  Event* direct_ = nullptr;  // see SetDirect
  Error error_;              // why the last broken Step was broken
};

}  // namespace cancelflow::order
