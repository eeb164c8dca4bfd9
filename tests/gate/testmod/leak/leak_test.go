package leak

import (
	"context"
	"testing"
	"time"
)

func search(t *testing.T, f func(context.Context) (int, error)) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	if _, err := f(ctx); err == nil {
		t.Fatal("want a deadline error")
	}
	time.Sleep(60 * time.Millisecond) // the worker has woken and sent (or given up) by now
}

func TestLeak(t *testing.T) { search(t, Search) }

func TestParallel(t *testing.T) {
	t.Run("fine", func(t *testing.T) {
		t.Parallel()
		search(t, Lookup)
	})
	t.Run("leaks", func(t *testing.T) {
		t.Parallel()
		search(t, Search)
	})
}
