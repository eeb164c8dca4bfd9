package ctxtrace_test

import (
	"context"
	"fmt"
	"os"
	"runtime/trace"
	"time"

	"github.com/cancelflow/cancelflow/go/ctxtrace"
)

// Replace context constructors with their ctxtrace counterparts; the
// behaviour is the standard library's.
func ExampleWithTimeout() {
	ctx, cancel := ctxtrace.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	<-ctx.Done()
	fmt.Println(ctx.Err())
	// Output: context deadline exceeded
}

// Start goroutines bound to a context with Go; while tracing, their start,
// exit and overdue exit are recorded.
func ExampleGo() {
	ctx, cancel := ctxtrace.WithCancel(context.Background())
	done := make(chan struct{})
	ctxtrace.Go(ctx, "worker", func(ctx context.Context) {
		<-ctx.Done()
		close(done)
	})
	cancel()
	<-done
	fmt.Println("worker stopped")
	// Output: worker stopped
}

// A program traces itself and calls Flush before stopping the trace, so
// contexts whose CancelFunc was never called are recorded.
func ExampleFlush() {
	f, err := os.CreateTemp("", "example-*.trace")
	if err != nil {
		panic(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if trace.IsEnabled() || trace.Start(f) != nil {
		return
	}
	ctx, cancel := ctxtrace.WithCancel(context.Background())
	_ = ctx // ... cancel is forgotten ...
	ctxtrace.Flush()
	trace.Stop()
	cancel()
}

// A watchdog is told about goroutines that outlive their canceled context.
func ExampleSetWatchdog() {
	restore := ctxtrace.SetWatchdog(time.Second, func(o ctxtrace.Overdue) {
		fmt.Printf("goroutine %d (%s) still running %v after cancel\n", o.GoID, o.Name, o.Elapsed)
	})
	defer restore()
}
