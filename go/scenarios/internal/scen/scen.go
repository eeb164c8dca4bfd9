// Package scen is the tiny indirection that lets every scenario program run
// with or without instrumentation: scenarios call the context constructors
// through C, a struct of function values that holds either the context
// package's functions (Std) or ctxtrace's (Traced). Calling through a
// function value adds no stack frame of this package, so creation sites and
// goroutine start functions are the same in both variants.
package scen

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/trace"
	"testing"
	"time"

	"github.com/cancelflow/cancelflow/go/ctxtrace"
	"github.com/cancelflow/cancelflow/go/ctxtracetest"
)

// API is the set of functions a scenario uses.
type API struct {
	WithCancel      func(context.Context) (context.Context, context.CancelFunc)
	WithCancelCause func(context.Context) (context.Context, context.CancelCauseFunc)
	WithTimeout     func(context.Context, time.Duration) (context.Context, context.CancelFunc)
	WithDeadline    func(context.Context, time.Time) (context.Context, context.CancelFunc)
	WithoutCancel   func(context.Context) context.Context
	AfterFunc       func(context.Context, func()) func() bool
	// Bind binds the calling goroutine to a context (ctxtrace.Bind); a no-op
	// without instrumentation. Use as the first statement of a goroutine:
	// defer scen.C.Bind(ctx, "name")().
	Bind func(context.Context, string) func()
}

func nop() {}

// Std is the uninstrumented API.
var Std = API{
	WithCancel:      context.WithCancel,
	WithCancelCause: context.WithCancelCause,
	WithTimeout:     context.WithTimeout,
	WithDeadline:    context.WithDeadline,
	WithoutCancel:   context.WithoutCancel,
	AfterFunc:       context.AfterFunc,
	Bind:            func(context.Context, string) func() { return nop },
}

// Traced is the instrumented API.
var Traced = API{
	WithCancel:      ctxtrace.WithCancel,
	WithCancelCause: ctxtrace.WithCancelCause,
	WithTimeout:     ctxtrace.WithTimeout,
	WithDeadline:    ctxtrace.WithDeadline,
	WithoutCancel:   ctxtrace.WithoutCancel,
	AfterFunc:       ctxtrace.AfterFunc,
	Bind:            ctxtrace.Bind,
}

// C is the API in use.
var C = Std

// Main parses the scenario flags (-o FILE, -instrument), starts the trace,
// runs run with context.Background(), calls ctxtrace.Flush when
// instrumented, and stops the trace. Goroutines the scenario leaks are still
// alive when the trace stops.
func Main(run func(ctx context.Context)) {
	out := flag.String("o", "", "write the execution trace to `file`")
	instrument := flag.Bool("instrument", false, "use ctxtrace instead of context")
	flag.Parse()
	if *instrument {
		C = Traced
	}
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := trace.Start(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer func() {
			if *instrument {
				ctxtrace.Flush()
			}
			trace.Stop()
			if err := f.Close(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}()
	}
	run(context.Background())
}

// RunTests is TestMain for scenario packages: it switches to the
// instrumented API and runs the tests with ctxtracetest (set
// CANCELFLOW_TRACE=file, or use go test -trace, to get a trace).
func RunTests(m *testing.M) {
	C = Traced
	ctxtracetest.Main(m, ctxtracetest.Options{})
}
