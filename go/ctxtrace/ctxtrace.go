// Package ctxtrace is a drop-in replacement for the constructors of package
// context that records, into a runtime/trace execution trace, how contexts
// are created, canceled, expire and propagate, and which goroutines are bound
// to them. cancelflow reads these records next to the trace's own scheduling
// events.
//
// Every function has the signature of its context counterpart and returns the
// context package's own values, so cancellation semantics are those of the
// standard library: errors.Is(ctx.Err(), context.Canceled), context.Cause and
// Deadline all behave identically.
//
// While no trace is active (trace.IsEnabled reports false) each wrapper checks
// one atomic flag and calls the context function directly: no allocation, no
// runtime.Caller. While a trace is active (trace.Start, go test -trace, or a
// trace.FlightRecorder) each instrumented context gets its own trace task
// (type "cancelflow/v1/ctx"), so the trace's task tree mirrors the context
// tree, and records are written as trace.Log events with category
// "cancelflow/v1/<record>". The schema is documented in docs/records.md.
//
// A CancelFunc that becomes unreachable without having been called is reported
// (record "leak", reason "unreachable") through runtime.AddCleanup; contexts
// whose CancelFunc is still uncalled when the trace ends are only reported if
// the program calls Flush before stopping the trace, because runtime/trace has
// no stop hook. Package ctxtracetest does this for tests.
//
// Records of contexts created while tracing is off are never written; a
// context created before the trace started is seen as a "foreign" parent.
//
// Instrumenting a context costs, while tracing, a task, a log event and one
// context.AfterFunc registration (which runs a short goroutine, whose start
// function is in this package, when the context is done). Analyzers should
// not count those goroutines as user goroutines.
package ctxtrace

import (
	"context"
	"runtime/trace"
	"time"
)

// Each wrapper checks trace.IsEnabled (one atomic load) and otherwise
// tail-calls the context function; the traced variants are out of line so
// the fast path stays a small frame. They find the user's call site two
// frames up (callerSite(2)); inlining does not change that, runtime.Callers
// counts inlined frames.

// WithCancel is context.WithCancel, instrumented.
func WithCancel(parent context.Context) (context.Context, context.CancelFunc) {
	if trace.IsEnabled() {
		return withCancel(parent)
	}
	return context.WithCancel(parent)
}

func withCancel(parent context.Context) (context.Context, context.CancelFunc) {
	s := callerSite(2)
	ctx, cancel := context.WithCancel(injectParent(parent, s))
	c := instrument(parent, ctx, kindCancel, time.Time{}, 0, s)
	c.cancel = cancel
	return c.n.ctx, func() { c.do(nil, false, callerSite(1)) }
}

// WithCancelCause is context.WithCancelCause, instrumented.
func WithCancelCause(parent context.Context) (context.Context, context.CancelCauseFunc) {
	if trace.IsEnabled() {
		return withCancelCause(parent)
	}
	return context.WithCancelCause(parent)
}

func withCancelCause(parent context.Context) (context.Context, context.CancelCauseFunc) {
	s := callerSite(2)
	ctx, cancel := context.WithCancelCause(injectParent(parent, s))
	c := instrument(parent, ctx, kindCancelCause, time.Time{}, 0, s)
	c.cancelCause = cancel
	return c.n.ctx, func(cause error) { c.do(cause, true, callerSite(1)) }
}

// WithTimeout is context.WithTimeout, instrumented.
func WithTimeout(parent context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if trace.IsEnabled() {
		return withDeadline(parent, time.Now().Add(timeout), nil, kindTimeout, timeout)
	}
	return context.WithTimeout(parent, timeout)
}

// WithTimeoutCause is context.WithTimeoutCause, instrumented.
func WithTimeoutCause(parent context.Context, timeout time.Duration, cause error) (context.Context, context.CancelFunc) {
	if trace.IsEnabled() {
		return withDeadline(parent, time.Now().Add(timeout), cause, kindTimeout, timeout)
	}
	return context.WithTimeoutCause(parent, timeout, cause)
}

// WithDeadline is context.WithDeadline, instrumented.
func WithDeadline(parent context.Context, d time.Time) (context.Context, context.CancelFunc) {
	if trace.IsEnabled() {
		return withDeadline(parent, d, nil, kindDeadline, time.Until(d))
	}
	return context.WithDeadline(parent, d)
}

// WithDeadlineCause is context.WithDeadlineCause, instrumented.
func WithDeadlineCause(parent context.Context, d time.Time, cause error) (context.Context, context.CancelFunc) {
	if trace.IsEnabled() {
		return withDeadline(parent, d, cause, kindDeadline, time.Until(d))
	}
	return context.WithDeadlineCause(parent, d, cause)
}

func withDeadline(parent context.Context, d time.Time, cause error, k kind, timeout time.Duration) (context.Context, context.CancelFunc) {
	s := callerSite(2)
	ctx, cancel := context.WithDeadlineCause(injectParent(parent, s), d, cause)
	c := instrument(parent, ctx, k, d, timeout, s)
	c.cancel = cancel
	return c.n.ctx, func() { c.do(nil, false, callerSite(1)) }
}

// WithoutCancel is context.WithoutCancel, instrumented: the new context is
// recorded as detached from parent (kind "withoutcancel").
func WithoutCancel(parent context.Context) context.Context {
	if trace.IsEnabled() {
		return instrumentDetached(parent, context.WithoutCancel(parent), callerSite(1))
	}
	return context.WithoutCancel(parent)
}

// AfterFunc is context.AfterFunc, instrumented: the registration is recorded
// as a context of kind "afterfunc" whose parent is ctx, and the run of f
// (record "afterfunc_run") and calls of stop ("afterfunc_stop") are recorded.
func AfterFunc(ctx context.Context, f func()) (stop func() bool) {
	if trace.IsEnabled() {
		return afterFunc(ctx, f, callerSite(1))
	}
	return context.AfterFunc(ctx, f)
}
