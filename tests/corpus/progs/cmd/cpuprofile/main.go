// Command cpuprofile traces CPU-bound goroutines with the CPU profiler on, so
// the trace carries CPUSample events.
package main

import (
	"flag"
	"io"
	"runtime/pprof"
	"sync"
	"time"

	"cancelflow.test/corpus/progs/internal/harness"
	"cancelflow.test/corpus/progs/internal/load"
)

func main() {
	out := flag.String("o", "", "trace output `file`")
	spin := flag.Duration("spin", 300*time.Millisecond, "how long the goroutines spin")
	g := flag.Int("g", 4, "number of spinning goroutines")
	flag.Parse()

	stop := harness.Start(*out)
	defer stop()
	harness.Check("StartCPUProfile", pprof.StartCPUProfile(io.Discard))
	defer pprof.StopCPUProfile()

	var wg sync.WaitGroup
	for i := 0; i < *g; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Alternate spinning with a little blocking so samples land on
			// goroutines in different states of their life.
			end := time.Now().Add(*spin)
			for time.Now().Before(end) {
				load.Spin(10 * time.Millisecond)
				load.PingPong(5)
			}
		}()
	}
	load.Spin(*spin / 3)
	wg.Wait()
}
