// liveserver: a small Go service with net/http/pprof on loopback, for
// cancelflow's live-input and watch tests (tests/live). It listens on
// 127.0.0.1:0, prints "listening http://127.0.0.1:PORT/debug/pprof/" on
// stdout, and runs background "requests" until killed:
//
//   - always: a fetch under a 10 ms deadline whose worker honours the
//     context (it returns on ctx.Done; its channel is buffered) -- healthy;
//   - -leak: BUG(leak): a fetch whose worker sends its result on an
//     unbuffered channel after the caller left at its deadline: blocked in
//     chan send forever, unreachable (the runtime's goroutine leak profile
//     proves it when built with GOEXPERIMENT=goroutineleakprofile on Go 1.26);
//   - -ignore: BUG(ignore): an export worker woken by its deadline's cancel
//     that goes on writing chunks for 3 s (ignored cancellation).
//
// Standard library only.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"time"
)

var (
	leak   = flag.Bool("leak", false, "plant the leaked goroutine (blocked send after its caller's deadline)")
	ignore = flag.Bool("ignore", false, "plant the ignored cancellation (an export worker that goes on after its cancel)")
	every  = flag.Duration("every", 40*time.Millisecond, "interval between background requests")
)

// fetch: the healthy pattern. The worker's channel is buffered, so it never
// blocks once the caller has gone.
func fetch(ctx context.Context) int {
	result := make(chan int, 1)
	go func() {
		time.Sleep(2 * time.Millisecond)
		result <- 1
	}()
	select {
	case v := <-result:
		return v
	case <-ctx.Done():
		return 0
	}
}

// leakyFetch: BUG(leak): the worker's send on an unbuffered channel blocks
// forever once the caller has returned at its deadline.
func leakyFetch(ctx context.Context) int {
	result := make(chan int)
	go func() {
		time.Sleep(20 * time.Millisecond) // slower than the 10 ms deadline
		result <- 42
	}()
	select {
	case v := <-result:
		return v
	case <-ctx.Done():
		return 0
	}
}

// exportWorker: BUG(ignore): woken by its context's cancel, it keeps writing.
// After the wait it allocates nothing, so that a GC assist never catches it
// at the end of a window: the analysis names a goroutine blocked in a GC
// assist by that transient wait, which would give the same bug a second
// fingerprint now and then (see tests/live/README.md).
func exportWorker(ctx context.Context) {
	t := time.NewTimer(30 * time.Millisecond)
	select {
	case <-t.C:
	case <-ctx.Done():
		t.Stop()
		// the cancel is noticed and ignored
	}
	for i := 0; i < 600; i++ {
		time.Sleep(5 * time.Millisecond) // write a chunk
	}
}

func request() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	fetch(ctx)
	if *leak {
		leakyFetch(ctx)
	}
	if *ignore {
		ectx, ecancel := context.WithTimeout(context.Background(), 15*time.Millisecond)
		go exportWorker(ectx)
		time.Sleep(20 * time.Millisecond)
		ecancel()
	}
}

func main() {
	flag.Parse()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening http://%s/debug/pprof/\n", ln.Addr())
	go func() {
		for {
			go request()
			time.Sleep(*every)
		}
	}()
	if err := http.Serve(ln, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
