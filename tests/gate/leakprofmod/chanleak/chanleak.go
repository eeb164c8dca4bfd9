// Package chanleak abandons workers on channels nobody else holds: the
// runtime's leak profile proves those leaks.
package chanleak

import (
	"context"
	"time"
)

// produce computes a result slowly and hands it over on out.
func produce(out chan<- int) {
	time.Sleep(20 * time.Millisecond)
	out <- 42 // BUG (with First): nobody receives once the caller gave up
}

// First waits for produce until ctx is done; an unbuffered channel leaves
// the producer blocked forever when the deadline wins.
//
//go:noinline
func First(ctx context.Context, buffered bool) (int, error) {
	size := 0
	if buffered {
		size = 1 // room for the late result: the producer always returns
	}
	out := make(chan int, size)
	go produce(out)
	select {
	case v := <-out:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Serve starts a handler for one request, then gives up at ctx's deadline
// without ever sending it: the handler waits forever.
//
//go:noinline
func Serve(ctx context.Context) error {
	requests := make(chan string)
	go func() {
		if r := <-requests; r == "" { // BUG: nothing ever sends
			panic("empty request")
		}
	}()
	<-ctx.Done()
	return ctx.Err()
}
