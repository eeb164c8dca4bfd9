// Scenario withoutcancel_in_handler: a handler detaches follow-up work with
// context.WithoutCancel, so the request's cancellation never reaches it (the
// work runs 300 ms after a 50 ms request).
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
	bg := scen.C.WithoutCancel(req) // BUG: detached from the request
	go func() {
		defer scen.C.Bind(bg, "email")()
		sendEmail(bg)
	}()
	<-req.Done()
}

func sendEmail(ctx context.Context) {
	select {
	case <-ctx.Done(): // never: ctx is detached
	case <-time.After(300 * time.Millisecond):
	}
}
