// Package leak gives up on a slow worker but leaves it blocked forever.
package leak

import (
	"context"
	"time"
)

// Search returns at ctx's deadline; its worker then blocks on the send.
//
//go:noinline
func Search(ctx context.Context) (int, error) {
	ch := make(chan int)
	go func() {
		time.Sleep(30 * time.Millisecond)
		ch <- 1 // BUG: nobody receives once ctx is done
	}()
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Lookup is Search done right: the worker gives up with ctx.
//
//go:noinline
func Lookup(ctx context.Context) (int, error) {
	ch := make(chan int)
	go func() {
		select {
		case <-time.After(30 * time.Millisecond):
		case <-ctx.Done():
			return
		}
		select {
		case ch <- 1:
		case <-ctx.Done():
		}
	}()
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
