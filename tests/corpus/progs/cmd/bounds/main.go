// Command bounds writes the adversarial trace shapes of tests/bounds (issue 14):
//
//	go run . -shape wake-one    -n 500000 -o a.trace  one goroutine woken by n cancels
//	go run . -shape alive       -n 250000 -o b.trace  n goroutines alive (blocked) when the trace ends
//	go run . -shape fanout      -n 10000 -w 100 -o c.trace  n cancellations waking w goroutines each
//	go run . -shape planted     -mb 110 -least 3s -o d.trace  a busy run of mb megabytes (and at least 3 s) with bugs planted all along (planted.go)
//
// Every shape is a worst case for a report that keeps one record per
// cancellation, wake-up or goroutine: the reports must stay bounded anyway.
package main

import (
	"context"
	"flag"
	"runtime"
	"sync"
	"time"

	"cancelflow.test/corpus/progs/internal/harness"
)

func main() {
	shape := flag.String("shape", "", "wake-one, alive, fanout or planted")
	n := flag.Int("n", 1000, "cancellations (wake-one, fanout) or goroutines (alive)")
	w := flag.Int("w", 100, "goroutines woken per cancellation (fanout)")
	mb := flag.Int("mb", 110, "trace size in megabytes (planted)")
	least := flag.Duration("least", 3*time.Second, "shortest run (planted)")
	out := flag.String("o", "", "trace output `file`")
	flag.Parse()
	stop := harness.Start(*out)
	switch *shape {
	case "wake-one":
		wakeOne(*n)
	case "alive":
		alive(*n)
	case "fanout":
		fanout(*n, *w)
	case "planted":
		planted(*out, *mb, *least)
	default:
		harness.Fatalf("unknown -shape %q", *shape)
	}
	stop()
}

// wakeOne: a waiter blocks on n contexts in turn; the main goroutine cancels
// each one once the waiter is parked on it.
func wakeOne(n int) {
	ctxs := make(chan context.Context)
	done := make(chan struct{})
	go func() {
		for ctx := range ctxs {
			<-ctx.Done()
			done <- struct{}{}
		}
	}()
	for i := 0; i < n; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		ctxs <- ctx
		waitBlocked(ctx)
		cancelAlternating(i, cancel)
		<-done
	}
	close(ctxs)
}

// cancelAlternating calls cancel from one of two lines: cancelflow merges
// wake-ups of the same call site less than 1 ms apart into one cancellation
// (one cancel call waking many goroutines), so consecutive cancels must come
// from different lines to count as the separate cancellations they are.
func cancelAlternating(i int, cancel context.CancelFunc) {
	if i%2 == 0 {
		cancel()
	} else {
		cancel()
	}
}

// waitBlocked gives the waiter time to block on ctx.Done() (a few yields; a
// wake-up that finds it still running is merely not counted).
func waitBlocked(context.Context) {
	for k := 0; k < 3; k++ {
		runtime.Gosched()
	}
}

// alive: n goroutines blocked forever on one channel when the trace ends.
func alive(n int) {
	block := make(chan struct{})
	var started sync.WaitGroup
	started.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			started.Done()
			<-block
		}()
	}
	started.Wait()
}

// fanout: w goroutines wait on each of n contexts in turn; each cancel wakes all of them.
func fanout(n, w int) {
	ctxs := make([]chan context.Context, w)
	var round sync.WaitGroup
	for k := range ctxs {
		ctxs[k] = make(chan context.Context, 1)
		go func(in chan context.Context) {
			for ctx := range in {
				<-ctx.Done()
				round.Done()
			}
		}(ctxs[k])
	}
	for i := 0; i < n; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		round.Add(w)
		for _, c := range ctxs {
			c <- ctx
		}
		waitBlocked(ctx)
		cancelAlternating(i, cancel)
		round.Wait()
	}
	for _, c := range ctxs {
		close(c)
	}
}
