package main

import (
	"testing"

	"github.com/cancelflow/cancelflow/go/ctxtracetest"
	"github.com/cancelflow/cancelflow/go/scenarios/internal/scen"
)

func TestMain(m *testing.M) { scen.RunTests(m) }

func TestControl_ErrgroupFanout(t *testing.T) {
	t.Run("one-fails", func(t *testing.T) {
		t.Parallel()
		if err := fanout(ctxtracetest.T(t), 4, 2); err == nil {
			t.Error("want the worker's error")
		}
	})
	t.Run("all-succeed", func(t *testing.T) {
		t.Parallel()
		if err := fanout(ctxtracetest.T(t), 4, -1); err != nil {
			t.Error(err)
		}
	})
}
