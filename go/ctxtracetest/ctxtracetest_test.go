package ctxtracetest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cancelflow/cancelflow/go/ctxtrace"
	"github.com/cancelflow/cancelflow/go/ctxtracetest"
	"github.com/cancelflow/cancelflow/go/internal/parsed"
)

func TestMain(m *testing.M) {
	ctxtracetest.Main(m, ctxtracetest.Options{})
}

// fixtureEnv is set when this test binary runs as a subprocess of
// TestTraceMarkers; the Fixture tests only run then.
const fixtureEnv = "CTXTRACETEST_FIXTURE"

func fixture(t *testing.T) {
	if os.Getenv(fixtureEnv) == "" {
		t.Skip("fixture: run by TestTraceMarkers in a subprocess")
	}
}

func TestFixture(t *testing.T) {
	fixture(t)
	ctx := ctxtracetest.T(t)
	t.Run("sequential", func(t *testing.T) {
		ctx := ctxtracetest.T(t)
		// The cleanup must not return before the go_exit record is written:
		// the test binary may stop the trace right after it. Bind's done
		// function writes go_exit, and the deferred close runs after it (a
		// goroutine started with ctxtrace.Go can only signal before its
		// go_exit, which is the race this fixture once had).
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer ctxtrace.Bind(ctx, "follower")()
			<-ctx.Done()
		}()
		t.Cleanup(func() { <-done })
	})
	t.Run("parallel", func(t *testing.T) {
		t.Parallel()
		ctx := ctxtracetest.T(t)
		_, cancel := ctxtrace.WithTimeout(ctx, time.Hour)
		_ = cancel // never called: a leak attributed to this test
	})
	t.Run("parallel2", func(t *testing.T) {
		ctx := ctxtracetest.T(t)
		t.Parallel()
		c, cancel := ctxtrace.WithCancel(ctx)
		defer cancel()
		_ = c
	})
	t.Run("fails", func(t *testing.T) {
		ctxtracetest.T(t)
		t.Error("intentional failure")
	})
	t.Run("skips", func(t *testing.T) {
		ctxtracetest.T(t)
		t.Skip("intentional skip")
	})
	_ = ctx
}

// runFixture runs this test binary on TestFixture with extra arguments and
// environment; the fixture fails on purpose, so exit status 1 is expected.
func runFixture(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestFixture$", "-test.v"}, args...)...)
	cmd.Env = append(append(os.Environ(), fixtureEnv+"=1"), env...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("fixture: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "intentional failure") {
		t.Fatalf("fixture did not run:\n%s", out)
	}
	return string(out)
}

func checkMarkers(t *testing.T, path string, flushed bool) {
	t.Helper()
	evs, recs, err := parsed.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	tasks := map[string]bool{}
	for _, ev := range evs {
		if ev.Kind == "TaskBegin" {
			tasks[ev.Attrs["Type"]] = true
		}
	}
	results := map[string]string{}
	started := map[string]bool{}
	leaks := map[string]int{}
	for _, r := range recs {
		if r.Err != nil {
			t.Errorf("bad record: %v", r.Err)
		}
		switch r.Name {
		case "test_start":
			started[r.Field("name")] = true
		case "test_end":
			results[r.Field("name")] = r.Field("result")
		case "leak":
			leaks[r.Field("test")+"/"+r.Field("reason")]++
		}
	}
	want := map[string]string{
		"TestFixture":            "fail",
		"TestFixture/sequential": "pass",
		"TestFixture/parallel":   "pass",
		"TestFixture/parallel2":  "pass",
		"TestFixture/fails":      "fail",
		"TestFixture/skips":      "skip",
	}
	for name, res := range want {
		if !tasks[name] {
			t.Errorf("no task %q", name)
		}
		if !started[name] {
			t.Errorf("no test_start for %s", name)
		}
		if results[name] != res {
			t.Errorf("test_end %s: result %q, want %q", name, results[name], res)
		}
	}
	if leaks["TestFixture/parallel/test_end"] != 1 || len(leaks) != 1 {
		t.Errorf("leaks: %v", leaks)
	}
	var goRec, exitRec bool
	for _, r := range recs {
		if r.Name == "go" && r.Field("name") == "follower" {
			goRec = true
		}
		if r.Name == "go_exit" && r.Field("name") == "follower" && r.Field("ctx_done") == "true" {
			exitRec = true
		}
	}
	if !goRec || !exitRec {
		t.Errorf("follower goroutine: go %v, go_exit %v", goRec, exitRec)
	}
	var flush bool
	for _, r := range recs {
		flush = flush || r.Name == "flush"
	}
	if flush != flushed {
		t.Errorf("flush record present: %v, want %v", flush, flushed)
	}
}

func TestTraceMarkers(t *testing.T) {
	if os.Getenv(fixtureEnv) != "" {
		t.Skip("inside the fixture")
	}
	dir := t.TempDir()
	t.Run("env", func(t *testing.T) {
		path := filepath.Join(dir, "env.trace")
		runFixture(t, []string{ctxtracetest.EnvVar + "=" + path})
		checkMarkers(t, path, true)
	})
	t.Run("flag", func(t *testing.T) {
		path := filepath.Join(dir, "flag.trace")
		runFixture(t, nil, "-"+ctxtracetest.FlagName+"="+path)
		checkMarkers(t, path, true)
	})
	t.Run("test.trace", func(t *testing.T) {
		path := filepath.Join(dir, "test.trace")
		ignored := filepath.Join(dir, "ignored.trace")
		out := runFixture(t, []string{ctxtracetest.EnvVar + "=" + ignored}, "-test.trace="+path)
		checkMarkers(t, path, false)
		if _, err := os.Stat(ignored); !os.IsNotExist(err) {
			t.Errorf("%s written although -test.trace was given", ignored)
		}
		if !strings.Contains(out, "not writing") {
			t.Errorf("no note about the ignored path:\n%s", out)
		}
	})
}

// CANCELFLOW_TRACE may name a directory: the trace is <import path>.trace
// there, created exclusively, so a second binary writing it fails clearly.
func TestTraceDirectory(t *testing.T) {
	if os.Getenv(fixtureEnv) != "" {
		t.Skip("inside the fixture")
	}
	dir := filepath.Join(t.TempDir(), "traces") + string(os.PathSeparator) // created by Run
	runFixture(t, []string{ctxtracetest.EnvVar + "=" + dir})
	path := filepath.Join(dir, "github.com_cancelflow_cancelflow_go_ctxtracetest.trace")
	checkMarkers(t, path, true)

	cmd := exec.Command(os.Args[0], "-test.run=^TestFixture$")
	cmd.Env = append(os.Environ(), fixtureEnv+"=1", ctxtracetest.EnvVar+"="+strings.TrimSuffix(dir, string(os.PathSeparator)))
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("second binary on the same file: %v, want exit status 2\n%s", err, out)
	}
	if !strings.Contains(string(out), path+" already exists") || strings.Contains(string(out), "intentional failure") {
		t.Errorf("second binary: no clear error, or the tests ran:\n%s", out)
	}
}

// Without a trace, T returns the test's context.
func TestTWithoutTrace(t *testing.T) {
	ctx := ctxtracetest.T(t)
	if ctx.Err() != nil || ctx.Done() == nil {
		t.Fatal("T returned a done or uncancelable context")
	}
}
