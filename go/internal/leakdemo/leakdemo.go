// Package leakdemo leaks goroutines on purpose, for tests that need a leak
// outside cancelflow's own packages (whose goroutines the analysis never
// reports as the user's).
package leakdemo

// LeakOne starts a goroutine blocked forever sending on a channel that only it
// references: the runtime's goroutine leak profile marks it leaked.
func LeakOne() {
	ch := make(chan int)
	go func() { ch <- 1 }()
}
