// Scenario early_return_skips_cancel: process calls cancel at its end, but
// an early error return skips it; the watcher goroutine waiting for the
// context to be done then waits forever. Items 0 and 1: one leak (item 1).
package main

import (
	"context"
	"errors"
	"time"

	"github.com/cancelflow/cancelflow/go/scenarios/internal/scen"
)

func main() { scen.Main(run) }

func run(ctx context.Context) {
	for item := range 2 {
		_ = process(ctx, item)
	}
	time.Sleep(200 * time.Millisecond) // the leak outlives the in-flight grace (100 ms) before the trace ends
}

var errOdd = errors.New("odd item")

//go:noinline
func process(ctx context.Context, item int) error {
	ctx, cancel := scen.C.WithCancel(ctx)
	go func() {
		defer scen.C.Bind(ctx, "watcher")()
		<-ctx.Done() // releases the item's resources once processing ends
	}()
	if item%2 == 1 {
		return errOdd // BUG: returns without cancel()
	}
	cancel()
	return nil
}
