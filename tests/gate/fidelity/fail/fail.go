// Package fail has failing tests with logs, subtests and parallel tests.
package fail

// Add returns a+b.
func Add(a, b int) int { return a + b }
