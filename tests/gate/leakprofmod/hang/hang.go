// Package hang has a test that never ends (built only with -tags
// leakprof_hang): run under a short -timeout, its trace and leak profile
// must still be complete.
package hang

// Start starts a worker waiting on a channel nobody else holds.
//
//go:noinline
func Start() {
	go func() {
		<-make(chan int) // BUG: nothing can ever send
	}()
}
