// Package examples has a runnable example that prints who called testing's
// M.Run: main.main under go test, a TestMain if one were added. cancelflow
// test adds none here (no leak profile), so the example passes as under go test.
package examples

import "runtime"

// RunCaller is the function that called testing.(*M).Run on this goroutine.
func RunCaller() string {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(1, pcs)])
	below := false
	for {
		f, more := frames.Next()
		if below {
			return f.Function
		}
		below = f.Function == "testing.(*M).Run"
		if !more {
			return ""
		}
	}
}
