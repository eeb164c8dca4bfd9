package main

import (
	"testing"

	"github.com/cancelflow/cancelflow/go/ctxtracetest"
	"github.com/cancelflow/cancelflow/go/scenarios/internal/scen"
)

func TestMain(m *testing.M) { scen.RunTests(m) }

func TestBuggy_BlockedIO(t *testing.T) {
	run(ctxtracetest.T(t))
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
}
