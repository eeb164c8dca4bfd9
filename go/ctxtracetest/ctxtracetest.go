// Package ctxtracetest traces `go test` binaries for cancelflow.
//
// Call Run (or Main) from TestMain:
//
//	func TestMain(m *testing.M) { ctxtracetest.Main(m, ctxtracetest.Options{}) }
//
// and get each test's context from T:
//
//	func TestX(t *testing.T) {
//		ctx := ctxtracetest.T(t)
//		...
//	}
//
// Run writes an execution trace of the whole test binary to the path given
// by Options.TracePath, the -cancelflow.trace flag or the CANCELFLOW_TRACE
// environment variable (first non-empty wins), and calls ctxtrace.Flush
// before stopping it, so contexts never canceled are reported. When the path
// is a directory (or ends with a slash), the trace is written there as
// <import path>.trace, "/" written as "_", so `CANCELFLOW_TRACE=dir go test
// ./...` gives one file per package. The file is created exclusively: two
// test binaries never write one file; the second one fails with an error
// naming it. When the test
// binary runs with -test.trace (go test -trace), or a trace is already
// active, Run does not start a second trace: the testing package's trace
// receives the records (per-test leak reports included), but the final
// Flush cannot run because the testing package stops its trace before Run
// regains control (except under `cancelflow test`, which sets
// CANCELFLOW_LEAK_PROFILE: then RunWithLeakProfile, which Run calls in place
// of m.Run, takes the trace over and flushes before stopping it);
// CANCELFLOW_TRACE is then ignored, with a note on stderr.
//
// T marks the test in the trace: a task named with the full test name
// (TestX/sub) and test_start/test_end records (docs/records.md), with the
// result. It returns t.Context(), instrumented, so contexts created from it
// with package ctxtrace and goroutines started with ctxtrace.Go belong to
// the test: when the test ends, its contexts whose CancelFunc was never
// called and its goroutines still running are recorded, and goroutines still
// running 100 ms after t.Context() was canceled are recorded as overdue.
// T works for parallel tests and subtests; call it before or after
// t.Parallel, once per test.
package ctxtracetest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/trace"
	"strings"
	"testing"

	"github.com/cancelflow/cancelflow/go/ctxtrace"
)

// EnvVar names the environment variable holding the trace path.
const EnvVar = "CANCELFLOW_TRACE"

// FlagName is the test binary flag holding the trace path.
const FlagName = "cancelflow.trace"

// Options configures Run.
type Options struct {
	// TracePath is where to write the trace. Empty: the -cancelflow.trace
	// flag, then $CANCELFLOW_TRACE; if all are empty no trace is started
	// (records still go to a -test.trace trace).
	TracePath string
}

var tracePath = flag.String(FlagName, "", "write a cancelflow execution trace of the tests to `file`")

// Main runs the tests like Run and exits with their status.
func Main(m *testing.M, opts Options) {
	os.Exit(Run(m, opts))
}

// Run runs m.Run with tracing as described in the package documentation and
// returns its exit code. Call it from TestMain.
func Run(m *testing.M, opts Options) int {
	if !flag.Parsed() {
		flag.Parse()
	}
	path := opts.TracePath
	if path == "" {
		path = *tracePath
	}
	if path == "" {
		path = os.Getenv(EnvVar)
	}
	testTrace := ""
	if f := flag.Lookup("test.trace"); f != nil {
		testTrace = f.Value.String()
	}
	var out *os.File
	switch {
	case path == "":
	case testTrace != "" || trace.IsEnabled():
		fmt.Fprintf(os.Stderr, "ctxtracetest: a trace is already requested (-test.trace) or active; not writing %s\n", path)
	default:
		if st, err := os.Stat(path); (err == nil && st.IsDir()) || strings.HasSuffix(path, string(os.PathSeparator)) {
			if err := os.MkdirAll(path, 0o755); err != nil {
				fmt.Fprintf(os.Stderr, "ctxtracetest: %v\n", err)
				return 2
			}
			path = filepath.Join(path, strings.ReplaceAll(importPath(), "/", "_")+".trace")
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			fmt.Fprintf(os.Stderr, "ctxtracetest: %s already exists: another test binary is writing it or an earlier run left it; "+
				"remove it, or set %s to a directory (one file per package)\n", path, EnvVar)
			return 2
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "ctxtracetest: %v\n", err)
			return 2
		}
		if err := trace.Start(f); err != nil {
			f.Close()
			fmt.Fprintf(os.Stderr, "ctxtracetest: starting trace: %v\n", err)
			return 2
		}
		out = f
	}
	code := RunWithLeakProfile(m)
	ctxtrace.Flush() // no-op unless a trace is still active
	if out != nil {
		trace.Stop()
		if err := out.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "ctxtracetest: %v\n", err)
			if code == 0 {
				code = 2
			}
		}
	}
	return code
}

// importPath is the import path of the package whose TestMain called Run:
// the package of the first caller outside this package (an external test
// package pkg_test counts as pkg). Fallback: the test binary's name.
func importPath() string {
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	self := reflect.TypeOf(Options{}).PkgPath()
	for {
		fr, more := frames.Next()
		if pkg := funcPackage(fr.Function); pkg != "" && pkg != self && pkg != "main" && pkg != "testing" {
			return strings.TrimSuffix(pkg, "_test")
		}
		if !more {
			break
		}
	}
	return strings.TrimSuffix(filepath.Base(os.Args[0]), ".test")
}

// funcPackage is the package path of a function name as runtime reports it
// ("example.com/m/pkg.TestMain" -> "example.com/m/pkg").
func funcPackage(fn string) string {
	slash := strings.LastIndexByte(fn, '/')
	dot := strings.IndexByte(fn[slash+1:], '.')
	if dot < 0 {
		return ""
	}
	return fn[:slash+1+dot]
}

// T marks the test t in the trace and returns its context (t.Context(),
// instrumented). Without an active trace it returns t.Context().
func T(t testing.TB) context.Context {
	t.Helper()
	ctx, end := ctxtrace.StartTest(t.Context(), t.Name())
	t.Cleanup(func() {
		result := "pass"
		switch {
		case t.Skipped():
			result = "skip"
		case t.Failed():
			result = "fail"
		}
		end(result)
	})
	return ctx
}
