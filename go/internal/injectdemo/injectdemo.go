// Package injectdemo is the test bed of cancellation injection
// (CANCELFLOW_INJECT, docs/ci.md): code whose happy path never cancels its
// context, with a worker that ignores ctx.Done(). Without injection its
// trace is clean; with injection the early cancel exposes the worker.
package injectdemo

import (
	"context"
	"time"

	"github.com/cancelflow/cancelflow/go/ctxtrace"
)

// Fetch runs a worker under a generous timeout and waits for it. The worker
// sleeps instead of watching ctx.Done(): nothing goes wrong until something
// cancels the context early.
//
//go:noinline
func Fetch(parent context.Context, work time.Duration) {
	ctx, cancel := ctxtrace.WithTimeout(parent, time.Hour)
	defer cancel()
	done := make(chan struct{})
	ctxtrace.Go(ctx, "fetch-worker", func(ctx context.Context) {
		defer close(done)
		time.Sleep(work) // ignores ctx
	})
	<-done
}
