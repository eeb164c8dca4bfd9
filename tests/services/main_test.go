package main

import (
	"context"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"
)

// TestService is the "whole" trace mode: run.sh runs the test binary with
// -test.trace. The variant comes from SERVICES_VARIANT (default clean); with
// SERVICES_TRUTH_OUT set, the test writes its sidecar there.
//
// The service starts, serves load for testLoad, and shuts down gracefully
// before the test returns. For the clean variant the test fails if any
// goroutine it started outlives it (goleak's definition, with a bounded
// wait); the planted bugs do outlive it, by design.
func TestService(t *testing.T) {
	variant := os.Getenv("SERVICES_VARIANT")
	if variant == "" {
		variant = Clean
	}
	if !slices.Contains(Variants, variant) {
		t.Fatalf("unknown SERVICES_VARIANT %q", variant)
	}
	before := runtime.NumGoroutine()

	s, err := NewService(variant)
	if err != nil {
		t.Fatal(err)
	}
	l := StartLoad(s)
	time.Sleep(testLoad)
	l.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if l.Sent.Load() == 0 || s.Requests.Load() == 0 {
		t.Fatalf("no load: sent %d, served %d", l.Sent.Load(), s.Requests.Load())
	}

	// Per-connection goroutines of net/http end asynchronously after
	// CloseIdleConnections and Shutdown: wait for them, boundedly.
	wait := time.Second
	if variant != Clean {
		wait = 100 * time.Millisecond // the planted bugs stay: no need to wait long
	}
	deadline := time.Now().Add(wait)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	left := runtime.NumGoroutine() - before
	if variant == Clean && left > 0 {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines outlive the test:\n%s", left, buf[:runtime.Stack(buf, true)])
	}
	if variant != Clean && left == 0 {
		t.Errorf("variant %s: the planted bug left no goroutine behind", variant)
	}

	if out := os.Getenv("SERVICES_TRUTH_OUT"); out != "" {
		var sc Sidecar
		s.Feed.Hold(func() { sc = sidecar(s, l, variant, "whole", true) })
		if err := writeSidecar(out, sc); err != nil {
			t.Fatal(err)
		}
	}
}

const testLoad = 800 * time.Millisecond
