// Scenario goroutine_drops_ctx: a handler starts a goroutine that drops the
// request context and starts its work with context.Background(); the work
// outlives the 50 ms request by 250 ms.
package main

import (
	"context"
	"time"

	"github.com/cancelflow/cancelflow/go/scenarios/internal/scen"
)

func main() { scen.Main(run) }

func run(ctx context.Context) {
	req, cancel := scen.C.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer scen.C.Bind(req, "handler")()
		handle(req)
	}()
	<-done
	time.Sleep(350 * time.Millisecond)
}

//go:noinline
func handle(req context.Context) {
	go func() { refresh() }() // BUG: req is not passed on
	<-req.Done()
}

//go:noinline
func refresh() {
	ctx, cancel := scen.C.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	<-ctx.Done()
}
