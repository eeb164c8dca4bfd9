// Scenario blocked_mutex: an updater goroutine waits for a mutex that is
// held for the rest of the program; canceling its context cannot free it.
package main

import (
	"context"
	"sync"
	"time"

	"github.com/cancelflow/cancelflow/go/scenarios/internal/scen"
)

func main() { scen.Main(run) }

var mu sync.Mutex

func run(ctx context.Context) {
	mu.Lock() // held by a long migration
	ctx, cancel := scen.C.WithCancel(ctx)
	update(ctx)
	time.Sleep(50 * time.Millisecond)
	cancel()
	time.Sleep(200 * time.Millisecond)
}

//go:noinline
func update(ctx context.Context) {
	go func() {
		defer scen.C.Bind(ctx, "updater")()
		mu.Lock() // BUG: blocks regardless of ctx
		defer mu.Unlock()
	}()
}
