package chanleak

import (
	"context"
	"testing"
	"time"
)

// Names the generated TestMain (an external test file) must not collide with.
var trace, pprof, flag = 1, 2, 3

// withDeadline runs f under a 5 ms deadline and waits until its worker has
// either finished or blocked.
func withDeadline(t *testing.T, f func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	if err := f(ctx); err == nil {
		t.Fatal("want the deadline's error")
	}
	time.Sleep(40 * time.Millisecond)
}

func TestLeak(t *testing.T) {
	withDeadline(t, func(ctx context.Context) error { _, err := First(ctx, false); return err })
}

func TestParallel(t *testing.T) {
	t.Run("fine", func(t *testing.T) {
		t.Parallel()
		withDeadline(t, func(ctx context.Context) error { _, err := First(ctx, true); return err })
	})
	t.Run("leaks", func(t *testing.T) {
		t.Parallel()
		withDeadline(t, Serve)
	})
}

func TestNames(t *testing.T) {
	if trace+pprof+flag != 6 {
		t.Fatal("names")
	}
}
