// The ordered event model: what Go's internal/trace.Event exposes, as a
// fixed-size POD with global (interned) string and stack ids.
//
// An Event is what cancelflow::Reader::Next yields, in the reference order.
// Its layout mirrors Go's Event{table, ctx, base}: the scheduling context
// (thread, proc, goroutine *before* the event), the time, the wire type and
// up to four arguments. String and stack arguments are global ids (see
// pool.h), so events from different generations compare directly.
//
// Argument layout per wire type is Go's baseEvent.args (the wire arguments
// after the timestamp), including the values the ordering stage "smuggles" in:
//   ProcStatus    args[2] = old ProcState
//   ProcSteal     args[3] = old wire ProcStatus (SyscallAbandoned => Idle->Idle)
//   GoStatus(Stack) args[2] = old GoState << 32 | wire GoStatus
//   UserTaskBegin args[1] = parent task (0 rewritten to NoTask)
//   UserTaskEnd   args[2] = parent task, args[3] = task type (StringId)
//   STWEnd        args[0] = the STW kind string of the matching STWBegin
//   Sync          args[0] = N, args[1] = 1 + index of its SyncDetails (0 = none)
//   StackSample   args[0] = stack
// Use the accessor functions below instead of reading args directly.
#pragma once

#include <cstdint>
#include <string_view>

#include "cancelflow/ids.h"

namespace cancelflow {

enum class EventKind : uint8_t {
  kBad = 0,
  kSync,
  kMetric,
  kLabel,
  kStackSample,
  kRangeBegin,
  kRangeActive,
  kRangeEnd,
  kTaskBegin,
  kTaskEnd,
  kRegionBegin,
  kRegionEnd,
  kLog,
  kStateTransition,
  kExperimental,
};
std::string_view EventKindName(EventKind k);  // "Sync", "StateTransition", ... (EventKind.String)

enum class GoState : uint8_t { kUndetermined = 0, kNotExist, kRunnable, kRunning, kWaiting, kSyscall };
enum class ProcState : uint8_t { kUndetermined = 0, kNotExist, kRunning, kIdle };
std::string_view GoStateName(GoState s);      // GoState.String
std::string_view ProcStateName(ProcState s);  // ProcState.String

enum class ResourceKind : uint8_t { kNone = 0, kGoroutine, kProc, kThread };

struct ResourceId {
  ResourceKind kind = ResourceKind::kNone;
  int64_t id = 0;
};

// The wire type of a synthetic Sync event (Go's evSync = ^EventType(0)).
inline constexpr uint8_t kSyncEventType = 255;

struct Event {
  Time time = 0;
  ThreadId thread = kNoThread;
  ProcId proc = kNoProc;
  GoId goroutine = kNoGoroutine;
  uint64_t args[4] = {};
  StackId stack = kNoStack;  // the event's main stack (Go's Event.Stack())
  uint8_t type = 0;          // wire::EventType, or kSyncEventType
  EventKind kind = EventKind::kBad;
  uint16_t reserved = 0;
};
static_assert(sizeof(Event) == 72, "Event is a fixed-size POD");

// Event kind of a wire type (Go's tracev2Type2Kind).
EventKind KindOfType(uint8_t type);

struct StateTransition {
  ResourceId resource;
  uint8_t from = 0;  // GoState or ProcState, by resource.kind
  uint8_t to = 0;
  StringId reason;
  StackId stack;           // the transitioning resource's stack (GoCreate: the new goroutine's start)
  bool has_stack = false;  // Go's Stack != NoStack (true for GoCreate even when the stack is empty)
  GoState go_from() const { return static_cast<GoState>(from); }
  GoState go_to() const { return static_cast<GoState>(to); }
  ProcState proc_from() const { return static_cast<ProcState>(from); }
  ProcState proc_to() const { return static_cast<ProcState>(to); }
};
StateTransition GetStateTransition(const Event& e);  // Kind == kStateTransition

enum class RangeName : uint8_t {
  kStopTheWorld,     // "stop-the-world (" + kind + ")", goroutine scope
  kGCMarkPhase,      // "GC concurrent mark phase", global scope
  kGCSweep,          // "GC incremental sweep", proc scope
  kGCMarkAssist,     // "GC mark assist", goroutine scope
};
struct RangeInfo {
  RangeName name;
  StringId stw_kind;  // for kStopTheWorld
  ResourceId scope;
  // Attributes of a completed range (RangeEnd of a sweep): bytes swept/reclaimed.
  bool has_attributes = false;
  uint64_t bytes_swept = 0;
  uint64_t bytes_reclaimed = 0;
};
RangeInfo GetRange(const Event& e);  // Kind is kRangeBegin/Active/End

enum class MetricName : uint8_t { kGoMaxProcs, kHeapAlloc, kHeapGoal };
std::string_view MetricNameString(MetricName m);  // "/sched/gomaxprocs:threads", ...
struct MetricInfo {
  MetricName name;
  uint64_t value;
};
MetricInfo GetMetric(const Event& e);

struct LabelInfo {
  StringId label;
  ResourceId resource;
};
LabelInfo GetLabel(const Event& e);

struct TaskInfo {
  TaskId id;
  TaskId parent;
  StringId type;  // empty when the TaskBegin is not in the trace
};
TaskInfo GetTask(const Event& e);

struct RegionInfo {
  TaskId task;
  StringId type;
};
RegionInfo GetRegion(const Event& e);

struct LogInfo {
  TaskId task;
  StringId category;
  StringId message;
};
LogInfo GetLog(const Event& e);

}  // namespace cancelflow
