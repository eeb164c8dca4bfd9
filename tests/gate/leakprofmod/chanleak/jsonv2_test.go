//go:build goexperiment.jsonv2

package chanleak

import "testing"

// Built only when the user's GOEXPERIMENT=jsonv2 is kept beside the one
// cancelflow test adds (tests/gate/test_leakprofile.py).
func TestJSONv2(t *testing.T) {}
