// Event accessors: ports of Event.Kind, StateTransition, Range,
// RangeAttributes, Metric, Label, Task, Region and Log from event.go.
#include "cancelflow/event.h"

#include <array>

#include "wire/event_spec.h"

namespace cancelflow {

namespace w = wire;

std::string_view EventKindName(EventKind k) {
  static constexpr std::string_view kNames[] = {"Bad",         "Sync",        "Metric",      "Label",
                                                "StackSample", "RangeBegin",  "RangeActive", "RangeEnd",
                                                "TaskBegin",   "TaskEnd",     "RegionBegin", "RegionEnd",
                                                "Log",         "StateTransition", "Experimental"};
  const auto i = static_cast<size_t>(k);
  return i < std::size(kNames) ? kNames[i] : kNames[0];
}

std::string_view GoStateName(GoState s) {
  static constexpr std::string_view kNames[] = {"Undetermined", "NotExist", "Runnable", "Running", "Waiting", "Syscall"};
  const auto i = static_cast<size_t>(s);
  return i < std::size(kNames) ? kNames[i] : "Bad";
}

std::string_view ProcStateName(ProcState s) {
  static constexpr std::string_view kNames[] = {"Undetermined", "NotExist", "Running", "Idle"};
  const auto i = static_cast<size_t>(s);
  return i < std::size(kNames) ? kNames[i] : "Bad";
}

std::string_view MetricNameString(MetricName m) {
  switch (m) {
    case MetricName::kGoMaxProcs: return "/sched/gomaxprocs:threads";
    case MetricName::kHeapAlloc: return "/memory/classes/heap/objects:bytes";
    case MetricName::kHeapGoal: return "/gc/heap/goal:bytes";
  }
  return "";
}

// tracev2Type2Kind.
EventKind KindOfType(uint8_t type) {
  static const auto table = [] {
    std::array<EventKind, 256> t{};
    using K = EventKind;
    t[w::kCPUSample] = K::kStackSample;
    t[w::kProcsChange] = K::kMetric;
    for (uint8_t ty : {w::kProcStart, w::kProcStop, w::kProcSteal, w::kProcStatus, w::kGoCreate, w::kGoCreateSyscall,
                       w::kGoStart, w::kGoDestroy, w::kGoDestroySyscall, w::kGoStop, w::kGoBlock, w::kGoUnblock,
                       w::kGoSyscallBegin, w::kGoSyscallEnd, w::kGoSyscallEndBlocked, w::kGoStatus, w::kGoSwitch,
                       w::kGoSwitchDestroy, w::kGoCreateBlocked, w::kGoStatusStack})
      t[ty] = K::kStateTransition;
    t[w::kSTWBegin] = K::kRangeBegin;
    t[w::kSTWEnd] = K::kRangeEnd;
    t[w::kGCActive] = K::kRangeActive;
    t[w::kGCBegin] = K::kRangeBegin;
    t[w::kGCEnd] = K::kRangeEnd;
    t[w::kGCSweepActive] = K::kRangeActive;
    t[w::kGCSweepBegin] = K::kRangeBegin;
    t[w::kGCSweepEnd] = K::kRangeEnd;
    t[w::kGCMarkAssistActive] = K::kRangeActive;
    t[w::kGCMarkAssistBegin] = K::kRangeBegin;
    t[w::kGCMarkAssistEnd] = K::kRangeEnd;
    t[w::kHeapAlloc] = K::kMetric;
    t[w::kHeapGoal] = K::kMetric;
    t[w::kGoLabel] = K::kLabel;
    t[w::kUserTaskBegin] = K::kTaskBegin;
    t[w::kUserTaskEnd] = K::kTaskEnd;
    t[w::kUserRegionBegin] = K::kRegionBegin;
    t[w::kUserRegionEnd] = K::kRegionEnd;
    t[w::kUserLog] = K::kLog;
    for (int ty = w::kSpan; ty <= w::kGoroutineStackFree; ++ty) t[static_cast<size_t>(ty)] = K::kExperimental;
    t[kSyncEventType] = K::kSync;
    return t;
  }();
  return table[type];
}

namespace {

constexpr GoState kGoStatus2GoState[5] = {GoState::kUndetermined, GoState::kRunnable, GoState::kRunning,
                                          GoState::kSyscall, GoState::kWaiting};
constexpr ProcState kProcStatus2ProcState[5] = {ProcState::kUndetermined, ProcState::kRunning, ProcState::kIdle,
                                                ProcState::kRunning, ProcState::kIdle};

// These fill the returned object in place: building a StateTransition in a
// temporary and copying it out made every call stall on store forwarding
// (byte stores read back by 16-byte loads; 15% of `analyze` in perf).
void GoT(StateTransition* s, int64_t id, GoState from, GoState to) {
  s->resource.kind = ResourceKind::kGoroutine;
  s->resource.id = id;
  s->from = static_cast<uint8_t>(from);
  s->to = static_cast<uint8_t>(to);
}

void ProcT(StateTransition* s, int64_t id, ProcState from, ProcState to) {
  s->resource.kind = ResourceKind::kProc;
  s->resource.id = id;
  s->from = static_cast<uint8_t>(from);
  s->to = static_cast<uint8_t>(to);
}

void WithStack(StateTransition* s, StackId st) {
  s->stack = st;
  s->has_stack = st != kNoStack;
}

}  // namespace

// Mirrors Event.StateTransition.
StateTransition GetStateTransition(const Event& e) {
  const int64_t g = e.goroutine.value();
  StateTransition s;
  switch (e.type) {
    case w::kProcStart: ProcT(&s, static_cast<int64_t>(e.args[0]), ProcState::kIdle, ProcState::kRunning); return s;
    case w::kProcStop: ProcT(&s, e.proc.value(), ProcState::kRunning, ProcState::kIdle); return s;
    case w::kProcSteal: {
      const ProcState before = e.args[3] == 4 /*SyscallAbandoned*/ ? ProcState::kIdle : ProcState::kRunning;
      ProcT(&s, static_cast<int64_t>(e.args[0]), before, ProcState::kIdle);
      return s;
    }
    case w::kProcStatus: {
      const uint64_t st = e.args[1];
      ProcT(&s, static_cast<int64_t>(e.args[0]), static_cast<ProcState>(e.args[2]),
            st < 5 ? kProcStatus2ProcState[st] : ProcState::kUndetermined);
      return s;
    }
    case w::kGoCreate:
    case w::kGoCreateBlocked:
      GoT(&s, static_cast<int64_t>(e.args[0]), GoState::kNotExist,
          e.type == w::kGoCreateBlocked ? GoState::kWaiting : GoState::kRunnable);
      s.stack = StackId(static_cast<uint32_t>(e.args[1]));
      s.has_stack = true;  // Go: Stack{table, id} != NoStack even for id 0
      return s;
    case w::kGoCreateSyscall: GoT(&s, static_cast<int64_t>(e.args[0]), GoState::kNotExist, GoState::kSyscall); return s;
    case w::kGoStart: GoT(&s, static_cast<int64_t>(e.args[0]), GoState::kRunnable, GoState::kRunning); return s;
    case w::kGoDestroy: GoT(&s, g, GoState::kRunning, GoState::kNotExist); return s;
    case w::kGoDestroySyscall: GoT(&s, g, GoState::kSyscall, GoState::kNotExist); return s;
    case w::kGoStop:
    case w::kGoBlock:
      GoT(&s, g, GoState::kRunning, e.type == w::kGoStop ? GoState::kRunnable : GoState::kWaiting);
      s.reason = StringId(static_cast<uint32_t>(e.args[0]));
      WithStack(&s, e.stack);
      return s;
    case w::kGoUnblock:
    case w::kGoSwitch:
    case w::kGoSwitchDestroy: GoT(&s, static_cast<int64_t>(e.args[0]), GoState::kWaiting, GoState::kRunnable); return s;
    case w::kGoSyscallBegin:
      GoT(&s, g, GoState::kRunning, GoState::kSyscall);
      WithStack(&s, e.stack);
      return s;
    case w::kGoSyscallEnd: GoT(&s, g, GoState::kSyscall, GoState::kRunning); return s;
    case w::kGoSyscallEndBlocked: GoT(&s, g, GoState::kSyscall, GoState::kRunnable); return s;
    case w::kGoStatus:
    case w::kGoStatusStack: {
      const uint64_t packed = e.args[2];
      const uint64_t to = packed & 0xffffffffu;
      GoT(&s, static_cast<int64_t>(e.args[0]), static_cast<GoState>(packed >> 32),
          to < 5 ? kGoStatus2GoState[to] : GoState::kUndetermined);
      WithStack(&s, e.stack);
      return s;
    }
    default: break;
  }
  return s;
}

// Mirrors Event.Range and Event.RangeAttributes.
RangeInfo GetRange(const Event& e) {
  RangeInfo r{};
  switch (e.type) {
    case w::kSTWBegin:
    case w::kSTWEnd:
      r.name = RangeName::kStopTheWorld;
      r.stw_kind = StringId(static_cast<uint32_t>(e.args[0]));
      r.scope = ResourceId{ResourceKind::kGoroutine, e.goroutine.value()};
      break;
    case w::kGCBegin:
    case w::kGCActive:
    case w::kGCEnd:
      r.name = RangeName::kGCMarkPhase;
      r.scope = ResourceId{ResourceKind::kNone, 0};
      break;
    case w::kGCSweepBegin:
    case w::kGCSweepActive:
    case w::kGCSweepEnd:
      r.name = RangeName::kGCSweep;
      r.scope = ResourceId{ResourceKind::kProc,
                           e.type == w::kGCSweepActive ? static_cast<int64_t>(e.args[0]) : e.proc.value()};
      if (e.type == w::kGCSweepEnd) {
        r.has_attributes = true;
        r.bytes_swept = e.args[0];
        r.bytes_reclaimed = e.args[1];
      }
      break;
    default:
      r.name = RangeName::kGCMarkAssist;
      r.scope = ResourceId{ResourceKind::kGoroutine,
                           e.type == w::kGCMarkAssistActive ? static_cast<int64_t>(e.args[0]) : e.goroutine.value()};
      break;
  }
  return r;
}

MetricInfo GetMetric(const Event& e) {
  MetricName n = MetricName::kGoMaxProcs;
  if (e.type == w::kHeapAlloc) n = MetricName::kHeapAlloc;
  if (e.type == w::kHeapGoal) n = MetricName::kHeapGoal;
  return MetricInfo{n, e.args[0]};
}

LabelInfo GetLabel(const Event& e) {
  return LabelInfo{StringId(static_cast<uint32_t>(e.args[0])),
                   ResourceId{ResourceKind::kGoroutine, e.goroutine.value()}};
}

TaskInfo GetTask(const Event& e) {
  if (e.type == w::kUserTaskBegin) {
    return TaskInfo{TaskId(e.args[0]), TaskId(e.args[1]), StringId(static_cast<uint32_t>(e.args[2]))};
  }
  return TaskInfo{TaskId(e.args[0]), TaskId(e.args[2]), StringId(static_cast<uint32_t>(e.args[3]))};
}

RegionInfo GetRegion(const Event& e) {
  return RegionInfo{TaskId(e.args[0]), StringId(static_cast<uint32_t>(e.args[1]))};
}

LogInfo GetLog(const Event& e) {
  return LogInfo{TaskId(e.args[0]), StringId(static_cast<uint32_t>(e.args[1])),
                 StringId(static_cast<uint32_t>(e.args[2]))};
}

}  // namespace cancelflow
