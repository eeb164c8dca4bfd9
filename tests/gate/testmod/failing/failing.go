// Package failing has a test that fails on its own (no cancellation bug).
package failing

// Add adds.
func Add(a, b int) int { return a + b }
