package chanleak

import (
	"context"
	"testing"
	"time"
)

// Names the generated TestMain (an external test file) must not collide with.
var trace, pprof, flag = 1, 2, 3

func search(t *testing.T, f func(context.Context) (int, error)) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	if _, err := f(ctx); err == nil {
		t.Fatal("want a deadline error")
	}
	time.Sleep(40 * time.Millisecond) // the worker has woken and sent (or blocked) by now
}

func TestLeak(t *testing.T) { search(t, Search) }

func TestParallel(t *testing.T) {
	t.Run("fine", func(t *testing.T) {
		t.Parallel()
		search(t, Lookup)
	})
	t.Run("leaks", func(t *testing.T) {
		t.Parallel()
		search(t, Fetch)
	})
}

func TestNames(t *testing.T) {
	if trace+pprof+flag != 6 {
		t.Fatal("names")
	}
}
