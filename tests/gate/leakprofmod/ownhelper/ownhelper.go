// Package ownhelper has its own TestMain, which calls the Go module's
// ctxtracetest.RunWithLeakProfile in place of m.Run.
package ownhelper

import "time"

// Wait blocks a worker on a receive from a channel that is never sent on.
//
//go:noinline
func Wait() {
	ch := make(chan int)
	go func() {
		<-ch // BUG: nothing ever sends
	}()
	time.Sleep(10 * time.Millisecond)
}
