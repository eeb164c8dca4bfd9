// Command leaks leaves goroutines blocked forever in every common way, so
// the trace ends with many Waiting goroutines whose wait sites differ: nil
// channels, select{}, channels nobody serves, a mutex never unlocked, a
// WaitGroup never done, a Cond never signaled, a long sleep, a TCP accept
// and read, a pipe read, contexts that are never canceled or cannot be.
package main

import (
	"context"
	"flag"
	"net"
	"os"
	"sync"
	"time"

	"cancelflow.test/corpus/progs/internal/ctxwork"
	"cancelflow.test/corpus/progs/internal/harness"
)

func main() {
	out := flag.String("o", "", "trace output `file`")
	copies := flag.Int("copies", 3, "goroutines leaked per kind")
	hold := flag.Duration("hold", 20*time.Millisecond, "how long the leaks last before the trace stops")
	flag.Parse()
	stop := harness.Start(*out)
	defer stop()

	var nilCh chan int
	unservedRecv := make(chan int)
	unservedSend := make(chan int)
	var mu sync.Mutex
	mu.Lock()
	var wg sync.WaitGroup
	wg.Add(1)
	cond := sync.NewCond(&sync.Mutex{})
	ctx, cancel := context.WithCancel(context.Background())
	_ = cancel // never called: the waiters below leak
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Check("listen", err)
	pr, pw, err := os.Pipe()
	harness.Check("pipe", err)
	defer pw.Close()

	for i := 0; i < *copies; i++ {
		go leakNilRecv(nilCh)
		go leakNilSend(nilCh)
		go leakSelectEmpty()
		go leakRecv(unservedRecv)
		go leakSend(unservedSend)
		go leakSelect(unservedRecv, nilCh)
		go leakMutex(&mu)
		go leakWaitGroup(&wg)
		go leakCond(cond)
		go leakSleep()
		go leakCtx(ctx)
		go leakAccept(ln)
		go leakPipe(pr)
	}
	// A connected TCP pair where the server reads and the client never writes.
	conn, err := net.Dial("tcp", ln.Addr().String())
	harness.Check("dial", err)
	defer conn.Close()
	ctxwork.LeakBackground()
	ctxwork.LeakWithoutCancel()
	ctxwork.LeakForeignPropagation()
	time.Sleep(*hold)
}

func leakNilRecv(ch chan int)  { <-ch }
func leakNilSend(ch chan int)  { ch <- 1 }
func leakSelectEmpty()         { select {} }
func leakRecv(ch chan int)     { <-ch }
func leakSend(ch chan int)     { ch <- 1 }
func leakMutex(mu *sync.Mutex) { mu.Lock() }
func leakWaitGroup(wg *sync.WaitGroup) {
	wg.Wait()
}
func leakSleep()                  { time.Sleep(time.Hour) }
func leakCtx(ctx context.Context) { <-ctx.Done() }

func leakSelect(a, b chan int) {
	select {
	case <-a:
	case b <- 1:
	}
}

func leakCond(c *sync.Cond) {
	c.L.Lock()
	c.Wait()
	c.L.Unlock()
}

func leakAccept(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	buf := make([]byte, 1)
	c.Read(buf) // the client never writes
}

func leakPipe(r *os.File) {
	buf := make([]byte, 1)
	r.Read(buf)
}
