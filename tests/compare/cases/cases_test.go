// The cases of the side-by-side comparison (docs/comparison.md). Each is a
// test as a Go developer writes it: a caller gives its work a deadline,
// gives up when it fires, and returns. Leak* cases leave a goroutine behind
// for good; Ok* cases leave nothing, though some goroutines outlive their
// test by a few milliseconds. compare.py holds each case's class and
// expected verdict, and checks them against what the run observed.
package cases

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fetch waits for its worker's result or its deadline, whichever is first.
func fetch(ctx context.Context, result <-chan int) int {
	select {
	case v := <-result:
		return v
	case <-ctx.Done():
		return -1
	}
}

func TestLeakChanSend(t *testing.T) {
	leakcheck(t)
	ctx, cancel := timeout(t)
	defer cancel()
	result := make(chan int) // unbuffered: once fetch gives up, nobody receives
	go func() {
		time.Sleep(30 * time.Millisecond)
		result <- 42
	}()
	fetch(ctx, result)
	time.Sleep(60 * time.Millisecond) // the test goes on with other work
}

func TestLeakChanSendAfterTest(t *testing.T) {
	leakcheck(t)
	ctx, cancel := timeout(t)
	defer cancel()
	result := make(chan int)
	go func() {
		time.Sleep(60 * time.Millisecond) // still working when the test ends
		result <- 42
	}()
	fetch(ctx, result)
}

func TestLeakMutex(t *testing.T) {
	leakcheck(t)
	ctx, cancel := timeout(t)
	defer cancel()
	var mu sync.Mutex
	mu.Lock() // the early return below forgets to unlock
	result := make(chan int, 1)
	go func() {
		mu.Lock()
		defer mu.Unlock()
		result <- 1
	}()
	if fetch(ctx, result) < 0 {
		return
	}
	mu.Unlock()
}

func TestLeakWaitGroup(t *testing.T) {
	leakcheck(t)
	ctx, cancel := timeout(t)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(2) // one more than the goroutines started
	done := make(chan int, 1)
	go func() { defer wg.Done() }()
	go func() {
		wg.Wait()
		done <- 1
	}()
	fetch(ctx, done)
}

func TestLeakNilDone(t *testing.T) {
	leakcheck(t)
	ctx, cancel := timeout(t)
	defer cancel()
	detached := context.Background() // should have been ctx
	result := make(chan int, 1)
	go func() {
		<-detached.Done() // Background's Done is nil: blocks forever
		result <- 1
	}()
	fetch(ctx, result)
}

var jobs = make(chan int) // package-level: reachable for the program's life

func TestLeakGlobalChannel(t *testing.T) {
	leakcheck(t)
	ctx, cancel := timeout(t)
	defer cancel()
	result := make(chan int, 1)
	go func() {
		for j := range jobs { // nobody closes jobs
			result <- j
		}
	}()
	fetch(ctx, result)
}

var keepCancel []context.CancelFunc // keeps a context alive and uncanceled

func TestLeakLiveContextNeverCanceled(t *testing.T) {
	leakcheck(t)
	ctx, cancel := timeout(t)
	defer cancel()
	watchCtx, stop := context.WithCancel(context.Background())
	keepCancel = append(keepCancel, stop) // stop is never called
	go func() {
		<-watchCtx.Done()
	}()
	<-ctx.Done()
}

var spinning atomic.Int64

func TestLeakSpinIgnoresCancel(t *testing.T) {
	leakcheck(t)
	ctx, cancel := timeout(t)
	defer cancel()
	result := make(chan int, 1)
	go func() {
		for { // never looks at ctx
			spinning.Add(1)
		}
	}()
	fetch(ctx, result)
	time.Sleep(150 * time.Millisecond) // the test goes on with other work
}

func TestLeakSleepIgnoresCancel(t *testing.T) {
	leakcheck(t)
	ctx, cancel := timeout(t)
	defer cancel()
	result := make(chan int, 1)
	go func() {
		for { // polls every 5 ms, never looks at ctx
			time.Sleep(5 * time.Millisecond)
		}
	}()
	fetch(ctx, result)
	time.Sleep(150 * time.Millisecond)
}

func TestLeakIOIgnoresCancel(t *testing.T) {
	leakcheck(t)
	ctx, cancel := timeout(t)
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accepts and never writes: a stalled peer
		c, err := ln.Accept()
		if err == nil {
			defer c.Close()
			time.Sleep(time.Hour)
		}
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	result := make(chan int, 1)
	go func() {
		buf := make([]byte, 1)
		io.ReadFull(conn, buf) // no deadline, ctx never consulted
		result <- int(buf[0])
	}()
	fetch(ctx, result)
}

func TestLeakServerNotClosed(t *testing.T) {
	leakcheck(t)
	ctx, cancel := timeout(t)
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	})) // never closed
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	resp, err := srv.Client().Do(req)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

func TestOkExitsOnCancel(t *testing.T) {
	leakcheck(t)
	ctx, cancel := timeout(t)
	defer cancel()
	result := make(chan int)
	go func() {
		select {
		case <-time.After(time.Second):
			result <- 1
		case <-ctx.Done():
		}
	}()
	fetch(ctx, result)
}

func TestOkBufferedResult(t *testing.T) {
	leakcheck(t)
	ctx, cancel := timeout(t)
	defer cancel()
	result := make(chan int, 1) // room for the one abandoned result
	go func() {
		time.Sleep(60 * time.Millisecond)
		result <- 42
	}()
	fetch(ctx, result)
}

func TestOkSleepsPastTest(t *testing.T) {
	leakcheck(t)
	ctx, cancel := timeout(t)
	defer cancel()
	result := make(chan int, 1)
	go func() {
		time.Sleep(60 * time.Millisecond) // ends 40 ms after the test
		result <- 1
	}()
	fetch(ctx, result)
}

func TestOkBlockedPastTest(t *testing.T) {
	leakcheck(t)
	ctx, cancel := timeout(t)
	defer cancel()
	ready := make(chan struct{})
	time.AfterFunc(60*time.Millisecond, func() { close(ready) })
	go func() {
		<-ready // released 40 ms after the test
	}()
	<-ctx.Done()
}

func TestOkPoolClosed(t *testing.T) {
	leakcheck(t)
	ctx, cancel := timeout(t)
	defer cancel()
	work := make(chan int)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
			}
		}()
	}
	t.Cleanup(func() { close(work); wg.Wait() })
	<-ctx.Done()
}

func TestOkServerClosed(t *testing.T) {
	leakcheck(t)
	ctx, cancel := timeout(t)
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	resp, err := srv.Client().Do(req)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
