// Command cancel-demo writes a small execution trace in which four goroutines
// wait on a context that is canceled explicitly, one waits on a timeout, and
// a user log carries hostile bytes. It produces examples/traces/cancel-demo.trace:
//
//	go run ./examples/cancel-demo ../traces/cancel-demo.trace   (from examples/cancel-demo)
package main

import (
	"context"
	"log"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: cancel-demo OUT.trace")
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); <-ctx.Done() }()
	}
	tctx, tcancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer tcancel()
	wg.Add(1)
	go func() { defer wg.Done(); <-tctx.Done() }()
	time.Sleep(10 * time.Millisecond)
	trace.Log(ctx, "k\"ey", "va\x00l\n<script>\xff")
	cancel()
	wg.Wait()
	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
