// Command windowloop takes a trace.Start window of a program whose loops make
// a fresh timeout per iteration and wait for it in the same function. Each
// loop is blocked across the first generation boundary, so the trace first
// shows it in a status record (a stack that keeps runtime.gopark), is woken by
// its deadline and blocks again at the same select (a block stack without
// those frames): the same wait, a response, not an ignored cancellation.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/trace"
	"time"
)

func tick(work chan int, timeout time.Duration) {
	for {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		select {
		case <-ctx.Done():
		case <-work:
		}
		cancel()
	}
}

func main() {
	out := flag.String("o", "", "trace output `file`")
	loops := flag.Int("loops", 3, "per-iteration timeout loops")
	timeout := flag.Duration("timeout", 1500*time.Millisecond, "each iteration's timeout")
	window := flag.Duration("window", 2800*time.Millisecond, "how long the trace runs")
	flag.Parse()
	work := make(chan int)
	for i := 0; i < *loops; i++ {
		go tick(work, *timeout)
	}
	time.Sleep(200 * time.Millisecond) // the loops exist before the window
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := trace.Start(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	time.Sleep(*window)
	trace.Stop()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
