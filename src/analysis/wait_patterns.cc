#include "analysis/wait_patterns.h"

namespace cancelflow::analysis {
namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool IsRuntimeInternal(std::string_view f) {
  return StartsWith(f, "runtime.") || StartsWith(f, "internal/") || StartsWith(f, "sync.runtime_") ||
         StartsWith(f, "sync.runtime_notifyList");
}

// The runtime's own waits: frames of the GC, the sweeper, stop-the-world and
// debug calls between the leaf and the first frame outside the runtime.
bool IsRuntimeWaitFrame(std::string_view f) {
  return StartsWith(f, "runtime.gc") || StartsWith(f, "runtime.GC") || StartsWith(f, "runtime.stopTheWorld") ||
         StartsWith(f, "runtime.bgsweep") || StartsWith(f, "runtime.bgscavenge") ||
         StartsWith(f, "runtime.debugCall") || StartsWith(f, "runtime.(*gcControllerState)") ||
         StartsWith(f, "runtime.deductAssistCredit") || StartsWith(f, "runtime.mallocgc") ||
         StartsWith(f, "runtime.forcegchelper") || StartsWith(f, "runtime.runfinq") ||
         StartsWith(f, "runtime.(*mheap)") || StartsWith(f, "runtime.ReadMemStats") ||
         StartsWith(f, "runtime.startTheWorld");
}

}  // namespace

WaitKind ClassifyWait(std::string_view reason, std::span<const std::string_view> funcs) {
  if (reason == "GC mark assist wait for work" || reason == "GC background sweeper wait" ||
      reason == "system goroutine wait" || reason == "wait for debug call" || reason == "wait until GC ends" ||
      reason == "GC weak to strong wait") {
    return WaitKind::kRuntime;
  }
  // Runtime frames from the leaf up to the first frame outside the runtime.
  bool chanrecv = false, chansend = false, select = false, block = false, sleep = false, netpoll = false;
  for (std::string_view f : funcs) {
    if (!IsRuntimeInternal(f)) {
      // The first exported frame of package sync or time names the wait.
      if (f == "sync.(*Mutex).Lock" || StartsWith(f, "sync.(*Mutex).lockSlow")) return WaitKind::kMutexLock;
      if (f == "sync.(*RWMutex).RLock") return WaitKind::kRWMutexRLock;
      if (f == "sync.(*RWMutex).Lock") return WaitKind::kRWMutexLock;
      if (f == "sync.(*WaitGroup).Wait") return WaitKind::kWaitGroupWait;
      if (f == "sync.(*Cond).Wait") return WaitKind::kCondWait;
      if (f == "time.Sleep") return WaitKind::kSleep;
      break;
    }
    if (IsRuntimeWaitFrame(f)) return WaitKind::kRuntime;
    if (f == "runtime.chanrecv" || f == "runtime.chanrecv1" || f == "runtime.chanrecv2") chanrecv = true;
    if (f == "runtime.chansend" || f == "runtime.chansend1") chansend = true;
    if (f == "runtime.selectgo") select = true;
    if (f == "runtime.block") block = true;
    if (f == "time.Sleep" || f == "runtime.timeSleep") sleep = true;
    if (StartsWith(f, "internal/poll.") || f == "runtime.netpollblock" || StartsWith(f, "internal/poll.runtime_pollWait"))
      netpoll = true;
  }
  if (reason == "forever") {
    if (block) return WaitKind::kSelectNoCases;
    if (chansend) return WaitKind::kChanSendNil;
    if (chanrecv) return WaitKind::kChanReceiveNil;
    if (select) return WaitKind::kSelectNoCases;  // a select whose cases are all nil channels
    return WaitKind::kOther;
  }
  if (reason == "network" || netpoll) return WaitKind::kIOWait;
  if (reason == "sleep" || sleep) return WaitKind::kSleep;
  if (reason == "select" || select) return WaitKind::kSelect;
  if (reason == "chan send" || chansend) return WaitKind::kChanSend;
  if (reason == "chan receive" || chanrecv) return WaitKind::kChanReceive;
  if (reason == "sync.(*Cond).Wait") return WaitKind::kCondWait;
  if (reason == "sync") return WaitKind::kSemacquire;
  if (reason.empty() && funcs.empty()) return WaitKind::kUnknown;
  return WaitKind::kOther;
}

int WaitingFrame(std::span<const std::string_view> funcs) {
  for (size_t i = 0; i < funcs.size(); ++i)
    if (!IsRuntimeInternal(funcs[i])) return static_cast<int>(i);
  return -1;
}

}  // namespace cancelflow::analysis

namespace cancelflow {

std::string_view WaitKindName(WaitKind w) {
  switch (w) {
    case WaitKind::kNone: return "";
    case WaitKind::kUnknown: return "unknown";
    case WaitKind::kChanReceive: return "chan receive";
    case WaitKind::kChanSend: return "chan send";
    case WaitKind::kSelect: return "select";
    case WaitKind::kChanReceiveNil: return "chan receive (nil chan)";
    case WaitKind::kChanSendNil: return "chan send (nil chan)";
    case WaitKind::kSelectNoCases: return "select (no cases)";
    case WaitKind::kMutexLock: return "sync.Mutex.Lock";
    case WaitKind::kRWMutexRLock: return "sync.RWMutex.RLock";
    case WaitKind::kRWMutexLock: return "sync.RWMutex.Lock";
    case WaitKind::kWaitGroupWait: return "sync.WaitGroup.Wait";
    case WaitKind::kCondWait: return "sync.Cond.Wait";
    case WaitKind::kSemacquire: return "semacquire";
    case WaitKind::kSleep: return "sleep";
    case WaitKind::kIOWait: return "IO wait";
    case WaitKind::kSyscall: return "syscall";
    case WaitKind::kRuntime: return "runtime";
    case WaitKind::kOther: return "other";
  }
  return "other";
}

}  // namespace cancelflow
