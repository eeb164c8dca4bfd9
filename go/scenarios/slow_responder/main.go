// Scenario slow_responder: three workers notice cancellation right away but
// take 200 ms (a slow flush) before they return.
package main

import (
	"context"
	"sync"
	"time"

	"github.com/cancelflow/cancelflow/go/scenarios/internal/scen"
)

func main() { scen.Main(run) }

func run(ctx context.Context) {
	ctx, cancel := scen.C.WithCancel(ctx)
	var wg sync.WaitGroup
	startWorkers(ctx, &wg, 3)
	time.Sleep(20 * time.Millisecond)
	cancel()
	wg.Wait()
	time.Sleep(20 * time.Millisecond)
}

//go:noinline
func startWorkers(ctx context.Context, wg *sync.WaitGroup, n int) {
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer scen.C.Bind(ctx, "worker")()
			<-ctx.Done()
			time.Sleep(200 * time.Millisecond) // BUG: slow shutdown path
		}()
	}
}
