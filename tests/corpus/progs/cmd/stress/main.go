// Command stress produces a trace of roughly -bytes bytes: many goroutines
// doing channel ping-pong, mutex contention, timers, syscalls, allocation and
// context cancellation until the trace file reaches the requested size.
//
// The file size is polled while the tracer writes it, so the result
// overshoots the target by whatever the runtime had buffered (typically well
// under a megabyte).
package main

import (
	"context"
	"flag"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"cancelflow.test/corpus/progs/internal/harness"
	"cancelflow.test/corpus/progs/internal/load"
)

func main() {
	out := flag.String("o", "", "trace output `file`")
	target := flag.Int64("bytes", 10<<20, "approximate trace size to produce")
	workers := flag.Int("workers", 16, "worker goroutines per kind of work")
	maxTime := flag.Duration("max", 30*time.Minute, "stop after this long even if the size is not reached")
	flag.Parse()

	stop := harness.Start(*out)
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	harness.Check("open /dev/null", err)

	var quit atomic.Bool
	var wg sync.WaitGroup
	start := func(fn func(id int)) {
		for i := 0; i < *workers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for !quit.Load() {
					fn(i)
				}
			}()
		}
	}
	var mu sync.Mutex
	start(func(int) { load.PingPong(64) })
	start(func(int) {
		mu.Lock()
		load.Alloc(4096, 512)
		mu.Unlock()
		runtime.Gosched()
	})
	start(func(id int) { time.Sleep(time.Duration(50+id) * time.Microsecond) })
	start(func(int) {
		t := time.AfterFunc(20*time.Microsecond, func() {})
		<-time.After(30 * time.Microsecond)
		t.Stop()
	})
	start(func(int) {
		buf := []byte("x")
		for i := 0; i < 16; i++ {
			devnull.Write(buf)
		}
	})
	start(func(int) { load.Alloc(64<<10, 256) })
	start(func(int) { cancelRound() })

	deadline := time.Now().Add(*maxTime)
	for {
		time.Sleep(10 * time.Millisecond)
		fi, err := os.Stat(*out)
		harness.Check("stat", err)
		if fi.Size() >= *target || time.Now().After(deadline) {
			break
		}
	}
	quit.Store(true)
	wg.Wait()
	stop()
	devnull.Close()
}

// cancelRound cancels a small context tree with waiters at two levels, or
// lets a short timeout expire.
func cancelRound() {
	root, cancel := context.WithCancel(context.Background())
	child, cancelChild := context.WithTimeout(root, 200*time.Microsecond)
	defer cancelChild()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); <-root.Done() }()
	go func() { defer wg.Done(); <-child.Done() }()
	<-child.Done()
	cancel()
	wg.Wait()
}
