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

// WithCancel is context.WithCancel, instrumented.
func WithCancel(parent context.Context) (context.Context, context.CancelFunc) {
	if !trace.IsEnabled() {
		return context.WithCancel(parent)
	}
	ctx, cancel := context.WithCancel(parent)
	s := callerSite(1)
	c := instrument(parent, ctx, kindCancel, time.Time{}, 0, s)
	c.cancel = cancel
	return c.n.ctx, func() { c.do(nil, false, callerSite(1)) }
}

// WithCancelCause is context.WithCancelCause, instrumented.
func WithCancelCause(parent context.Context) (context.Context, context.CancelCauseFunc) {
	if !trace.IsEnabled() {
		return context.WithCancelCause(parent)
	}
	ctx, cancel := context.WithCancelCause(parent)
	s := callerSite(1)
	c := instrument(parent, ctx, kindCancelCause, time.Time{}, 0, s)
	c.cancelCause = cancel
	return c.n.ctx, func(cause error) { c.do(cause, true, callerSite(1)) }
}

// WithTimeout is context.WithTimeout, instrumented.
func WithTimeout(parent context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if !trace.IsEnabled() {
		return context.WithTimeout(parent, timeout)
	}
	d := time.Now().Add(timeout)
	ctx, cancel := context.WithDeadline(parent, d)
	return deadlineCtx(parent, ctx, cancel, kindTimeout, d, timeout, callerSite(1))
}

// WithTimeoutCause is context.WithTimeoutCause, instrumented.
func WithTimeoutCause(parent context.Context, timeout time.Duration, cause error) (context.Context, context.CancelFunc) {
	if !trace.IsEnabled() {
		return context.WithTimeoutCause(parent, timeout, cause)
	}
	d := time.Now().Add(timeout)
	ctx, cancel := context.WithDeadlineCause(parent, d, cause)
	return deadlineCtx(parent, ctx, cancel, kindTimeout, d, timeout, callerSite(1))
}

// WithDeadline is context.WithDeadline, instrumented.
func WithDeadline(parent context.Context, d time.Time) (context.Context, context.CancelFunc) {
	if !trace.IsEnabled() {
		return context.WithDeadline(parent, d)
	}
	ctx, cancel := context.WithDeadline(parent, d)
	return deadlineCtx(parent, ctx, cancel, kindDeadline, d, time.Until(d), callerSite(1))
}

// WithDeadlineCause is context.WithDeadlineCause, instrumented.
func WithDeadlineCause(parent context.Context, d time.Time, cause error) (context.Context, context.CancelFunc) {
	if !trace.IsEnabled() {
		return context.WithDeadlineCause(parent, d, cause)
	}
	ctx, cancel := context.WithDeadlineCause(parent, d, cause)
	return deadlineCtx(parent, ctx, cancel, kindDeadline, d, time.Until(d), callerSite(1))
}

func deadlineCtx(parent, ctx context.Context, cancel context.CancelFunc, k kind, d time.Time, timeout time.Duration, s site) (context.Context, context.CancelFunc) {
	c := instrument(parent, ctx, k, d, timeout, s)
	c.cancel = cancel
	return c.n.ctx, func() { c.do(nil, false, callerSite(1)) }
}

// WithoutCancel is context.WithoutCancel, instrumented: the new context is
// recorded as detached from parent (kind "withoutcancel").
func WithoutCancel(parent context.Context) context.Context {
	if !trace.IsEnabled() {
		return context.WithoutCancel(parent)
	}
	ctx := context.WithoutCancel(parent)
	return instrumentDetached(parent, ctx, callerSite(1))
}

// AfterFunc is context.AfterFunc, instrumented: the registration is recorded
// as a context of kind "afterfunc" whose parent is ctx, and the run of f
// (record "afterfunc_run") and calls of stop ("afterfunc_stop") are recorded.
func AfterFunc(ctx context.Context, f func()) (stop func() bool) {
	if !trace.IsEnabled() {
		return context.AfterFunc(ctx, f)
	}
	return afterFunc(ctx, f, callerSite(1))
}
