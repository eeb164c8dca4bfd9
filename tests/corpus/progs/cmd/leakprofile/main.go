// Command leakprofile writes an execution trace and, at its end while the
// tracer still runs, the runtime's goroutine leak profile (debug=2 text and
// the protobuf form), so the two can be joined. Build it with Go 1.27+, or
// Go 1.26 and GOEXPERIMENT=goroutineleakprofile.
//
// What it leaves at the end:
//   - leaked (the profile proves it): `fetch` workers blocked sending on a
//     channel only they still reference, after their caller's deadline fired;
//   - blocked but not leaked: pool workers receiving from a channel a global
//     still references (a pool waiting for work);
//   - sleeping: a ticker-driven poller (the profile does not judge sleeps).
//
// -window starts the trace after the leaks happened (a window taken from a
// running service, where timing alone proves nothing).
package main

import (
	"context"
	"flag"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"time"

	"cancelflow.test/corpus/progs/internal/harness"
)

var jobs = make(chan int) // the pool's queue: reachable, so its workers are not leaked

func compute(d time.Duration) int {
	time.Sleep(d)
	return 42
}

// fetch gives up at the deadline; the worker then blocks forever on ch.
func fetch(ctx context.Context) int {
	ch := make(chan int)
	go func() { ch <- compute(20 * time.Millisecond) }()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		return -1
	}
}

func poolWorker() {
	for j := range jobs {
		_ = j
	}
}

func poller() {
	for {
		time.Sleep(10 * time.Millisecond)
	}
}

func leakSome(n int) {
	for i := 0; i < n; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		fetch(ctx)
		cancel()
	}
}

func main() {
	out := flag.String("o", "", "trace output `file`")
	profile := flag.String("profile", "", "leak profile output (debug=2 text); FILE.pb.gz gets the protobuf form")
	window := flag.Bool("window", false, "start the trace after the leaks happened")
	hold := flag.Duration("hold", 200*time.Millisecond, "how long the trace runs after the leaks")
	flag.Parse()
	p := pprof.Lookup("goroutineleak")
	if p == nil {
		harness.Fatalf("no goroutineleak profile: build with Go 1.27+, or GOEXPERIMENT=goroutineleakprofile")
	}
	var stop func()
	if !*window {
		stop = harness.Start(*out) // the whole program: every goroutine below starts in the trace
	}
	for i := 0; i < 2; i++ {
		go poolWorker()
	}
	go poller()
	leakSome(3)
	if *window {
		time.Sleep(50 * time.Millisecond)
		stop = harness.Start(*out)
	}
	time.Sleep(*hold)
	// The profile, taken while the tracer still runs: goroutine ids match.
	f, err := os.Create(*profile)
	harness.Check("create profile", err)
	harness.Check("write profile", p.WriteTo(f, 2))
	harness.Check("close profile", f.Close())
	g, err := os.Create(*profile + ".pb.gz")
	harness.Check("create profile", err)
	harness.Check("write profile", p.WriteTo(g, 0))
	harness.Check("close profile", g.Close())
	trace.Log(context.Background(), "leakprofile", "profile written")
	stop()
}
