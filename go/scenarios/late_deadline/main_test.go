package main

import (
	"testing"

	"github.com/cancelflow/cancelflow/go/ctxtracetest"
	"github.com/cancelflow/cancelflow/go/scenarios/internal/scen"
)

func TestMain(m *testing.M) { scen.RunTests(m) }

func TestBuggy_LateDeadline(t *testing.T) { run(ctxtracetest.T(t)) }
