//go:build go1.23

// Command iterpull traces iter.Pull and iter.Pull2 coroutines (GoSwitch,
// GoCreateBlocked events), run to exhaustion and stopped early.
package main

import (
	"flag"
	"iter"
	"sync"

	"cancelflow.test/corpus/progs/internal/harness"
)

func count(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

func pairs(n int) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		for i := 0; i < n; i++ {
			if !yield(i, "v") {
				return
			}
		}
	}
}

func main() {
	out := flag.String("o", "", "trace output `file`")
	n := flag.Int("n", 200, "values per iterator")
	flag.Parse()
	stop := harness.Start(*out)
	defer stop()

	// Exhausted Pull.
	next, stopPull := iter.Pull(count(*n))
	sum := 0
	for v, ok := next(); ok; v, ok = next() {
		sum += v
	}
	stopPull()

	// Pull2 stopped early.
	next2, stop2 := iter.Pull2(pairs(*n))
	for i := 0; i < *n/4; i++ {
		next2()
	}
	stop2()

	// A Pull that is stopped before its first next() call.
	_, stop3 := iter.Pull(count(*n))
	stop3()

	// Several goroutines driving their own coroutines concurrently.
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next, stop := iter.Pull(count(*n))
			defer stop()
			for i := 0; i < *n/2; i++ {
				if _, ok := next(); !ok {
					return
				}
			}
		}()
	}
	wg.Wait()
	_ = sum

	// A Pull left suspended (never stopped) when the trace ends.
	leftNext, _ := iter.Pull(count(*n))
	leftNext()
}
