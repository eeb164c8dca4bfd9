package ctxtrace

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cancelflow/cancelflow/go/internal/parsed"
)

// traced runs f while tracing into a temporary file, calls Flush, stops the
// trace and returns the parsed events and records.
func traced(t *testing.T, f func()) ([]parsed.Event, []parsed.Record) {
	t.Helper()
	if trace.IsEnabled() {
		t.Skip("a trace is already active (go test -trace?)")
	}
	path := filepath.Join(t.TempDir(), "t.trace")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := trace.Start(out); err != nil {
		t.Fatal(err)
	}
	f()
	Flush()
	trace.Stop()
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	evs, recs, err := parsed.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Err != nil {
			t.Errorf("bad record %s %q: %v", r.Attrs["Category"], r.Attrs["Message"], r.Err)
		}
	}
	return evs, recs
}

// eventually waits until cond holds; records written by other goroutines
// (done, go_exit) are waited for this way, never with a fixed sleep.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// waitFinished waits until the done record of each instrumented, done
// context is written.
func waitFinished(t *testing.T, ctxs ...context.Context) {
	t.Helper()
	for _, ctx := range ctxs {
		n := ctx.Value(nodeKey{}).(*node)
		eventually(t, "done record of context "+strconv.FormatUint(n.id, 10), n.finished.Load)
	}
}

// waitUnbound waits until no goroutine bound under name is running, i.e.
// their go_exit records are written.
func waitUnbound(t *testing.T, name string) {
	t.Helper()
	eventually(t, "go_exit of "+name, func() bool {
		running := false
		bound.Range(func(k, _ any) bool {
			running = running || k.(*binding).name == name
			return !running
		})
		return !running
	})
}

// find returns the records named name whose fields match kv pairs.
func find(recs []parsed.Record, name string, kv ...string) []parsed.Record {
	var out []parsed.Record
next:
	for _, r := range recs {
		if r.Name != name {
			continue
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if r.Field(kv[i]) != kv[i+1] {
				continue next
			}
		}
		out = append(out, r)
	}
	return out
}

func one(t *testing.T, recs []parsed.Record, name string, kv ...string) parsed.Record {
	t.Helper()
	got := find(recs, name, kv...)
	if len(got) != 1 {
		t.Fatalf("want 1 %s record with %v, got %d", name, kv, len(got))
	}
	return got[0]
}

// id returns the instrumentation id of ctx, read back from its node.
func id(ctx context.Context) string {
	n, ok := ctx.Value(nodeKey{}).(*node)
	if !ok {
		return "none"
	}
	return strconv.FormatUint(n.id, 10)
}

type fakeCtx struct{ context.Context }

func (fakeCtx) Value(any) any { return nil } // hides the parent's values: a truly foreign context

func checkSemantics(t *testing.T) {
	cause := errors.New("my cause")
	ctx, cancel := WithCancel(context.Background())
	if ctx.Err() != nil {
		t.Fatal("new context is done")
	}
	cancel()
	if !errors.Is(ctx.Err(), context.Canceled) || context.Cause(ctx) != context.Canceled {
		t.Errorf("WithCancel: err %v cause %v", ctx.Err(), context.Cause(ctx))
	}
	cctx, ccancel := WithCancelCause(context.Background())
	ccancel(cause)
	if !errors.Is(cctx.Err(), context.Canceled) || context.Cause(cctx) != cause {
		t.Errorf("WithCancelCause: err %v cause %v", cctx.Err(), context.Cause(cctx))
	}
	tctx, tcancel := WithTimeoutCause(context.Background(), time.Millisecond, cause)
	defer tcancel()
	<-tctx.Done()
	if !errors.Is(tctx.Err(), context.DeadlineExceeded) || context.Cause(tctx) != cause {
		t.Errorf("WithTimeoutCause: err %v cause %v", tctx.Err(), context.Cause(tctx))
	}
	d := time.Now().Add(time.Hour)
	dctx, dcancel := WithDeadline(context.Background(), d)
	if got, ok := dctx.Deadline(); !ok || !got.Equal(d) {
		t.Errorf("WithDeadline: deadline %v %v", got, ok)
	}
	dcancel()
	if !errors.Is(dctx.Err(), context.Canceled) {
		t.Errorf("WithDeadline canceled: %v", dctx.Err())
	}
	ectx, ecancel := WithDeadlineCause(context.Background(), time.Now().Add(-time.Second), cause)
	defer ecancel()
	if !errors.Is(ectx.Err(), context.DeadlineExceeded) || context.Cause(ectx) != cause {
		t.Errorf("WithDeadlineCause in the past: %v %v", ectx.Err(), context.Cause(ectx))
	}
	octx, ocancel := WithTimeout(context.Background(), time.Hour)
	w := WithoutCancel(octx)
	ocancel()
	if w.Err() != nil || w.Done() != nil {
		t.Errorf("WithoutCancel: err %v", w.Err())
	}
	if _, ok := w.Deadline(); ok {
		t.Error("WithoutCancel kept the deadline")
	}
	type key struct{}
	vctx := context.WithValue(context.Background(), key{}, 7)
	actx, acancel := WithCancel(vctx)
	if actx.Value(key{}) != 7 {
		t.Error("value lost")
	}
	ran := make(chan struct{})
	AfterFunc(actx, func() { close(ran) })
	stop := AfterFunc(actx, func() { t.Error("stopped AfterFunc ran") })
	if !stop() || stop() {
		t.Error("stop results")
	}
	acancel()
	<-ran
}

func TestSemanticsTracingOff(t *testing.T) {
	if trace.IsEnabled() {
		t.Skip("tracing is on")
	}
	checkSemantics(t)
}

func TestSemanticsTracingOn(t *testing.T) {
	traced(t, func() { checkSemantics(t) })
}

func TestRecords(t *testing.T) {
	var (
		root, child, timed, detached, under, foreign, todo, stdDetached context.Context
		afterStop                                                       bool
		goDone                                                          = make(chan struct{})
	)
	evs, recs := traced(t, func() {
		var cancelRoot, cancelChild, cancelTimed context.CancelFunc
		root, cancelRoot = WithCancel(context.Background())
		child, cancelChild = WithTimeout(root, time.Hour)
		defer cancelChild()
		timed, cancelTimed = WithTimeout(child, time.Millisecond)
		defer cancelTimed()
		<-timed.Done()

		detached = WithoutCancel(child)
		var cu context.CancelCauseFunc
		under, cu = WithCancelCause(detached)
		cu(errors.New("a \"quoted\" cause\nwith = and spaces"))

		stdParent, stdCancel := context.WithCancel(root)
		defer stdCancel()
		var c1, c2, c3 context.CancelFunc
		foreign, c1 = WithCancel(fakeCtx{stdParent})
		defer c1()
		todo, c2 = WithCancel(context.WithValue(context.TODO(), struct{}{}, 1))
		defer c2()
		stdDetached, c3 = WithCancel(context.WithoutCancel(root))
		defer c3()

		stop := AfterFunc(root, func() {})
		afterStop = stop()

		Go(root, "waiter", func(ctx context.Context) {
			<-ctx.Done()
			close(goDone)
		})
		time.Sleep(time.Millisecond) // let the goroutine start before canceling
		cancelRoot()
		cancelRoot() // no-op
		<-goDone
		waitFinished(t, root, child, timed, under)
		waitUnbound(t, "waiter")
	})

	rootRec := one(t, recs, "ctx", "id", id(root))
	if rootRec.Field("parent_kind") != "background" || rootRec.Field("kind") != "cancel" || rootRec.Field("parent") != "0" {
		t.Errorf("root: %+v", rootRec.Fields)
	}
	if !strings.HasSuffix(rootRec.Field("func"), "ctxtrace.TestRecords.func1") || !strings.HasSuffix(rootRec.Field("file"), "ctxtrace_test.go") || rootRec.IntField("line") == 0 {
		t.Errorf("root site: %s %s:%d", rootRec.Field("func"), rootRec.Field("file"), rootRec.IntField("line"))
	}
	childRec := one(t, recs, "ctx", "id", id(child))
	if childRec.Field("parent") != id(root) || childRec.Field("kind") != "timeout" ||
		childRec.IntField("timeout_ns") != int64(time.Hour) || childRec.IntField("deadline_ns") == 0 {
		t.Errorf("child: %+v", childRec.Fields)
	}
	timedRec := one(t, recs, "ctx", "id", id(timed))
	if timedRec.IntField("parent_deadline_ns") != childRec.IntField("deadline_ns") {
		t.Errorf("timed parent deadline: %+v", timedRec.Fields)
	}
	one(t, recs, "done", "id", id(timed), "by", "deadline", "err", "context deadline exceeded")
	one(t, recs, "done", "id", id(child), "by", "parent", "err", "context canceled")
	one(t, recs, "done", "id", id(root), "by", "cancel")
	one(t, recs, "ctx", "id", id(detached), "kind", "withoutcancel", "parent", id(child))
	one(t, recs, "ctx", "id", id(under), "kind", "cancelcause", "parent", id(detached))
	one(t, recs, "cancel", "id", id(under), "noop", "false", "cause", "a \"quoted\" cause\nwith = and spaces")
	one(t, recs, "done", "id", id(under), "by", "cancel", "cause", "a \"quoted\" cause\nwith = and spaces")
	one(t, recs, "ctx", "id", id(foreign), "parent_kind", "foreign", "parent", "0", "parent_type", "ctxtrace.fakeCtx")
	one(t, recs, "ctx", "id", id(todo), "parent_kind", "todo")
	one(t, recs, "ctx", "id", id(stdDetached), "parent_kind", "detached", "ancestor", id(root), "parent", "0")
	one(t, recs, "cancel", "id", id(root), "noop", "false")
	one(t, recs, "cancel", "id", id(root), "noop", "true")
	if !afterStop {
		t.Error("AfterFunc stop returned false")
	}
	one(t, recs, "afterfunc_stop", "stopped", "true")

	g := one(t, recs, "go", "name", "waiter", "ctx", id(root), "ctx_done", "false")
	if g.IntField("gid") != g.G {
		t.Errorf("go record gid %d, written on G %d", g.IntField("gid"), g.G)
	}
	ex := one(t, recs, "go_exit", "name", "waiter", "ctx_done", "true", "panicked", "false")
	if ex.IntField("gid") != g.G || ex.IntField("after_done_ns") < -1 {
		t.Errorf("go_exit: %+v", ex.Fields)
	}
	// Every ctx record is logged inside its own task, whose parent task is
	// the parent context's task.
	taskOf := map[string]uint64{}
	for _, r := range find(recs, "ctx") {
		taskOf[r.Field("id")] = r.Task
	}
	parentTask := map[string]string{}
	for _, ev := range evs {
		if ev.Kind == "TaskBegin" {
			parentTask[ev.Attrs["ID"]] = ev.Attrs["Parent"]
		}
	}
	got := parentTask[strconv.FormatUint(taskOf[id(child)], 10)]
	if want := strconv.FormatUint(taskOf[id(root)], 10); got != want {
		t.Errorf("child task parent %s, want root task %s", got, want)
	}
	one(t, recs, "flush", "reason", "flush", "go_version", runtime.Version())
}

// leakOne drops a CancelFunc without calling it; the context itself is kept,
// which does not keep the CancelFunc reachable.
//
//go:noinline
func leakOne() context.Context {
	ctx, cancel := WithCancel(context.Background())
	_ = cancel
	return ctx
}

func TestLeaks(t *testing.T) {
	var leaked, kept context.Context
	var keptCancel context.CancelFunc
	_, recs := traced(t, func() {
		leaked = leakOne()
		n := leaked.Value(nodeKey{}).(*node)
		for i := 0; i < 50 && !n.reported.Load(); i++ {
			runtime.GC()
			time.Sleep(2 * time.Millisecond)
		}
		kept, keptCancel = WithCancel(context.Background())
	})
	defer keptCancel()
	one(t, recs, "leak", "reason", "unreachable", "id", id(leaked), "done", "false")
	one(t, recs, "leak", "reason", "flush", "id", id(kept), "done", "false")
	if len(find(recs, "leak", "id", id(leaked))) != 1 {
		t.Error("leak reported twice")
	}
}

func TestOverdueWatchdog(t *testing.T) {
	// "slow" stays until the watchdog has reported it (no fixed sleep that a
	// loaded machine could outlast); "fast" returns at once, far within the
	// grace.
	const grace = 200 * time.Millisecond
	var mu sync.Mutex
	var got []Overdue
	reported := make(chan struct{})
	restore := SetWatchdog(grace, func(o Overdue) {
		mu.Lock()
		got = append(got, o)
		mu.Unlock()
		if o.Name == "slow" {
			close(reported)
		}
	})
	defer restore()
	ctx, cancel := context.WithCancel(context.Background())
	exited := make(chan struct{})
	Go(ctx, "slow", func(ctx context.Context) {
		<-ctx.Done()
		<-reported
		close(exited)
	})
	fast := make(chan struct{})
	Go(ctx, "fast", func(ctx context.Context) {
		<-ctx.Done()
		close(fast)
	})
	cancel()
	<-exited
	<-fast
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Name != "slow" || got[0].Elapsed < grace || got[0].GoID <= 0 {
		t.Fatalf("overdue reports: %+v", got)
	}
	if !strings.HasSuffix(got[0].Func, "TestOverdueWatchdog") {
		t.Errorf("site %q", got[0].Func)
	}
}

func TestOverdueRecord(t *testing.T) {
	_, recs := traced(t, func() {
		restore := SetWatchdog(10*time.Millisecond, nil)
		defer restore()
		ctx, cancel := WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer Bind(ctx, "ignorer")()
			time.Sleep(60 * time.Millisecond) // ignores ctx
		}()
		time.Sleep(time.Millisecond)
		cancel()
		<-done
	})
	o := one(t, recs, "go_overdue", "name", "ignorer", "grace_ns", strconv.Itoa(int(10*time.Millisecond)))
	if o.IntField("overdue_ns") < int64(10*time.Millisecond) {
		t.Errorf("overdue_ns %d", o.IntField("overdue_ns"))
	}
	one(t, recs, "go_exit", "name", "ignorer", "ctx_done", "true")
}

func TestGoPanicRecorded(t *testing.T) {
	_, recs := traced(t, func() {
		done := make(chan struct{})
		Go(context.Background(), "panicker", func(context.Context) {
			defer func() { recover(); close(done) }()
			panic("boom")
		})
		<-done
		waitUnbound(t, "panicker")
	})
	// The recover inside fn means fn returned normally.
	one(t, recs, "go_exit", "name", "panicker", "panicked", "false")
}

func TestGoidMatchesRuntime(t *testing.T) {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	want := strings.Fields(string(buf))[1]
	if got := strconv.FormatInt(goid(), 10); got != want {
		t.Errorf("goid %s, want %s", got, want)
	}
}
