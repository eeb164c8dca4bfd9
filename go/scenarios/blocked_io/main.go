// Scenario blocked_io: a fetcher goroutine reads from a loopback TCP
// connection with no deadline and nothing closing it on cancellation; the
// server never answers, so canceling the context at 50 ms leaves it blocked
// in the read forever.
package main

import (
	"context"
	"net"
	"time"

	"github.com/cancelflow/cancelflow/go/scenarios/internal/scen"
)

func main() { scen.Main(run) }

var conns []net.Conn // server-side connections, kept open

func run(ctx context.Context) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	ctx, cancel := scen.C.WithCancel(ctx)
	fetch(ctx, ln.Addr().String())
	c, err := ln.Accept() // accept, never answer
	if err != nil {
		panic(err)
	}
	conns = append(conns, c)
	time.Sleep(50 * time.Millisecond)
	cancel()
	time.Sleep(200 * time.Millisecond)
}

//go:noinline
func fetch(ctx context.Context, addr string) {
	go func() {
		defer scen.C.Bind(ctx, "fetcher")()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		defer conn.Close()
		buf := make([]byte, 1)
		_, _ = conn.Read(buf) // BUG: no deadline, not closed when ctx is done
	}()
}
