// Package ownplain has its own TestMain without the helper: no leak profile.
package ownplain

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
