// Package load is the ordinary scheduler work the corpus programs trace:
// channels, select, mutexes, WaitGroup, Cond, sleeps, loopback TCP, file and
// pipe syscalls, GC and allocation. Every function returns only after all
// goroutines it started have exited.
package load

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// Sink keeps allocations reachable long enough to not be optimised away.
var Sink []byte

// PingPong bounces a token n times over an unbuffered channel pair.
func PingPong(n int) {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
	}
	close(ping)
	<-pong
}

// Buffered runs producers and consumers over a buffered channel.
func Buffered(producers, items int) {
	ch := make(chan []byte, 8)
	var wg sync.WaitGroup
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < items; i++ {
				ch <- make([]byte, 64)
			}
		}()
	}
	done := make(chan int)
	go func() {
		total := 0
		for b := range ch {
			total += len(b)
		}
		done <- total
	}()
	wg.Wait()
	close(ch)
	<-done
}

// Select multiplexes three channels and a timer in a select loop.
func Select(n int) {
	a, b, c := make(chan int), make(chan int, 1), make(chan int)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			a <- i
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			b <- i
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			c <- i
		}
	}()
	go func() { wg.Wait(); close(quit) }()
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-a:
		case <-b:
		case <-c:
		case <-t.C:
		case <-quit:
			return
		}
	}
}

// Mutex makes g goroutines contend for one sync.Mutex.
func Mutex(g, iters int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	counter := 0
	for i := 0; i < g; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < iters; j++ {
				mu.Lock()
				counter++
				spin(2000)
				mu.Unlock()
				if j%8 == 0 {
					runtime.Gosched()
				}
			}
		}()
	}
	wg.Wait()
	_ = counter
}

// RWMutex mixes readers and one writer.
func RWMutex(readers, iters int) {
	var mu sync.RWMutex
	var wg sync.WaitGroup
	for i := 0; i < readers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < iters; j++ {
				mu.RLock()
				spin(500)
				mu.RUnlock()
			}
		}()
	}
	for j := 0; j < iters; j++ {
		mu.Lock()
		spin(500)
		mu.Unlock()
	}
	wg.Wait()
}

// Cond wakes waiters one by one with Signal and then all with Broadcast.
func Cond(waiters int) {
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	ready, released := 0, 0
	var wg sync.WaitGroup
	for i := 0; i < waiters; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			ready++
			for released == 0 {
				cond.Wait()
			}
			mu.Unlock()
		}()
	}
	for {
		mu.Lock()
		r := ready
		mu.Unlock()
		if r == waiters {
			break
		}
		time.Sleep(100 * time.Microsecond)
	}
	time.Sleep(time.Millisecond)
	mu.Lock()
	cond.Signal() // spurious for the loop condition: the woken waiter waits again
	mu.Unlock()
	time.Sleep(time.Millisecond)
	mu.Lock()
	released = 1
	cond.Broadcast()
	mu.Unlock()
	wg.Wait()
}

// Sleep starts g goroutines that sleep d and then exit.
func Sleep(g int, d time.Duration) {
	var wg sync.WaitGroup
	for i := 0; i < g; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); time.Sleep(d) }()
	}
	wg.Wait()
}

// TCP runs an echo server on 127.0.0.1 and a client exchanging msgs messages.
func TCP(msgs int) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	srvDone := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			srvDone <- err
			return
		}
		defer c.Close()
		_, err = io.Copy(c, c)
		srvDone <- err
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return err
	}
	buf := make([]byte, 512)
	for i := 0; i < msgs; i++ {
		if _, err := c.Write(buf); err != nil {
			return err
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			return err
		}
	}
	c.Close()
	return <-srvDone
}

// Files writes, syncs, re-reads and removes files in a temporary directory.
func Files(n int) error {
	dir, err := os.MkdirTemp("", "cancelflow-corpus-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	data := make([]byte, 32<<10)
	for i := 0; i < n; i++ {
		name := filepath.Join(dir, fmt.Sprintf("f%d", i))
		f, err := os.Create(name)
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		if _, err := os.ReadFile(name); err != nil {
			return err
		}
	}
	return nil
}

// Pipe streams bytes through an os.Pipe from a writer goroutine.
func Pipe(chunks int) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	go func() {
		buf := make([]byte, 4096)
		for i := 0; i < chunks; i++ {
			if _, err := w.Write(buf); err != nil {
				break
			}
			if i%4 == 0 {
				time.Sleep(50 * time.Microsecond)
			}
		}
		w.Close()
	}()
	_, err = io.Copy(io.Discard, r)
	r.Close()
	return err
}

// Alloc allocates about total bytes of short-lived garbage in chunks.
func Alloc(total, chunk int) {
	for n := 0; n < total; n += chunk {
		Sink = make([]byte, chunk)
	}
}

// GC runs the collector explicitly, yields, and flips GOMAXPROCS to 1 and back.
func GC() {
	Alloc(1<<20, 64<<10)
	// runtime.GC busy-waits with Gosched (one GoStop each) until concurrent
	// sweeping is done; with several Ps that can be tens of thousands of
	// events. With one P the sweeper runs at the first yield.
	old := runtime.GOMAXPROCS(1)
	runtime.GC()
	runtime.Gosched()
	PingPong(20)
	runtime.GOMAXPROCS(old)
}

// Spin burns CPU for about d on the calling goroutine.
func Spin(d time.Duration) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		spin(10000)
	}
}

var spinSink uint64

func spin(n int) {
	x := spinSink
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	spinSink = x
}
