// Command services runs a small production-style Go service (HTTP API on
// loopback, job pool with per-job timeouts, metrics ticker, lazily started
// per-tenant loops with a timeout per tick, a change feed, a raw TCP accept
// loop) under bounded in-process load, and writes an execution trace of it:
//
//	services -variant clean|ignore_cancel|blocked_send|background_ctx|prewindow_leak \
//	         -mode window|flight -o FILE
//
//	services -variant V -mode live -o FILE
//
// window: 400 ms of warm-up under load, then trace.Start, 1 s, trace.Stop
// while the load goes on. live: net/http/pprof on another loopback port,
// printed as "pprof http://127.0.0.1:PORT/debug/pprof/" once warmed up; the
// load goes on until a line (or EOF) on stdin, then the sidecar is written
// (FILE itself is the trace `cancelflow analyze --keep-trace FILE URL` took). flight: a flight recorder started before the
// service, snapshot (WriteTo) after 1.5 s of load. The third mode, a whole
// `go test -trace` run, is TestService in main_test.go.
//
// At the end the program writes FILE.truth.json with the counts it knows
// (README.md). The service shuts down gracefully before the program exits.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/trace"
	"slices"
	"time"
)

const (
	warmup      = 400 * time.Millisecond
	window      = time.Second
	afterWindow = 100 * time.Millisecond // load goes on after trace.Stop
	flightLoad  = 1500 * time.Millisecond
	flightAge   = 200 * time.Millisecond // FlightRecorderConfig.MinAge: well under the ~1 s generation, so the first generation (program start) is dropped and the snapshot is a strict suffix
	flightBytes = 4 << 20
)

// Sidecar is FILE.truth.json.
type Sidecar struct {
	Schema  int    `json:"schema"`
	Variant string `json:"variant"`
	Mode    string `json:"mode"`
	// Change-feed publishers (the prewindow_leak class in that variant).
	FeedCreated int `json:"feed_created"`
	// Publishers stuck in their send at the end (trace.Stop / snapshot / test end).
	StuckAtEnd int `json:"stuck_at_end"`
	// Of StuckAtEnd, those created before trace.Start (window), before the
	// test's trace began (whole: 0); null for flight, where the snapshot's
	// start is not known to the program (the scorer derives it from the trace).
	PreTraceStuck *int `json:"pre_trace_stuck"`
	// Other counts of goroutine classes, at the end.
	Counts map[string]int64 `json:"counts"`
}

func sidecar(s *Service, l *Load, variant, mode string, preTrace bool) Sidecar {
	created, stuck, pre := s.Feed.Counts()
	sc := Sidecar{Schema: 1, Variant: variant, Mode: mode, FeedCreated: created, StuckAtEnd: stuck}
	if preTrace {
		sc.PreTraceStuck = &pre
	}
	sc.Counts = map[string]int64{
		"requests":       s.Requests.Load(),
		"client_sent":    l.Sent.Load(),
		"client_failed":  l.Failed.Load(),
		"jobs_done":      s.JobsDone.Load(),
		"jobs_timed_out": s.JobsTimedOut.Load(),
		"tenant_loops":   s.TenantLoops.Load(),
		"tenant_ticks":   s.TenantTicks.Load(),
		"probes":         s.Probes.Load(),
		"exports":        s.Exports.Load(),
		"exports_alive":  s.ExportsAlive.Load(),
		"rec_senders":    s.RecSenders.Load(),
		"rec_stuck":      s.RecStuck.Load(),
		"sessions":       s.Sessions.Load(),
		"sessions_held":  s.SessionsHeld.Load(),
	}
	return sc
}

func writeSidecar(path string, sc Sidecar) error {
	b, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func main() {
	variant := flag.String("variant", os.Getenv("SERVICES_VARIANT"), "clean, ignore_cancel, blocked_send, background_ctx or prewindow_leak")
	mode := flag.String("mode", "window", "window, flight or live")
	out := flag.String("o", "", "trace file (required)")
	flag.Parse()
	if *out == "" || !slices.Contains(Variants, *variant) || (*mode != "window" && *mode != "flight" && *mode != "live") {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*variant, *mode, *out); err != nil {
		fmt.Fprintln(os.Stderr, "services:", err)
		os.Exit(1)
	}
}

func run(variant, mode, out string) error {
	if mode == "live" {
		return runLive(variant, out)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()

	var fr *trace.FlightRecorder
	if mode == "flight" {
		fr = trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: flightAge, MaxBytes: flightBytes})
		if err := fr.Start(); err != nil {
			return err
		}
	}
	s, err := NewService(variant)
	if err != nil {
		return err
	}
	l := StartLoad(s)

	var sc Sidecar
	switch mode {
	case "window":
		time.Sleep(warmup)
		var startErr error
		s.Feed.Mark(func() { startErr = trace.Start(f) })
		if startErr != nil {
			return startErr
		}
		time.Sleep(window)
		s.Feed.Hold(func() {
			sc = sidecar(s, l, variant, mode, true)
			trace.Stop()
		})
		time.Sleep(afterWindow)
	case "flight":
		time.Sleep(flightLoad)
		var werr error
		s.Feed.Hold(func() {
			sc = sidecar(s, l, variant, mode, false)
			_, werr = fr.WriteTo(f)
		})
		if werr != nil {
			return werr
		}
		fr.Stop()
	}

	if err := stop(s, l); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return writeSidecar(out+".truth.json", sc)
}

// runLive: the service with net/http/pprof on its own loopback listener, for
// cancelflow's live input (tests/services/run.sh drives it). The sidecar is
// taken after stdin says the trace and the leak profile were fetched, so
// stuck_at_end bounds the stuck publishers the trace can show.
func runLive(variant, out string) error {
	s, err := NewService(variant)
	if err != nil {
		return err
	}
	l := StartLoad(s)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index) // named profiles, goroutineleak included when the runtime has it
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	time.Sleep(warmup)
	fmt.Printf("pprof http://%s/debug/pprof/\n", ln.Addr())
	bufio.NewReader(os.Stdin).ReadString('\n')
	var sc Sidecar
	s.Feed.Hold(func() { sc = sidecar(s, l, variant, "live", false) })
	srv.Close()
	if err := stop(s, l); err != nil {
		return err
	}
	return writeSidecar(out+".truth.json", sc)
}

// stop ends the load, then shuts the service down gracefully (2 s at most).
func stop(s *Service, l *Load) error {
	l.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
