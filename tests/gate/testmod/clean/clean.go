// Package clean has a worker that honours cancellation.
package clean

import (
	"context"
	"time"
)

// Fetch waits for a result or gives up with ctx; its worker always returns.
func Fetch(ctx context.Context) error {
	ch := make(chan int, 1) // buffered: the worker never blocks on the send
	go func() {
		time.Sleep(5 * time.Millisecond)
		ch <- 1
	}()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
