// Scenario panic_skips_cancel: handle calls cancel after its work, but the
// work panics; the caller recovers, cancel is never called, and the watcher
// goroutine waits forever.
package main

import (
	"context"
	"time"

	"github.com/cancelflow/cancelflow/go/scenarios/internal/scen"
)

func main() { scen.Main(run) }

func run(ctx context.Context) {
	safeHandle(ctx)
	time.Sleep(200 * time.Millisecond) // the leak outlives the in-flight grace (100 ms) before the trace ends
}

func safeHandle(ctx context.Context) {
	defer func() { _ = recover() }()
	handle(ctx)
}

//go:noinline
func handle(ctx context.Context) {
	ctx, cancel := scen.C.WithCancel(ctx)
	go func() {
		defer scen.C.Bind(ctx, "watcher")()
		<-ctx.Done()
	}()
	parse(nil) // panics
	cancel()   // BUG: skipped by the panic; should be deferred
}

func parse(m map[string]int) { m["x"] = 1 }
