package main

import (
	"testing"

	"github.com/cancelflow/cancelflow/go/ctxtracetest"
	"github.com/cancelflow/cancelflow/go/scenarios/internal/scen"
)

func TestMain(m *testing.M) { scen.RunTests(m) }

func TestBuggy_EarlyReturnSkipsCancel(t *testing.T) {
	t.Run("even-item-ok", func(t *testing.T) {
		t.Parallel()
		if err := process(ctxtracetest.T(t), 0); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("odd-item-leaks", func(t *testing.T) {
		t.Parallel()
		if err := process(ctxtracetest.T(t), 1); err == nil {
			t.Fatal("want error")
		}
	})
}
