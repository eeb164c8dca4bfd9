package ownhelper

import (
	"os"
	"testing"

	"github.com/cancelflow/cancelflow/go/ctxtracetest"
)

func TestMain(m *testing.M) {
	code := ctxtracetest.RunWithLeakProfile(m)
	os.Exit(code)
}

func TestWait(t *testing.T) { Wait() }
