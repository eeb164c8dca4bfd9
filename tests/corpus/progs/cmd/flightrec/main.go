//go:build go1.25

// Command flightrec runs runtime/trace.FlightRecorder and writes one snapshot
// taken in the middle of the run; the snapshot is the trace output, so the
// trace starts mid-execution (goroutines already running or blocked, tasks
// and regions begun before the window).
//
// Generations normally last about a second, longer than this program runs.
// Every WriteTo forces a generation boundary, so the program takes two
// throw-away snapshots (to io.Discard) between phases and uses a small MinAge:
// the final snapshot then holds only the generation(s) of the last phase.
package main

import (
	"context"
	"flag"
	"io"
	"os"
	"runtime/trace"
	"time"

	"cancelflow.test/corpus/progs/internal/ctxwork"
	"cancelflow.test/corpus/progs/internal/harness"
	"cancelflow.test/corpus/progs/internal/load"
)

func main() {
	out := flag.String("o", "", "trace output `file`")
	maxBytes := flag.Uint64("maxbytes", 1<<20, "flight recorder MaxBytes")
	flag.Parse()
	if *out == "" {
		harness.Fatalf("missing -o FILE")
	}

	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{
		MinAge:   5 * time.Millisecond,
		MaxBytes: *maxBytes,
	})
	harness.Check("FlightRecorder.Start", fr.Start())

	// Work that starts before the snapshot window and is still in flight
	// when the snapshot is taken.
	ctx, task := trace.NewTask(context.Background(), "started before snapshot")
	region := trace.StartRegion(ctx, "region open across snapshot")
	blocked := make(chan struct{})
	go func() { <-blocked }()
	for phase := 0; phase < 2; phase++ {
		load.PingPong(100)
		load.Mutex(3, 20)
		harness.Check("tcp", load.TCP(20))
		time.Sleep(10 * time.Millisecond)
		_, err := fr.WriteTo(io.Discard) // forces a new generation
		harness.Check("FlightRecorder.WriteTo(io.Discard)", err)
		time.Sleep(10 * time.Millisecond)
	}
	trace.Log(ctx, "phase", "last phase, inside the snapshot")
	ctxwork.RunAll(true)
	load.PingPong(100)

	f, err := os.Create(*out)
	harness.Check("create", err)
	_, err = fr.WriteTo(f)
	harness.Check("FlightRecorder.WriteTo", err)
	harness.Check("close", f.Close())

	// Work after the snapshot is not in the file.
	load.PingPong(100)
	region.End()
	task.End()
	close(blocked)
	fr.Stop()
}
