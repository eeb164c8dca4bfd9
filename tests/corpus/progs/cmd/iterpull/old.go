//go:build !go1.23

package main

import "cancelflow.test/corpus/progs/internal/harness"

func main() { harness.Fatalf("iterpull needs go1.23 or newer (iter.Pull)") }
