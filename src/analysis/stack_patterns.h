// Stack patterns: how context cancellation shows up in trace stacks.
//
// Pure functions over a stack given as function names, leaf first (the order
// of the trace). They recognise the runtime shapes documented in
// docs/cancellation-in-traces.md and are the only place that knows the names
// of the context package's internals.
//
// RULES
// - Anchor on method frames, which the compiler never renames or inlines away:
//   context.(*cancelCtx).cancel, context.(*timerCtx).cancel,
//   context.(*afterFuncCtx).cancel.
// - Match closures by pattern (`context.WithDeadlineCause.func<N>`), never by
//   number or line: numbering moved between Go releases and inlining renames
//   closures (`main.f.WithCancel.func1`).
// - A deadline expiry is the timer goroutine: its stack *ends* (no caller
//   below) in a context.WithDeadline* closure. An explicit cancel of the same
//   context has the caller's frames below that closure.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "cancelflow/analysis.h"

namespace cancelflow::analysis {

// CancelKind (cancelflow/analysis.h):
//   kExplicit   a CancelFunc / CancelCauseFunc call
//   kDeadline   the timer of WithDeadline/WithTimeout fired
//   kParent     propagated from a parent by the propagateCancel goroutine or AfterFunc hook
//   kAfterFunc  an AfterFunc callback started because its context was canceled
// How a cancellation reaches a goroutine: ClassifyCancelStack gives the *root*
// kind (explicit, deadline or parent) of the cancel call a stack belongs to;
// `via_afterfunc` says the stack is inside an afterFuncCtx's cancel, i.e. the
// event (a GoCreate) starts an AfterFunc callback. The analysis reports each
// such start as its own cancellation of kind kAfterFunc.

struct CancelStack {
  bool is_cancel = false;  // the stack is inside a context cancel
  CancelKind kind = CancelKind::kExplicit;
  // Contexts between the canceled root and the context the woken goroutine
  // waited on: 0 = the root itself, 1 = a child, ... (from the number of
  // nested (*cancelCtx).cancel frames).
  int depth = 0;
  bool via_afterfunc = false;
  // Index of the first frame below the context internals: the code that
  // called cancel (or -1 when the stack has none, e.g. the timer goroutine).
  int caller_frame = -1;
  // Index of the first "user" frame (not runtime, context, sync, internal,
  // testing internals), or -1.
  int user_frame = -1;
};

// Classifies the stack of a GoUnblock (the unblocker's stack) or of a
// GoCreate (the creator's stack).
CancelStack ClassifyCancelStack(std::span<const std::string_view> funcs);

// The package path of a function name: up to the first '.' after the last
// '/' ("example.com/m/pkg.(*T).M.func1" -> "example.com/m/pkg"; type
// arguments are cut off first); "" when there is none.
std::string_view PackagePath(std::string_view func);

// "example.com/m/pkg.TestX.func1" -> {"example.com/m/pkg", "TestX"}: a test
// (or fuzz) function or one of its closures, by go test's naming rule; the
// package of an external test package (pkg_test) is pkg's. Empty otherwise.
struct TestFunc {
  std::string import_path;
  std::string test;
};
TestFunc ParseTestFunc(std::string_view func);

// True for a function of the standard library: its package path's first
// element is one of the standard library's top-level names (runtime, context,
// sync, syscall, io, fmt, net, os, internal, ...). A module path's first
// element has a dot, so "go.opentelemetry.io/otel.F" is not one; a module
// named like a standard package ("context/x") would be taken for one.
bool IsStdFunction(std::string_view func);

// True for functions that are not the user's code: the Go runtime, the
// standard library (IsStdFunction) and cancelflow's own instrumentation. The
// first frame that is not one of these is a stack's "user frame"
// (docs/findings.md; go/scenarios' reference checker uses the same definition).
bool IsRuntimeOrStdFrame(std::string_view func);
// A user frame: not IsRuntimeOrStdFrame, or in one of `user_packages`
// (prefixes such as "net/http.": AnalysisOptions::user_packages and the
// packages under test, Analysis::user_packages).
bool IsUserFrame(std::string_view func, std::span<const std::string> user_packages);

// ---- cancelflow's own Go packages: the one list ----------------------------

// True for a function of cancelflow's own Go packages (ctxtrace,
// ctxtracetest, flightrec, the scenario harness): never user code.
bool IsCancelflowOwn(std::string_view func);
// Goroutines cancelflow's Go module starts for itself (the AfterFunc and
// watchdog goroutines of ctxtrace, the flight recorder's): instrumentation,
// never findings. The goroutines ctxtrace.Go starts run the user's function
// and are not (IsCtxtraceGoGoroutine).
bool IsInstrumentationGoroutine(std::string_view start_func);
// A goroutine ctxtrace.Go started (ctxtrace.Go.funcN): user work, named by
// the name the program gave it.
bool IsCtxtraceGoGoroutine(std::string_view start_func);

// ---- Go's runtime, main and testing ----------------------------------------

// Goroutines of the runtime itself (runtime.*, runtime/trace.*, ...).
bool IsRuntimeGoroutine(std::string_view start_func);
// The main goroutine's outermost frame (main.main).
bool IsMainGoroutine(std::string_view start_func);
// testing.tRunner: the entry function of a test's (or subtest's) goroutine.
bool IsTestRunner(std::string_view func);
// The frame testing.tRunner called (the test function or, for a subtest, a
// closure of it), -1 when the stack has no tRunner frame above a caller.
int TestFunctionFrame(std::span<const std::string_view> funcs);
// Who started tracing, from the stack of the "start trace" stop-the-world:
// go test -trace (testing.(*M).before) or a flight recorder.
bool IsTestMainTraceStart(std::span<const std::string_view> funcs);
bool IsFlightRecorderTraceStart(std::span<const std::string_view> funcs);
// The start function of a context deadline timer (context.WithDeadline*.funcN).
bool IsDeadlineTimerStart(std::string_view start_func);
// Some frame of the stack is in package context.
bool InContextPackage(std::span<const std::string_view> funcs);

// True for goroutines started by the runtime or by the standard packages that
// do blocking and cancellation plumbing (runtime, context, sync, time, net,
// os, internal/..., testing) or by cancelflow's instrumentation: not the
// user's work, so no goroutine rule judges them. Other standard packages'
// goroutines are (a database/sql connection opener left running is a leak,
// as goleak says), although their frames are never user frames.
bool IsPlumbingGoroutine(std::string_view start);

// Goroutines of the network packages (start function in `net` or `net/...`):
// servers and clients a program opened (httptest's goServe,
// net/http.(*conn).serve, (*persistConn).readLoop/writeLoop, ...). Plumbing
// in windows and snapshots, where an open server is normal life; in a test's
// trace goleak judges them like any other goroutine (docs/findings.md).
bool IsNetGoroutine(std::string_view start);
// A block stack (leaf first) waiting in a listener's Accept
// (net.(*TCPListener).Accept, net.(*UnixListener).Accept, (*netFD).accept):
// a server nobody closed, not a read without a deadline.
bool IsAcceptWait(std::span<const std::string_view> funcs);

// The start function of the goroutine context.propagateCancel starts when a
// parent is a Context type the package does not know (a "foreign" parent):
// context.(*cancelCtx).propagateCancel.funcN (Go 1.21+) or
// context.propagateCancel.funcN (Go <= 1.20). Alive at trace end => the
// child context was never canceled (its CancelFunc was not called).
bool IsPropagateCancelGoroutine(std::string_view start_func);

// The start function of a deadline timer goroutine (context.WithDeadline*.funcN).
bool IsContextClosure(std::string_view func, std::string_view enclosing);

// True when a block stack (leaf first, runtime frames included) is a plain
// channel receive: `<-ch` (runtime.chanrecv1/2). With block reason
// "forever" this is a receive on a nil channel — e.g. ctx.Done() of a
// context that can never be canceled (Background, TODO, WithoutCancel).
bool IsChannelReceive(std::span<const std::string_view> funcs);

}  // namespace cancelflow::analysis
