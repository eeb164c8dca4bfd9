package ctxtrace

import (
	"context"
	"io"
	"runtime/trace"
	"sync"
	"testing"
	"time"
)

// The "off" benchmarks compare the wrappers with the context package while
// no trace is active; the "on" ones measure the cost while tracing (to
// io.Discard). See BENCHMARKS.md.

func skipIfTracing(b *testing.B) {
	if trace.IsEnabled() {
		b.Skip("a trace is active")
	}
}

func withTracing(b *testing.B) {
	skipIfTracing(b)
	if err := trace.Start(io.Discard); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(trace.Stop)
}

func BenchmarkWithCancel(b *testing.B) {
	bg := context.Background()
	b.Run("std", func(b *testing.B) {
		skipIfTracing(b)
		b.ReportAllocs()
		for b.Loop() {
			_, cancel := context.WithCancel(bg)
			cancel()
		}
	})
	b.Run("wrapped", func(b *testing.B) {
		skipIfTracing(b)
		b.ReportAllocs()
		for b.Loop() {
			_, cancel := WithCancel(bg)
			cancel()
		}
	})
	b.Run("wrapped-tracing", func(b *testing.B) {
		withTracing(b)
		b.ReportAllocs()
		for b.Loop() {
			_, cancel := WithCancel(bg)
			cancel()
		}
	})
}

func BenchmarkWithTimeout(b *testing.B) {
	bg := context.Background()
	b.Run("std", func(b *testing.B) {
		skipIfTracing(b)
		b.ReportAllocs()
		for b.Loop() {
			_, cancel := context.WithTimeout(bg, time.Hour)
			cancel()
		}
	})
	b.Run("wrapped", func(b *testing.B) {
		skipIfTracing(b)
		b.ReportAllocs()
		for b.Loop() {
			_, cancel := WithTimeout(bg, time.Hour)
			cancel()
		}
	})
	b.Run("wrapped-tracing", func(b *testing.B) {
		withTracing(b)
		b.ReportAllocs()
		for b.Loop() {
			_, cancel := WithTimeout(bg, time.Hour)
			cancel()
		}
	})
}

func BenchmarkGo(b *testing.B) {
	ctx := context.Background()
	var wg sync.WaitGroup
	fn := func(context.Context) { wg.Done() }
	b.Run("std", func(b *testing.B) {
		skipIfTracing(b)
		b.ReportAllocs()
		for b.Loop() {
			wg.Add(1)
			go fn(ctx)
		}
		wg.Wait()
	})
	b.Run("wrapped", func(b *testing.B) {
		skipIfTracing(b)
		b.ReportAllocs()
		for b.Loop() {
			wg.Add(1)
			Go(ctx, "bench", fn)
		}
		wg.Wait()
	})
	b.Run("wrapped-tracing", func(b *testing.B) {
		withTracing(b)
		b.ReportAllocs()
		for b.Loop() {
			wg.Add(1)
			Go(ctx, "bench", fn)
		}
		wg.Wait()
	})
}
