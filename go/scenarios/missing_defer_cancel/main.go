// Scenario missing_defer_cancel: lookup creates a 10 s timeout context and
// never calls its CancelFunc (no defer cancel()); the timer and the context
// stay alive after lookup returns. Three lookups, three leaks.
package main

import (
	"context"
	"fmt"
	"time"

	"github.com/cancelflow/cancelflow/go/scenarios/internal/scen"
)

func main() { scen.Main(run) }

func run(ctx context.Context) {
	for i := range 3 {
		_ = lookup(ctx, i)
	}
	time.Sleep(20 * time.Millisecond)
}

//go:noinline
func lookup(ctx context.Context, key int) string {
	ctx, cancel := scen.C.WithTimeout(ctx, 10*time.Second)
	_ = cancel // BUG: should be defer cancel()
	return query(ctx, key)
}

func query(ctx context.Context, key int) string {
	if ctx.Err() != nil {
		return ""
	}
	return fmt.Sprint("value-", key)
}
