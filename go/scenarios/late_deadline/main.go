// Scenario late_deadline: callBackend gives each call a 2 s timeout, but its
// caller's context expires after 50 ms: the child's deadline is later than
// its parent's and can never apply (the author's intent is lost).
package main

import (
	"context"
	"time"

	"github.com/cancelflow/cancelflow/go/scenarios/internal/scen"
)

func main() { scen.Main(run) }

func run(ctx context.Context) {
	ctx, cancel := scen.C.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_ = callBackend(ctx)
	time.Sleep(20 * time.Millisecond)
}

//go:noinline
func callBackend(ctx context.Context) error {
	ctx, cancel := scen.C.WithTimeout(ctx, 2*time.Second) // BUG: later than the parent's deadline
	defer cancel()
	<-ctx.Done()
	return ctx.Err()
}
