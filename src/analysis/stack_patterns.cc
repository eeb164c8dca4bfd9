#include "analysis/stack_patterns.h"

#include <algorithm>
#include <iterator>

namespace cancelflow::analysis {
namespace {

constexpr std::string_view kCancelCtxCancel = "context.(*cancelCtx).cancel";
constexpr std::string_view kTimerCtxCancel = "context.(*timerCtx).cancel";
constexpr std::string_view kAfterFuncCtxCancel = "context.(*afterFuncCtx).cancel";

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Matches "<anything>.func<digits>(.<digits>)*" closure suffixes.
bool IsClosureSuffix(std::string_view rest) {
  if (!StartsWith(rest, ".func")) return false;
  rest.remove_prefix(5);
  if (rest.empty()) return false;
  for (char c : rest)
    if (!((c >= '0' && c <= '9') || c == '.')) return false;
  return rest.front() != '.' && rest.back() != '.';
}

// Is `func` a closure of the context package defined in one of `enclosing`?
// Only closures of functions too large to inline are matched this way
// (WithDeadlineCause has a defer; propagateCancel is a method with a
// goroutine), so their "context." names are stable. Small CancelFunc closures
// (WithCancel.func1) may be renamed when inlined and are never needed: any
// caller that is not a timer or propagation closure is an explicit cancel.
bool IsContextClosureOfAny(std::string_view func, std::initializer_list<std::string_view> enclosing) {
  for (auto e : enclosing)
    if (IsContextClosure(func, e)) return true;
  return false;
}

bool IsCancelMethod(std::string_view f) {
  return f == kCancelCtxCancel || f == kTimerCtxCancel || f == kAfterFuncCtxCancel ||
         StartsWith(f, "context.(*afterFuncCtx).cancel.");
}

}  // namespace

}  // namespace cancelflow::analysis

namespace cancelflow {

std::string_view CancelKindName(CancelKind k) {
  switch (k) {
    case CancelKind::kExplicit: return "explicit";
    case CancelKind::kDeadline: return "deadline";
    case CancelKind::kParent: return "parent";
    case CancelKind::kAfterFunc: return "afterfunc";
  }
  return "explicit";
}

}  // namespace cancelflow

namespace cancelflow::analysis {

bool IsContextClosure(std::string_view func, std::string_view enclosing) {
  // "context." + enclosing + ".funcN"
  if (!StartsWith(func, "context.")) return false;
  func.remove_prefix(8);
  if (!StartsWith(func, enclosing)) return false;
  return IsClosureSuffix(func.substr(enclosing.size()));
}

std::string_view PackagePath(std::string_view f) {
  f = f.substr(0, f.find('['));  // type arguments may hold other paths
  const size_t slash = f.rfind('/');
  const size_t dot = f.find('.', slash == std::string_view::npos ? 0 : slash);
  return dot == std::string_view::npos ? std::string_view() : f.substr(0, dot);
}

namespace {

bool IsTestName(std::string_view name, std::string_view prefix) {
  // go test's rule (isTest): the prefix, then end or a non-lowercase rune.
  if (name.substr(0, prefix.size()) != prefix) return false;
  return name.size() == prefix.size() || !(name[prefix.size()] >= 'a' && name[prefix.size()] <= 'z');
}

}  // namespace

TestFunc ParseTestFunc(std::string_view func) {
  std::string_view pkg = PackagePath(func);
  if (pkg.empty()) return {};
  const std::string_view rest = func.substr(pkg.size() + 1);
  const std::string_view name = rest.substr(0, rest.find('.'));
  if (!IsTestName(name, "Test") && !IsTestName(name, "Fuzz")) return {};
  if (pkg.size() > 5 && pkg.substr(pkg.size() - 5) == "_test") pkg.remove_suffix(5);
  return {std::string(pkg), std::string(name)};
}

bool IsStdFunction(std::string_view f) {
  const std::string_view path = PackagePath(f);
  const std::string_view top = path.substr(0, path.find('/'));
  // The standard library's top-level import path elements (go list std).
  static constexpr std::string_view kStd[] = {
      "archive", "bufio",    "builtin", "bytes",  "cmp",     "compress", "container", "context", "crypto",
      "database", "debug",   "embed",   "encoding", "errors", "expvar",  "flag",      "fmt",     "go",
      "hash",    "html",     "image",   "index",  "internal", "io",      "iter",      "log",     "maps",
      "math",    "mime",     "net",     "os",     "path",    "plugin",   "reflect",   "regexp",  "runtime",
      "slices",  "sort",     "strconv", "strings", "structs", "sync",    "syscall",   "testing", "text",
      "time",    "unicode",  "unique",  "unsafe", "vendor",  "weak"};
  return std::find(std::begin(kStd), std::end(kStd), top) != std::end(kStd);
}

namespace {

// cancelflow's own Go packages, and whether the goroutines they start are
// instrumentation (ctxtracetest and the scenario harness run tests and
// scenarios: plumbing, but not the module's own bookkeeping).
struct OwnPackage {
  std::string_view prefix;
  bool instrumentation_goroutines;
};
constexpr OwnPackage kOwnPackages[] = {
    {"github.com/cancelflow/cancelflow/go/ctxtrace.", true},
    {"github.com/cancelflow/cancelflow/go/ctxtracetest.", false},
    {"github.com/cancelflow/cancelflow/go/flightrec.", true},
    {"github.com/cancelflow/cancelflow/go/scenarios/internal/", false},
};
// ctxtrace.Go's closure runs the user's function.
constexpr std::string_view kCtxtraceGo = "github.com/cancelflow/cancelflow/go/ctxtrace.Go.";

}  // namespace

bool IsCancelflowOwn(std::string_view f) {
  for (const OwnPackage& p : kOwnPackages)
    if (StartsWith(f, p.prefix)) return true;
  return false;
}

bool IsCtxtraceGoGoroutine(std::string_view start) { return StartsWith(start, kCtxtraceGo); }

bool IsInstrumentationGoroutine(std::string_view start) {
  if (IsCtxtraceGoGoroutine(start)) return false;
  for (const OwnPackage& p : kOwnPackages)
    if (p.instrumentation_goroutines && StartsWith(start, p.prefix)) return true;
  return false;
}

bool IsRuntimeGoroutine(std::string_view start) { return StartsWith(start, "runtime.") || StartsWith(start, "runtime/"); }

bool IsMainGoroutine(std::string_view start) { return start == "main.main"; }

bool IsTestRunner(std::string_view f) { return f == "testing.tRunner"; }

int TestFunctionFrame(std::span<const std::string_view> funcs) {
  for (size_t i = 1; i < funcs.size(); ++i)
    if (IsTestRunner(funcs[i])) return static_cast<int>(i - 1);
  return -1;
}

bool IsTestMainTraceStart(std::span<const std::string_view> funcs) {
  return std::find(funcs.begin(), funcs.end(), "testing.(*M).before") != funcs.end();
}

bool IsFlightRecorderTraceStart(std::span<const std::string_view> funcs) {
  for (std::string_view f : funcs)
    if (f.ends_with("(*FlightRecorder).Start")) return true;
  return false;
}

bool IsDeadlineTimerStart(std::string_view f) {
  return IsContextClosure(f, "WithDeadlineCause") || IsContextClosure(f, "WithDeadline");
}

bool InContextPackage(std::span<const std::string_view> funcs) {
  for (std::string_view f : funcs)
    if (StartsWith(f, "context.")) return true;
  return false;
}

bool IsPlumbingGoroutine(std::string_view start) {
  for (std::string_view p : {"runtime.", "runtime/", "context.", "internal/", "sync.", "time.", "net.", "net/", "os.",
                             "os/", "testing."}) {
    if (StartsWith(start, p)) return true;
  }
  return IsCancelflowOwn(start);
}

bool IsNetGoroutine(std::string_view start) { return StartsWith(start, "net.") || StartsWith(start, "net/"); }

bool IsAcceptWait(std::span<const std::string_view> funcs) {
  for (std::string_view f : funcs) {
    if (f == "net.(*netFD).accept" || f == "net.(*TCPListener).Accept" || f == "net.(*UnixListener).Accept" ||
        f == "net.(*TCPListener).accept" || f == "net.(*UnixListener).accept") {
      return true;
    }
  }
  return false;
}

bool IsRuntimeOrStdFrame(std::string_view f) { return IsStdFunction(f) || IsCancelflowOwn(f); }

bool IsUserFrame(std::string_view f, std::span<const std::string> user_packages) {
  for (const std::string& p : user_packages)
    if (StartsWith(f, p)) return true;
  return !IsRuntimeOrStdFrame(f);
}

bool IsPropagateCancelGoroutine(std::string_view f) {
  return IsContextClosure(f, "(*cancelCtx).propagateCancel") || IsContextClosure(f, "propagateCancel");
}

bool IsChannelReceive(std::span<const std::string_view> funcs) {
  for (auto f : funcs) {
    if (f == "runtime.chanrecv1" || f == "runtime.chanrecv2") return true;
    if (!StartsWith(f, "runtime.")) return false;
  }
  return false;
}

CancelStack ClassifyCancelStack(std::span<const std::string_view> funcs) {
  CancelStack out;
  const int n = static_cast<int>(funcs.size());
  // 1. The cancel chain: from the leaf, skip runtime frames (a GoCreate from
  //    afterFuncCtx.cancel has sync.Once frames in between), then count the
  //    nested cancel methods.
  int i = 0;
  int cancel_ctx_frames = 0;
  bool saw_afterfunc = false;
  bool in_chain = false;
  for (; i < n; ++i) {
    const std::string_view f = funcs[static_cast<size_t>(i)];
    if (IsCancelMethod(f)) {
      in_chain = true;
      if (f == kCancelCtxCancel) ++cancel_ctx_frames;
      if (StartsWith(f, kAfterFuncCtxCancel)) saw_afterfunc = true;
      continue;
    }
    if (!in_chain && (StartsWith(f, "runtime.") || StartsWith(f, "sync."))) continue;
    if (in_chain && StartsWith(f, "sync.(*Once)")) continue;  // once.Do inside afterFuncCtx.cancel
    break;
  }
  if (!in_chain) return out;
  out.is_cancel = true;
  out.depth = cancel_ctx_frames > 0 ? cancel_ctx_frames - 1 : 0;
  out.via_afterfunc = saw_afterfunc;
  // 2. What called the outermost cancel method.
  out.caller_frame = i < n ? i : -1;
  const std::string_view caller = i < n ? funcs[static_cast<size_t>(i)] : std::string_view();
  const bool bottom = i == n - 1;  // the caller is the goroutine's entry function
  if (IsContextClosureOfAny(caller, {"WithDeadlineCause", "WithDeadline", "WithTimeout", "WithTimeoutCause"}) &&
      bottom) {
    out.kind = CancelKind::kDeadline;
  } else if (IsContextClosure(caller, "(*cancelCtx).propagateCancel") || IsContextClosure(caller, "propagateCancel")) {
    out.kind = CancelKind::kParent;
  } else {
    out.kind = CancelKind::kExplicit;
  }
  // 3. First user frame below the chain.
  for (int k = i; k < n; ++k) {
    if (!IsRuntimeOrStdFrame(funcs[static_cast<size_t>(k)])) {
      out.user_frame = k;
      break;
    }
  }
  return out;
}

}  // namespace cancelflow::analysis
