package crash

import "testing"

func TestBeforeCrash(t *testing.T) {}

// The test binary dies here: go test reports the failure; the trace is cut short.
func TestPanics(t *testing.T) { panic("intentional panic") }
