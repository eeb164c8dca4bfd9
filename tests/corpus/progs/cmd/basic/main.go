// Command basic traces a little of everything the scheduler does: channels,
// select, mutexes, WaitGroup, Cond, sleeps, loopback TCP, file and pipe
// syscalls, GC, Gosched, a GOMAXPROCS change, goroutines that never return,
// and the context-cancellation scenarios of package ctxwork.
package main

import (
	"flag"
	"time"

	"cancelflow.test/corpus/progs/internal/ctxwork"
	"cancelflow.test/corpus/progs/internal/harness"
	"cancelflow.test/corpus/progs/internal/load"
)

func main() {
	out := flag.String("o", "", "trace output `file`")
	n := flag.Int("n", 1, "work multiplier (rounds of the whole workload)")
	flag.Parse()

	stop := harness.Start(*out)
	defer stop()

	// Goroutines that never return: a nil-channel receive and an empty select.
	go nilChanForever()
	go selectForever()

	for round := 0; round < *n; round++ {
		load.PingPong(200)
		load.Buffered(4, 100)
		load.Select(100)
		load.Mutex(4, 50)
		load.RWMutex(3, 50)
		load.Cond(4)
		load.Sleep(4, time.Millisecond)
		harness.Check("tcp", load.TCP(50))
		harness.Check("files", load.Files(4))
		harness.Check("pipe", load.Pipe(32))
		load.GC()
		ctxwork.RunAll(round == 0)
	}
}

func nilChanForever() {
	var ch chan int
	<-ch
}

func selectForever() { select {} }
