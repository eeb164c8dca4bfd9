package ctxtracetest

import (
	"flag"
	"os"
	"path/filepath"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"testing"
	"time"

	"github.com/cancelflow/cancelflow/go/ctxtrace"
)

// LeakProfileEnvVar names the environment variable holding the path that
// RunWithLeakProfile writes the runtime's goroutine leak profile to.
// `cancelflow test` sets it for each test binary (X.goroutineleak beside the
// package's trace X.trace).
const LeakProfileEnvVar = "CANCELFLOW_LEAK_PROFILE"

// RunWithLeakProfile runs m.Run and returns its exit code, like m.Run; when
// $CANCELFLOW_LEAK_PROFILE is set, it also writes the runtime's goroutine
// leak profile (debug=2 text, where the runtime has it: Go 1.27, or Go 1.26
// built with GOEXPERIMENT=goroutineleakprofile) to that path after the tests
// and before the execution trace stops, so that cancelflow proves the leaks
// it lists. `cancelflow test` adds a TestMain doing this to every package
// without one; a package with its own TestMain calls it in place of m.Run:
//
//	func TestMain(m *testing.M) {
//		setup()
//		code := ctxtracetest.RunWithLeakProfile(m)
//		teardown()
//		os.Exit(code)
//	}
//
// The testing package stops a -test.trace trace inside m.Run, before
// TestMain regains control, so RunWithLeakProfile takes that trace over:
// it starts it itself on the -test.trace file and clears the flag, then
// after m.Run calls ctxtrace.Flush (contexts never canceled are recorded),
// writes the profile and stops the trace; under -test.timeout it does that
// a little before testing's alarm ends the process. Without the variable it
// is m.Run. Run and Main call it.
//
// It is the same procedure as the TestMain that cancelflow test generates
// (src/cli/gotest_leak_profile.cc): change both together.
func RunWithLeakProfile(m *testing.M) int {
	if !flag.Parsed() {
		flag.Parse()
	}
	profile := os.Getenv(LeakProfileEnvVar)
	var traceFile *os.File
	if f := flag.Lookup("test.trace"); profile != "" && f != nil && f.Value.String() != "" && !trace.IsEnabled() {
		name := f.Value.String()
		if dir := flag.Lookup("test.outputdir"); dir != nil && dir.Value.String() != "" && !filepath.IsAbs(name) {
			name = filepath.Join(dir.Value.String(), name)
		}
		// When the file cannot be created or tracing cannot start, the
		// testing package tries and reports it as it would.
		if out, err := os.Create(name); err == nil {
			if trace.Start(out) == nil {
				traceFile = out
				f.Value.Set("")
			} else {
				out.Close()
			}
		}
	}
	var once sync.Once
	finish := func() {
		once.Do(func() {
			if traceFile != nil {
				ctxtrace.Flush()
			}
			if profile != "" {
				writeLeakProfile(profile)
			}
			if traceFile != nil {
				trace.Stop()
				traceFile.Close()
			}
		})
	}
	// testing's -timeout alarm stops its own trace, then panics: the process
	// ends. Finish a little before it, so the trace is complete then too.
	if timeout := flag.Lookup("test.timeout"); traceFile != nil && timeout != nil {
		if getter, ok := timeout.Value.(flag.Getter); ok {
			if d, ok := getter.Get().(time.Duration); ok && d > 0 {
				finishBeforeTimeout(d, finish)
			}
		}
	}
	code := m.Run()
	finish()
	return code
}

// finishBeforeTimeout calls finish a twentieth of the timeout (at most a second)
// before testing's own alarm would end the process.
func finishBeforeTimeout(timeout time.Duration, finish func()) {
	margin := min(timeout/20, time.Second)
	time.AfterFunc(timeout-margin, finish)
}

// writeLeakProfile writes the goroutine leak profile to a temporary name
// renamed into place (a file at path is always complete); nothing when the
// runtime has no such profile. Errors are not printed: output stays what
// go test prints, and cancelflow says which package has no profile.
func writeLeakProfile(path string) {
	p := pprof.Lookup("goroutineleak")
	if p == nil {
		return
	}
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return
	}
	err = p.WriteTo(f, 2)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(path+".tmp", path)
	}
	if err != nil {
		os.Remove(path + ".tmp")
	}
}
