// Scenario ok_errgroup_fanout (negative control): errgroup-style fan-out
// written with the standard library. Four workers share a context; worker 2
// fails after 20 ms, which cancels the context with the error as cause, and
// the other workers return at once. Nothing leaks, nothing is slow.
package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cancelflow/cancelflow/go/scenarios/internal/scen"
)

func main() { scen.Main(func(ctx context.Context) { _ = fanout(ctx, 4, 2) }) }

// group is a minimal errgroup.Group.
type group struct {
	wg     sync.WaitGroup
	cancel context.CancelCauseFunc
	once   sync.Once
	err    error
}

func withContext(ctx context.Context) (*group, context.Context) {
	ctx, cancel := scen.C.WithCancelCause(ctx)
	return &group{cancel: cancel}, ctx
}

func (g *group) Go(f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil {
			g.once.Do(func() {
				g.err = err
				g.cancel(err)
			})
		}
	}()
}

func (g *group) Wait() error {
	g.wg.Wait()
	g.cancel(g.err)
	return g.err
}

// fanout runs n workers; worker failing (if in range) fails after 20 ms,
// the others work until canceled or for 1 s.
func fanout(ctx context.Context, n, failing int) error {
	g, ctx := withContext(ctx)
	for i := range n {
		g.Go(func() error {
			defer scen.C.Bind(ctx, fmt.Sprint("worker-", i))()
			if i == failing {
				time.Sleep(20 * time.Millisecond)
				return errors.New("worker failed")
			}
			select {
			case <-ctx.Done():
				return context.Cause(ctx)
			case <-time.After(30 * time.Millisecond):
				return nil
			}
		})
	}
	err := g.Wait()
	time.Sleep(10 * time.Millisecond)
	return err
}
