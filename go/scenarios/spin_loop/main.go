// Scenario spin_loop: a goroutine spins on CPU-bound work and never checks
// its context; canceling at 50 ms does not stop it (it stops only when the
// process exits, or, under go test, when the test's cleanup sets quit).
package main

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/cancelflow/cancelflow/go/scenarios/internal/scen"
)

func main() { scen.Main(run) }

var (
	quit atomic.Bool // not the context: the program's own stop flag
	sink atomic.Uint64
)

func run(ctx context.Context) {
	ctx, cancel := scen.C.WithCancel(ctx)
	startSpinner(ctx)
	time.Sleep(50 * time.Millisecond)
	cancel()
	time.Sleep(200 * time.Millisecond)
}

//go:noinline
func startSpinner(ctx context.Context) {
	go func() {
		defer scen.C.Bind(ctx, "spinner")()
		x := uint64(1)
		for !quit.Load() { // BUG: should also stop when ctx is done
			for range 1000 {
				x = x*6364136223846793005 + 1442695040888963407
			}
			sink.Store(x)
		}
	}()
}
