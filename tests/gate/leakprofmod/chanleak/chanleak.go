// Package chanleak gives up on a slow worker but leaves it blocked forever
// on a channel nobody else holds: the runtime's leak profile proves it.
package chanleak

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
		time.Sleep(20 * time.Millisecond)
		ch <- 1 // BUG: nobody receives once ctx is done
	}()
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Fetch is Search again, at a site of its own (the parallel subtest's leak).
//
//go:noinline
func Fetch(ctx context.Context) (int, error) {
	ch := make(chan int)
	go func() {
		time.Sleep(20 * time.Millisecond)
		ch <- 2 // BUG: nobody receives once ctx is done
	}()
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Lookup is Search done right: the channel has room for the late result.
//
//go:noinline
func Lookup(ctx context.Context) (int, error) {
	ch := make(chan int, 1)
	go func() {
		time.Sleep(20 * time.Millisecond)
		ch <- 1
	}()
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
