package main

import (
	"context"
	"os"
	"sync"
	"time"
)

// planted: a busy program whose trace grows to mb megabytes, and runs for at
// least `least` (on a fast machine the size alone would make a short run), with
// cancellation bugs planted at a steady rate over the whole run, so a report
// of a huge trace must show bugs from its end as well as from its start
// (tests/html, mode "large").
//
// The load: pairs of goroutines passing a token back and forth, and a
// spawner whose short-lived goroutines each get a timeout context that is
// canceled when they finish (healthy cancellations, answered at once). Every
// load goroutine exits before the trace stops.
//
// The bugs, every 100 ms, rotating over two functions of each kind so that
// the findings have several sites:
//   - ignored cancel: a goroutine woken by the cancel of the context it waits
//     on, which then blocks on a channel nobody closes (ignoreA, ignoreB);
//   - leak: a goroutine blocked forever sending on a channel nobody reads
//     (leakA, leakB).
func planted(out string, mb int, least time.Duration) {
	start := time.Now()
	done := make(chan struct{})
	var load sync.WaitGroup
	for p := 0; p < 8; p++ {
		ping, pong := make(chan int), make(chan int)
		load.Add(2)
		go func() {
			defer load.Done()
			for i := 0; ; i++ {
				select {
				case ping <- i:
				case <-done:
					return
				}
				<-pong
			}
		}()
		go func() {
			defer load.Done()
			for {
				select {
				case v := <-ping:
					pong <- v
				case <-done:
					return
				}
			}
		}()
	}
	load.Add(1)
	go func() {
		defer load.Done()
		var jobs sync.WaitGroup
		defer jobs.Wait()
		for {
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
			for k := 0; k < 20; k++ {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				jobs.Add(1)
				go func() {
					defer jobs.Done()
					defer cancel()
					job(ctx)
				}()
			}
		}
	}()

	never := make(chan struct{})
	for i := 0; ; i++ {
		if st, err := os.Stat(out); err == nil && st.Size() >= int64(mb)<<20 && time.Since(start) >= least {
			break
		}
		ctx, cancel := context.WithCancel(context.Background())
		switch i % 4 {
		case 0:
			go ignoreA(ctx, never)
		case 1:
			go ignoreB(ctx, never)
		case 2:
			go leakA(make(chan int))
		case 3:
			go leakB(make(chan int))
		}
		time.Sleep(100 * time.Millisecond)
		cancel()
	}
	// The load stops first, then the last bugs become more than the analysis's
	// grace old: the trace ends about 300 ms after the last plant, however
	// slowly a loaded machine winds the busy goroutines down (in CI, with
	// other tests running, that took 1.9 s and the plants then covered only
	// 69% of the run).
	close(done)
	load.Wait()
	time.Sleep(300 * time.Millisecond)
}

func job(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-time.After(50 * time.Microsecond):
	}
}

func ignoreA(ctx context.Context, never chan struct{}) {
	<-ctx.Done()
	<-never
}

func ignoreB(ctx context.Context, never chan struct{}) {
	<-ctx.Done()
	<-never
}

func leakA(ch chan int) { ch <- 1 }

func leakB(ch chan int) { ch <- 2 }
