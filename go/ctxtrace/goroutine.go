package ctxtrace

import (
	"context"
	"runtime"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cancelflow/cancelflow/go/internal/record"
)

// DefaultGrace is how long a goroutine bound with Go or Bind may keep running
// after its context is done before it is recorded as overdue ("go_overdue"),
// while tracing and no watchdog is installed.
const DefaultGrace = 100 * time.Millisecond

// Overdue describes a goroutine bound with Go or Bind that was still running
// Grace after its context was done.
type Overdue struct {
	Name    string        // the name given to Go or Bind
	GoID    int64         // goroutine id
	Ctx     uint64        // id of the context's instrumentation record, 0 if not instrumented
	Test    string        // test the context belongs to (see ctxtracetest), if any
	Func    string        // function that called Go or Bind
	File    string        // and its file
	Line    int           // and line
	Grace   time.Duration // the grace period that was exceeded
	Elapsed time.Duration // time since the context was done
}

type watchdog struct {
	grace time.Duration
	hook  func(Overdue)
}

var wd atomic.Pointer[watchdog]

// SetWatchdog installs hook to be called, from its own goroutine, for every
// goroutine bound with Go or Bind that is still running grace after its
// context is done. While a watchdog is installed, goroutines are tracked even
// when no trace is active. A nil hook with a positive grace only changes the
// grace used for "go_overdue" records. It returns a function restoring the
// previous watchdog. Package flightrec uses it to snapshot the trace.
func SetWatchdog(grace time.Duration, hook func(Overdue)) (restore func()) {
	var w *watchdog
	if grace > 0 {
		w = &watchdog{grace: grace, hook: hook}
	}
	old := wd.Swap(w)
	return func() { wd.Store(old) }
}

// Go starts fn(ctx) in a new goroutine bound to ctx: while tracing, the
// goroutine's start ("go"), its return ("go_exit", with whether ctx was done)
// and an overdue exit ("go_overdue") are recorded. Without tracing and
// without a watchdog it is just go fn(ctx).
//
// The goroutine's start function in the trace is a closure of this package;
// the "go" record names the function that called Go.
func Go(ctx context.Context, name string, fn func(ctx context.Context)) {
	if !trace.IsEnabled() && wd.Load() == nil {
		go fn(ctx)
		return
	}
	s := callerSite(1)
	go func() {
		b := bind(ctx, name, s)
		ok := false
		defer func() { b.exit(!ok) }()
		fn(ctx)
		ok = true
	}()
}

func nop() {}

// Bind binds the calling goroutine to ctx, like Go does for the goroutines it
// starts, and returns the function to call when the goroutine returns:
//
//	go func() {
//		defer ctxtrace.Bind(ctx, "worker")()
//		...
//	}()
//
// Use it when the goroutine must keep its own start function in the trace.
func Bind(ctx context.Context, name string) (done func()) {
	if !trace.IsEnabled() && wd.Load() == nil {
		return nop
	}
	b := bind(ctx, name, callerSite(1))
	return func() { b.exit(false) }
}

// binding is one goroutine bound to a context.
type binding struct {
	gid    int64
	ctxID  uint64
	test   string
	name   string
	ctx    context.Context
	s      site
	exited atomic.Bool
	doneAt atomic.Int64 // nanoseconds since epoch when ctx was seen done, 0 if not yet
	stop   func() bool
}

var (
	epoch = time.Now()
	// bound holds running bindings (*binding → struct{}).
	bound sync.Map
)

func now() int64 { return int64(time.Since(epoch)) + 1 }

func bind(ctx context.Context, name string, s site) *binding {
	b := &binding{gid: goid(), name: name, ctx: ctx, s: s}
	if n, ok := ctx.Value(nodeKey{}).(*node); ok && n.done == ctx.Done() {
		b.ctxID, b.test = n.id, n.test
	}
	if trace.IsEnabled() {
		var r record.Builder
		r.Start(record.Go).Int(b.gid).Int(int64(b.ctxID)).String(name).Bool(ctx.Err() != nil)
		s.append(&r)
		emit(ctx, &r)
	}
	bound.Store(b, struct{}{})
	if ctx.Done() != nil {
		b.stop = context.AfterFunc(ctx, b.ctxDone)
	}
	return b
}

// ctxDone runs when the bound context is done; it arms the overdue check.
func (b *binding) ctxDone() {
	b.doneAt.Store(now())
	grace := DefaultGrace
	if w := wd.Load(); w != nil {
		grace = w.grace
	}
	if b.exited.Load() {
		return
	}
	time.AfterFunc(grace, func() { b.check(grace) })
}

func (b *binding) check(grace time.Duration) {
	if b.exited.Load() {
		return
	}
	elapsed := time.Duration(now() - b.doneAt.Load())
	if trace.IsEnabled() {
		var r record.Builder
		r.Start(record.GoOverdue).Int(b.gid).Int(int64(b.ctxID)).String(b.name).Int(int64(elapsed)).Int(int64(grace))
		emit(b.ctx, &r)
	}
	if w := wd.Load(); w != nil && w.hook != nil {
		w.hook(Overdue{Name: b.name, GoID: b.gid, Ctx: b.ctxID, Test: b.test, Func: b.s.fn, File: b.s.file,
			Line: b.s.line, Grace: grace, Elapsed: elapsed})
	}
}

// exit ends a binding. The binding leaves bound only after its go_exit
// record is written, so a binding absent from bound has nothing left to write
// (the package tests wait on that instead of sleeping).
func (b *binding) exit(panicked bool) {
	b.exited.Store(true)
	if b.stop != nil {
		b.stop()
	}
	defer bound.Delete(b)
	if trace.IsEnabled() {
		after := int64(-1)
		if d := b.doneAt.Load(); d != 0 {
			after = now() - d
		}
		var r record.Builder
		r.Start(record.GoExit).Int(b.gid).Int(int64(b.ctxID)).String(b.name).Bool(b.ctx.Err() != nil).
			Int(after).Bool(panicked)
		emit(b.ctx, &r)
	}
}

// Flush writes, into the active trace, a "leak" record for every
// instrumented context whose CancelFunc has not been called (each context is
// reported once), a "go_live" record for every goroutine bound with Go or
// Bind that is still running, and a final "flush" record. runtime/trace has
// no hook for trace stop, so call Flush just before trace.Stop (package
// ctxtracetest does). It does nothing while tracing is off.
func Flush() {
	if !trace.IsEnabled() {
		return
	}
	nctx, ngo := report("", "flush")
	var b record.Builder
	b.Start(record.Flush).Enum("flush").Int(int64(nctx)).Int(int64(ngo)).String(runtime.Version())
	emit(context.Background(), &b)
}

// report writes leak and go_live records for everything belonging to test
// (everything if test is ""), and returns how many it found.
func report(test, reason string) (nctx, ngo int) {
	live.Range(func(_, v any) bool {
		n := v.(*node)
		if test == "" || n.test == test {
			nctx++
			n.reportLeak(reason)
		}
		return true
	})
	bound.Range(func(k, _ any) bool {
		b := k.(*binding)
		if test == "" || b.test == test {
			ngo++
			var r record.Builder
			r.Start(record.GoLive).Int(b.gid).Int(int64(b.ctxID)).String(b.name).Bool(b.ctx.Err() != nil).Enum(reason)
			emit(b.ctx, &r)
		}
		return true
	})
	return nctx, ngo
}

// StartTest binds a test's context (testing.T.Context) under the full test
// name: it opens a trace task named after the test, records a context of
// kind "test" and a "test_start" record, and returns the context to use in
// the test. The returned end function, called with the result ("pass",
// "fail" or "skip") when the test is over, reports contexts of the test
// whose CancelFunc was never called and goroutines of the test still running
// (reason "test_end"), writes "test_end" and ends the task.
// Package ctxtracetest calls it; use that package in tests.
func StartTest(ctx context.Context, name string) (context.Context, func(result string)) {
	if !trace.IsEnabled() {
		return ctx, func(string) {}
	}
	start := time.Now()
	n, task := begin(context.Background(), ctx, kindTest, name, time.Time{}, 0, callerSite(2))
	context.AfterFunc(ctx, func() { n.finish(nil, nil) })
	var b record.Builder
	b.Start(record.TestStart).String(name).Int(int64(n.id)).Int(goid())
	emit(n.ctx, &b)
	return n.ctx, func(result string) {
		defer task.End()
		if !trace.IsEnabled() {
			return
		}
		report(name, "test_end")
		var b record.Builder
		b.Start(record.TestEnd).String(name).Enum(result).Int(int64(time.Since(start)))
		emit(n.ctx, &b)
	}
}
