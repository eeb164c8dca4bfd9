package xonly_test

import (
	"testing"
	"time"

	"example.com/cfleak/xonly"
)

// Names the generated TestMain (in this package too) must not collide with.
var os, trace, pprof, flag, filepath = 1, 2, 3, 4, 5

func TestAbandon(t *testing.T) {
	xonly.Notify(make(chan struct{})) // BUG: nobody ever reads it
	time.Sleep(30 * time.Millisecond)
	if os+trace+pprof+flag+filepath != 15 {
		t.Fatal("names")
	}
}
