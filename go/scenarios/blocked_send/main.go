// Scenario blocked_send: search gives up after its 50 ms deadline, but the
// goroutine it started sends its result on an unbuffered channel nobody
// reads any more: it blocks on the send forever.
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
	_, _ = search(ctx)
	// The worker blocks about 100 ms in; the trace ends 300 ms after that,
	// well past the 100 ms a goroutine is "in flight" even on a loaded machine.
	time.Sleep(400 * time.Millisecond)
}

//go:noinline
func search(ctx context.Context) (string, error) {
	ch := make(chan string)
	go func() {
		defer scen.C.Bind(ctx, "searcher")()
		time.Sleep(100 * time.Millisecond) // a slow backend
		ch <- "result"                     // BUG: should select on ctx.Done() too
	}()
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
