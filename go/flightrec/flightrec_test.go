package flightrec

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/cancelflow/cancelflow/go/ctxtrace"
	"github.com/cancelflow/cancelflow/go/internal/leakdemo"
	"github.com/cancelflow/cancelflow/go/internal/parsed"
)

type result struct {
	path string
	err  error
}

func TestSnapshotOnOverdueGoroutine(t *testing.T) {
	dir := t.TempDir()
	results := make(chan result, 4)
	rec, err := Start(Options{
		Dir:        dir,
		MinAge:     time.Second,
		Grace:      30 * time.Millisecond,
		Interval:   time.Hour,
		OnSnapshot: func(p string, err error) { results <- result{p, err} },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Stop()

	ctx, cancel := ctxtrace.WithCancel(context.Background())
	release := make(chan struct{})
	exited := make(chan struct{}, 2)
	for _, name := range []string{"stuck-1", "stuck-2"} {
		ctxtrace.Go(ctx, name, func(context.Context) {
			<-release // ignores ctx
			exited <- struct{}{}
		})
	}
	time.Sleep(5 * time.Millisecond)
	cancel()

	var first, second result
	select {
	case first = <-results:
	case <-time.After(10 * time.Second):
		t.Fatal("no snapshot")
	}
	select {
	case second = <-results:
	case <-time.After(10 * time.Second):
		t.Fatal("no second attempt")
	}
	close(release)
	<-exited
	<-exited
	if first.err != nil {
		first, second = second, first
	}
	if first.err != nil {
		t.Fatalf("snapshot failed: %v", first.err)
	}
	if !errors.Is(second.err, ErrRateLimited) {
		t.Errorf("second overdue goroutine: err %v, want ErrRateLimited", second.err)
	}
	if got := rec.Files(); len(got) != 1 || got[0] != first.path || filepath.Dir(first.path) != dir {
		t.Errorf("files %v, snapshot %s", got, first.path)
	}
	entries, _ := os.ReadDir(dir)
	want := 1
	if pprof.Lookup("goroutineleak") != nil {
		want = 2 // the leak profile beside the snapshot
	}
	if len(entries) != want {
		t.Errorf("dir holds %d entries, want %d", len(entries), want)
	}

	evs, recs, err := parsed.Load(first.path)
	if err != nil {
		t.Fatalf("snapshot is not a valid trace: %v", err)
	}
	if len(evs) == 0 {
		t.Fatal("empty snapshot")
	}
	var overdue, snap bool
	for _, r := range recs {
		if r.Err != nil {
			t.Errorf("bad record: %v", r.Err)
		}
		overdue = overdue || r.Name == "go_overdue" && strings.HasPrefix(r.Field("name"), "stuck-")
		snap = snap || r.Name == "snapshot" && r.Field("path") == first.path && strings.Contains(r.Field("reason"), "still running")
	}
	if !overdue || !snap {
		t.Errorf("snapshot records: go_overdue %v, snapshot %v", overdue, snap)
	}
}

func TestRateLimits(t *testing.T) {
	dir := t.TempDir()
	rec, err := Start(Options{Dir: dir, MinAge: time.Second, Interval: time.Nanosecond, MaxFiles: 2, Grace: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Stop()
	for i := 0; i < 2; i++ {
		time.Sleep(time.Millisecond)
		if _, err := rec.Snapshot("manual"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := rec.Snapshot("manual"); !errors.Is(err, ErrMaxFiles) {
		t.Errorf("third snapshot: %v, want ErrMaxFiles", err)
	}
	rec.Stop()
	if _, err := rec.Snapshot("manual"); !errors.Is(err, ErrStopped) {
		t.Errorf("after Stop: %v, want ErrStopped", err)
	}
	if n := len(rec.Files()); n != 2 {
		t.Errorf("%d files", n)
	}

	rec2, err := Start(Options{Dir: dir, MinAge: time.Second, Interval: time.Hour, Grace: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer rec2.Stop()
	if _, err := rec2.Snapshot("a"); err != nil {
		t.Fatal(err)
	}
	if _, err := rec2.Snapshot("b"); !errors.Is(err, ErrRateLimited) {
		t.Errorf("second snapshot within Interval: %v", err)
	}
}

// With the runtime's goroutine leak profile (Go 1.27, or Go 1.26 with
// GOEXPERIMENT=goroutineleakprofile), a snapshot gets the profile beside it,
// taken at the same moment: it marks leaked a goroutine blocked on a channel
// nothing else references. CANCELFLOW_FLIGHTREC_KEEP=DIR keeps both files
// there, for cancelflow to analyze (tests/gate/flightrec_leakprofile.sh).
func TestSnapshotWritesTheLeakProfileBesideIt(t *testing.T) {
	if pprof.Lookup("goroutineleak") == nil {
		t.Skip("no goroutineleak profile in this runtime (Go 1.27, or GOEXPERIMENT=goroutineleakprofile)")
	}
	dir := os.Getenv("CANCELFLOW_FLIGHTREC_KEEP")
	if dir == "" {
		dir = t.TempDir()
	}
	rec, err := Start(Options{Dir: dir, MinAge: time.Second, Grace: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Stop()
	leakdemo.LeakOne()
	time.Sleep(20 * time.Millisecond)
	path, err := rec.Snapshot("test")
	if err != nil {
		t.Fatal(err)
	}
	profile, err := os.ReadFile(LeakProfilePath(path))
	if err != nil {
		t.Fatalf("no leak profile beside %s: %v", path, err)
	}
	if !strings.Contains(string(profile), "(leaked)]:") || !strings.Contains(string(profile), "leakdemo.LeakOne.func1") {
		t.Errorf("the profile does not mark LeakOne's goroutine leaked:\n%s", profile)
	}
}

