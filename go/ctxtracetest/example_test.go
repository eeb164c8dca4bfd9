package ctxtracetest_test

import (
	"context"
	"testing"

	"github.com/cancelflow/cancelflow/go/ctxtrace"
	"github.com/cancelflow/cancelflow/go/ctxtracetest"
)

// In a package's tests, add a TestMain calling Main, then run
// CANCELFLOW_TRACE=out.trace go test ./pkg (or go test -trace out.trace).
func ExampleMain() {
	var m *testing.M // the *testing.M passed to TestMain
	if m != nil {
		ctxtracetest.Main(m, ctxtracetest.Options{})
	}
}

// Each test gets its traced context from T.
func ExampleT() {
	testX := func(t *testing.T) {
		ctx := ctxtracetest.T(t)
		ctx, cancel := ctxtrace.WithCancel(ctx)
		defer cancel()
		ctxtrace.Go(ctx, "worker", func(ctx context.Context) { <-ctx.Done() })
	}
	_ = testX
}
