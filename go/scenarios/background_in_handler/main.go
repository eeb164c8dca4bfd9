// Scenario background_in_handler: a request handler starts work under
// context.Background() instead of the request context, so the request's
// 50 ms deadline does not reach it; the work runs to its own 300 ms timeout.
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
	time.Sleep(350 * time.Millisecond) // the audit outlives the request, then ends
}

//go:noinline
func handle(req context.Context) {
	// BUG: should be scen.C.WithTimeout(req, ...).
	actx, cancel := scen.C.WithTimeout(context.Background(), 300*time.Millisecond)
	go func() {
		defer cancel()
		defer scen.C.Bind(actx, "audit")()
		writeAudit(actx)
	}()
	select {
	case <-req.Done():
	case <-time.After(time.Second):
	}
}

// writeAudit stands for work that honours its context.
func writeAudit(ctx context.Context) { <-ctx.Done() }
