// The harness each case runs under, one process per case (compare.py runs
// `cases.test -test.run '^Case$'`). COMPARE_MODE selects the judge:
//   - "trace": an execution trace over the whole run (COMPARE_TRACE); after
//     the tests, the runtime's goroutine leak profile (debug=2, COMPARE_PROFILE)
//     is written while the trace still runs, as `cancelflow test` does; then
//     the trace stops, and the harness waits COMPARE_SETTLE and writes the
//     goroutines still alive (COMPARE_ALIVE): the ground truth of "exits on its
//     own", observed, not assumed;
//   - "goleak": each case checks goleak.VerifyNone at its end (leakcheck).
package cases

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv("COMPARE_MODE") != "trace" {
		os.Exit(m.Run())
	}
	tf, err := os.Create(os.Getenv("COMPARE_TRACE"))
	must(err)
	must(trace.Start(tf))
	code := m.Run()
	runtime.GC()
	pf, err := os.Create(os.Getenv("COMPARE_PROFILE"))
	must(err)
	if p := pprof.Lookup("goroutineleak"); p != nil {
		must(p.WriteTo(pf, 2))
	}
	must(pf.Close())
	trace.Stop()
	must(tf.Close())
	settle, err := time.ParseDuration(os.Getenv("COMPARE_SETTLE"))
	must(err)
	time.Sleep(settle)
	buf := make([]byte, 1<<20)
	must(os.WriteFile(os.Getenv("COMPARE_ALIVE"), buf[:runtime.Stack(buf, true)], 0o644))
	os.Exit(code)
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// leakcheck makes goleak judge the calling case when COMPARE_MODE=goleak:
// goroutines alive at the case's end (after goleak's retries) that were not
// alive at its start.
func leakcheck(t *testing.T) {
	if os.Getenv("COMPARE_MODE") != "goleak" {
		return
	}
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}

// timeout is the deadline every case's caller gives its work.
func timeout(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 20*time.Millisecond)
}
