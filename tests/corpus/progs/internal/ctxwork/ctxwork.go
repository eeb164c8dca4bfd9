// Package ctxwork runs small context-cancellation scenarios whose trace
// shapes the cancellation analyzer has to recognise. Each scenario uses its
// own named waiter function so the wait site is identifiable in a stack.
package ctxwork

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// settle gives freshly started goroutines time to park before the scenario
// cancels anything, so the trace shows GoBlock ... GoUnblock pairs.
func settle() { time.Sleep(2 * time.Millisecond) }

// RunAll runs every terminating scenario once. When leak is true it also
// starts goroutines that never return (a Background().Done() waiter, a
// WithoutCancel waiter and a leaked propagateCancel goroutine).
func RunAll(leak bool) {
	ExplicitCancel()
	CancelCause()
	DeadlineExpiry()
	TimeoutCanceledEarly()
	ChildChain()
	AfterFuncFires()
	AfterFuncStopped()
	ForeignParent()
	ForeignParentAfterFunc()
	if leak {
		LeakBackground()
		LeakWithoutCancel()
		LeakForeignPropagation()
	}
}

// ExplicitCancel: WithCancel, three goroutines in <-ctx.Done() and one in a
// two-case select, then an explicit cancel().
func ExplicitCancel() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go waitExplicit(ctx, &wg)
	}
	other := make(chan int)
	wg.Add(1)
	go selectExplicit(ctx, other, &wg)
	settle()
	cancel()
	wg.Wait()
}

func waitExplicit(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	<-ctx.Done()
}

func selectExplicit(ctx context.Context, other chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	select {
	case <-ctx.Done():
	case <-other:
	}
}

// CancelCause: WithCancelCause canceled with an error.
func CancelCause() {
	ctx, cancel := context.WithCancelCause(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go waitCause(ctx, &wg)
	settle()
	cancel(errors.New("cancelflow: cause"))
	wg.Wait()
}

func waitCause(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	<-ctx.Done()
}

// DeadlineExpiry: WithTimeout expires while two goroutines wait on it; the
// cancel func is called only afterwards (a no-op then).
func DeadlineExpiry() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go waitDeadline(ctx, &wg)
	}
	wg.Wait()
}

func waitDeadline(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	<-ctx.Done()
}

// TimeoutCanceledEarly: WithTimeout whose cancel func runs before expiry.
func TimeoutCanceledEarly() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	var wg sync.WaitGroup
	wg.Add(1)
	go waitTimeoutEarly(ctx, &wg)
	settle()
	cancel()
	wg.Wait()
}

func waitTimeoutEarly(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	<-ctx.Done()
}

// ChildChain: root -> c2 -> c3 (depth 3), one waiter per level, cancel root.
func ChildChain() {
	c1, cancel1 := context.WithCancel(context.Background())
	c2, cancel2 := context.WithCancel(c1)
	defer cancel2()
	c3, cancel3 := context.WithCancel(c2)
	defer cancel3()
	var wg sync.WaitGroup
	wg.Add(3)
	go waitChainDepth1(c1, &wg)
	go waitChainDepth2(c2, &wg)
	go waitChainDepth3(c3, &wg)
	settle()
	cancel1()
	wg.Wait()
}

func waitChainDepth1(ctx context.Context, wg *sync.WaitGroup) { defer wg.Done(); <-ctx.Done() }
func waitChainDepth2(ctx context.Context, wg *sync.WaitGroup) { defer wg.Done(); <-ctx.Done() }
func waitChainDepth3(ctx context.Context, wg *sync.WaitGroup) { defer wg.Done(); <-ctx.Done() }

// AfterFuncFires: context.AfterFunc callback runs (in a new goroutine) on cancel.
func AfterFuncFires() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	context.AfterFunc(ctx, func() { close(done) })
	settle()
	cancel()
	<-done
}

// AfterFuncStopped: the AfterFunc registration is stopped before cancel.
func AfterFuncStopped() {
	ctx, cancel := context.WithCancel(context.Background())
	stop := context.AfterFunc(ctx, func() { panic("cancelflow: stopped AfterFunc ran") })
	stop()
	cancel()
}

// foreignCtx is a Context that is not one of package context's types, so
// deriving from it makes propagateCancel start a watcher goroutine.
type foreignCtx struct {
	done   chan struct{}
	closed atomic.Bool
}

func newForeign() *foreignCtx { return &foreignCtx{done: make(chan struct{})} }

func (f *foreignCtx) Deadline() (time.Time, bool) { return time.Time{}, false }
func (f *foreignCtx) Done() <-chan struct{}       { return f.done }
func (f *foreignCtx) Value(any) any               { return nil }
func (f *foreignCtx) Err() error {
	if f.closed.Load() {
		return context.Canceled
	}
	return nil
}
func (f *foreignCtx) cancel() {
	f.closed.Store(true)
	close(f.done)
}

// foreignAfterFuncCtx additionally implements AfterFunc, which makes
// propagateCancel register a callback instead of starting a goroutine.
type foreignAfterFuncCtx struct{ *foreignCtx }

func (f foreignAfterFuncCtx) AfterFunc(fn func()) func() bool {
	stopped := make(chan struct{})
	go func() {
		select {
		case <-f.done:
			fn()
		case <-stopped:
		}
	}()
	var once sync.Once
	return func() bool {
		r := false
		once.Do(func() { close(stopped); r = true })
		return r
	}
}

// ForeignParent: WithCancel of a foreign parent; cancelling the parent wakes
// the propagateCancel goroutine, which cancels the child.
func ForeignParent() {
	parent := newForeign()
	child, cancel := context.WithCancel(parent)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go waitForeignChild(child, &wg)
	settle()
	parent.cancel()
	wg.Wait()
}

func waitForeignChild(ctx context.Context, wg *sync.WaitGroup) { defer wg.Done(); <-ctx.Done() }

// ForeignParentAfterFunc: like ForeignParent, but the parent has an AfterFunc method.
func ForeignParentAfterFunc() {
	parent := foreignAfterFuncCtx{newForeign()}
	child, cancel := context.WithCancel(parent)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go waitForeignAfterFuncChild(child, &wg)
	settle()
	parent.cancel()
	wg.Wait()
}

func waitForeignAfterFuncChild(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	<-ctx.Done()
}

// LeakBackground: a goroutine blocked forever on context.Background().Done() (a nil channel).
func LeakBackground() {
	go waitBackgroundForever()
	settle()
}

func waitBackgroundForever() { <-context.Background().Done() }

// LeakWithoutCancel: a goroutine blocked forever on WithoutCancel(ctx).Done()
// even though ctx itself is canceled.
func LeakWithoutCancel() {
	ctx, cancel := context.WithCancel(context.Background())
	go waitWithoutCancelForever(context.WithoutCancel(ctx))
	settle()
	cancel()
}

func waitWithoutCancelForever(ctx context.Context) { <-ctx.Done() }

// LeakForeignPropagation: a child of a foreign parent that is never canceled,
// leaving the propagateCancel goroutine (and a waiter) blocked at trace end.
func LeakForeignPropagation() {
	child, cancel := context.WithCancel(newForeign())
	_ = cancel // deliberately never called
	go waitLeakedChild(child)
	settle()
}

func waitLeakedChild(ctx context.Context) { <-ctx.Done() }
