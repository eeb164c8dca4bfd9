// Package xonly is tested by an external test package only (xonly_test).
package xonly

import "time"

// Notify starts a worker that reports on done, which the caller may stop reading.
//
//go:noinline
func Notify(done chan<- struct{}) {
	go func() {
		time.Sleep(10 * time.Millisecond)
		done <- struct{}{}
	}()
}
