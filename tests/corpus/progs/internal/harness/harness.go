// Package harness starts and stops one runtime/trace recording per process.
//
// Every corpus program calls Start exactly once: a trace file holds one
// trace.Start/trace.Stop pair, never more.
package harness

import (
	"fmt"
	"os"
	"runtime/trace"
)

// Start creates path and starts the execution tracer writing into it. The
// returned function stops the tracer and closes the file; it exits the
// process on any error so a broken trace is never left behind silently.
func Start(path string) (stop func()) {
	if path == "" {
		Fatalf("missing -o FILE")
	}
	f, err := os.Create(path)
	if err != nil {
		Fatalf("create trace file: %v", err)
	}
	if err := trace.Start(f); err != nil {
		Fatalf("trace.Start: %v", err)
	}
	return func() {
		trace.Stop()
		if err := f.Close(); err != nil {
			Fatalf("close trace file: %v", err)
		}
	}
}

// Fatalf prints a message to stderr and exits with status 1.
func Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

// Check exits via Fatalf when err is not nil.
func Check(what string, err error) {
	if err != nil {
		Fatalf("%s: %v", what, err)
	}
}
