// Scenario foreign_parent: requests carry a custom context.Context type that
// hides its parent's values. Deriving a cancelable context from it makes the
// context package start a propagateCancel goroutine per derived context; the
// handler never cancels them, so each goroutine lives until the (never
// canceled) server context is: two requests, two leaked goroutines.
package main

import (
	"context"
	"time"

	"github.com/cancelflow/cancelflow/go/scenarios/internal/scen"
)

func main() { scen.Main(run) }

type userKey struct{}

// requestCtx is a user-defined Context. Its Value does not delegate, so
// context cannot find the parent's cancelCtx and must watch it with a goroutine.
type requestCtx struct {
	context.Context
	user string
}

func (c requestCtx) Value(k any) any {
	if k == (userKey{}) {
		return c.user
	}
	return nil
}

var (
	serverCtx  context.Context
	stopServer context.CancelFunc // called only when the server stops, after the trace
)

func run(ctx context.Context) {
	serverCtx, stopServer = context.WithCancel(ctx)
	for _, u := range []string{"ann", "bob"} {
		handle(requestCtx{serverCtx, u})
	}
	time.Sleep(50 * time.Millisecond)
}

//go:noinline
func handle(req context.Context) {
	ctx, cancel := scen.C.WithCancel(req)
	_ = cancel // BUG: never called
	_ = ctx.Value(userKey{})
}
