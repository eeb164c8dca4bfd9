//go:build !go1.25

package main

import "cancelflow.test/corpus/progs/internal/harness"

func main() { harness.Fatalf("flightrec needs go1.25 or newer (runtime/trace.FlightRecorder)") }
