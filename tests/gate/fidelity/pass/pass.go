// Package pass has only passing and skipped tests.
package pass

// Double returns 2n.
func Double(n int) int { return 2 * n }
