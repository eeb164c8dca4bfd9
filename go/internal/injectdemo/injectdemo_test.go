package injectdemo

import (
	"testing"
	"time"

	"github.com/cancelflow/cancelflow/go/ctxtracetest"
)

func TestMain(m *testing.M) { ctxtracetest.Main(m, ctxtracetest.Options{}) }

// TestFetch passes with or without injection (the worker always finishes);
// only the trace tells that it ignored an early cancel.
func TestFetch(t *testing.T) {
	ctx := ctxtracetest.T(t)
	Fetch(ctx, 300*time.Millisecond)
}
