// Scenario sleep_loop: a poller goroutine sleeps and polls in a loop and
// never looks at its context; canceling the context at 50 ms does not stop it.
package main

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/cancelflow/cancelflow/go/scenarios/internal/scen"
)

func main() { scen.Main(run) }

var polls atomic.Int64

func run(ctx context.Context) {
	ctx, cancel := scen.C.WithCancel(ctx)
	startPoller(ctx)
	time.Sleep(50 * time.Millisecond)
	cancel()
	time.Sleep(250 * time.Millisecond)
}

//go:noinline
func startPoller(ctx context.Context) {
	go func() {
		defer scen.C.Bind(ctx, "poller")()
		for { // BUG: should stop when ctx is done
			polls.Add(1)
			time.Sleep(20 * time.Millisecond)
		}
	}()
}
