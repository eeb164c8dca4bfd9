package ctxtrace

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/trace"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cancelflow/cancelflow/go/internal/record"
)

type kind string

// Context kinds, as written in the "kind" field of the ctx record.
const (
	kindCancel        kind = "cancel"
	kindCancelCause   kind = "cancelcause"
	kindTimeout       kind = "timeout"
	kindDeadline      kind = "deadline"
	kindWithoutCancel kind = "withoutcancel"
	kindAfterFunc     kind = "afterfunc"
	kindTest          kind = "test"
)

// nodeKey is the context value key under which an instrumented context
// stores its *node.
type nodeKey struct{}

// node is the instrumentation state of one context. It must never point to
// the canceler that owns the context's CancelFunc: the canceler's
// reachability is what the leak cleanup observes.
type node struct {
	id   uint64
	kind kind
	test string          // name of the test the context belongs to, if any
	done <-chan struct{} // Done() of the std context, to recognise it as a parent
	ctx  context.Context // the returned (instrumented) context, carries the task

	called   atomic.Bool // the CancelFunc was called
	byCancel atomic.Bool // the CancelFunc was called while the context was not done
	reported atomic.Bool // a leak record was written
	finished atomic.Bool // finish returned: the done record, if any, is written
}

var (
	lastID atomic.Uint64
	// live holds nodes whose CancelFunc has not been called yet (id → *node).
	live sync.Map
)

func newID() uint64 { return lastID.Add(1) }

// canceler owns the std CancelFunc; the function returned to the user is a
// closure over it, so the canceler becomes unreachable exactly when the
// user's CancelFunc does.
type canceler struct {
	n           *node
	cancel      context.CancelFunc
	cancelCause context.CancelCauseFunc
	cleanup     runtime.Cleanup
}

// parentInfo describes how a new context hangs below its parent.
type parentInfo struct {
	parent   uint64 // id of the instrumented parent, 0 if none
	ancestor uint64 // id of the nearest instrumented ancestor, 0 if none
	kind     string // parent_kind field
	typ      string // parent_type field (foreign and uncancelable parents only)
	test     string
}

// resolve classifies parent.
func resolve(parent context.Context) parentInfo {
	var pi parentInfo
	pd := parent.Done()
	if n, ok := parent.Value(nodeKey{}).(*node); ok {
		pi.ancestor, pi.test = n.id, n.test
		if n.done == pd {
			pi.parent, pi.kind = n.id, "ctx"
			return pi
		}
	}
	switch {
	case parent == context.Background():
		pi.kind = "background"
	case parent == context.TODO():
		pi.kind = "todo"
	case pd != nil:
		pi.kind, pi.typ = "foreign", fmt.Sprintf("%T", parent)
	default:
		// Uncancelable but not Background/TODO itself: WithValue chains,
		// std WithoutCancel, or a user type. The std types name their
		// ancestry in String.
		s := ""
		if str, ok := parent.(fmt.Stringer); ok {
			s = str.String()
		}
		switch {
		case strings.Contains(s, ".WithoutCancel"):
			pi.kind = "detached"
		case strings.HasPrefix(s, "context.Background"):
			pi.kind = "background"
		case strings.HasPrefix(s, "context.TODO"):
			pi.kind = "todo"
		default:
			pi.kind, pi.typ = "uncancelable", fmt.Sprintf("%T", parent)
		}
	}
	return pi
}

// begin creates the node, its task and writes the ctx record. taskType is
// the task's type; ctx is the std context being instrumented.
func begin(parent, ctx context.Context, k kind, taskType string, d time.Time, timeout time.Duration, s site) (*node, *trace.Task) {
	pi := resolve(parent)
	n := &node{id: newID(), kind: k, test: pi.test, done: ctx.Done()}
	if k == kindTest {
		n.test = taskType
	}
	tctx, task := trace.NewTask(ctx, taskType)
	n.ctx = context.WithValue(tctx, nodeKey{}, n)

	var pd int64
	if t, ok := parent.Deadline(); ok {
		pd = t.UnixNano()
	}
	var dl int64
	if !d.IsZero() {
		dl = d.UnixNano()
	}
	var b record.Builder
	b.Start(record.Ctx).Int(int64(n.id)).Int(int64(pi.parent)).Int(int64(pi.ancestor)).
		Enum(pi.kind).String(pi.typ).Enum(string(k)).Int(dl).Int(int64(timeout)).Int(pd)
	s.append(&b)
	emit(n.ctx, &b)
	return n, task
}

// instrument wraps a cancelable std context.
func instrument(parent, ctx context.Context, k kind, d time.Time, timeout time.Duration, s site) *canceler {
	n, task := begin(parent, ctx, k, record.TaskType, d, timeout, s)
	c := &canceler{n: n}
	live.Store(n.id, n)
	c.cleanup = runtime.AddCleanup(c, unreachable, n)
	context.AfterFunc(ctx, func() { n.finish(parent, task) })
	return c
}

func instrumentDetached(parent, ctx context.Context, s site) context.Context {
	n, _ := begin(parent, ctx, kindWithoutCancel, record.TaskType, time.Time{}, 0, s)
	return n.ctx
}

// do runs a CancelFunc call.
func (c *canceler) do(cause error, withCause bool, s site) {
	n := c.n
	if !n.called.Swap(true) {
		live.Delete(n.id)
		c.cleanup.Stop()
	}
	noop := n.ctx.Err() != nil
	if !noop {
		n.byCancel.Store(true)
	}
	if trace.IsEnabled() {
		var b record.Builder
		b.Start(record.Cancel).Int(int64(n.id)).Bool(noop).String(errString(cause))
		s.append(&b)
		emit(n.ctx, &b)
	}
	if withCause {
		c.cancelCause(cause)
	} else {
		c.cancel()
	}
}

// finish runs (in its own goroutine, via context.AfterFunc) once the context
// is done, and writes the done record.
func (n *node) finish(parent context.Context, task *trace.Task) {
	defer n.finished.Store(true)
	if task != nil {
		defer task.End()
	}
	if !trace.IsEnabled() {
		return
	}
	err := n.ctx.Err()
	by := "external"
	switch {
	case n.byCancel.Load():
		by = "cancel"
	case parent != nil && parent.Err() != nil:
		by = "parent"
	case errors.Is(err, context.DeadlineExceeded):
		by = "deadline"
	}
	var b record.Builder
	b.Start(record.Done).Int(int64(n.id)).Enum(by).String(errString(err)).String(errString(context.Cause(n.ctx)))
	emit(n.ctx, &b)
}

// unreachable is the cleanup of a canceler: its CancelFunc was dropped.
func unreachable(n *node) {
	if n.called.Load() {
		return
	}
	live.Delete(n.id)
	n.reportLeak("unreachable")
}

func (n *node) reportLeak(reason string) {
	if !trace.IsEnabled() || n.reported.Swap(true) {
		return
	}
	var b record.Builder
	b.Start(record.Leak).Int(int64(n.id)).Enum(reason).Bool(n.ctx.Err() != nil).String(n.test)
	emit(n.ctx, &b)
}

func afterFunc(ctx context.Context, f func(), s site) (stop func() bool) {
	n, task := begin(ctx, ctx, kindAfterFunc, record.TaskType, time.Time{}, 0, s)
	var ended atomic.Bool
	end := func() {
		if !ended.Swap(true) {
			task.End()
		}
	}
	stop0 := context.AfterFunc(ctx, func() {
		if trace.IsEnabled() {
			var b record.Builder
			b.Start(record.AfterFuncRun).Int(int64(n.id)).Int(goid())
			emit(n.ctx, &b)
		}
		end()
		f()
	})
	return func() bool {
		stopped := stop0()
		if trace.IsEnabled() {
			var b record.Builder
			b.Start(record.AfterFuncStop).Int(int64(n.id)).Bool(stopped)
			callerSite(1).append(&b)
			emit(n.ctx, &b)
		}
		if stopped {
			end()
		}
		return stopped
	}
}

func emit(ctx context.Context, b *record.Builder) {
	trace.Log(ctx, b.Category(), b.Message())
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// site is a source location of user code.
type site struct {
	fn, file string
	line     int
}

// callerSite returns the site of the caller of its caller's caller when
// skip is 1 (skip 0 is the function calling callerSite).
func callerSite(skip int) site {
	var pcs [1]uintptr
	if runtime.Callers(skip+2, pcs[:]) == 0 {
		return site{}
	}
	fr, _ := runtime.CallersFrames(pcs[:]).Next()
	return site{fr.Function, fr.File, fr.Line}
}

func (s site) append(b *record.Builder) {
	b.String(s.fn).Path(s.file).Int(int64(s.line))
}

// goid returns the current goroutine's id, parsed from the header of
// runtime.Stack ("goroutine 18 [running]:"). It is only called while tracing
// or when a watchdog is installed.
func goid() int64 {
	var buf [64]byte
	s := buf[:runtime.Stack(buf[:], false)]
	const p = "goroutine "
	if len(s) < len(p) || string(s[:len(p)]) != p {
		return -1
	}
	var id int64
	for _, c := range s[len(p):] {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + int64(c-'0')
	}
	return id
}
