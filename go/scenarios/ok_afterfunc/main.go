// Scenario ok_afterfunc (negative control): a reader blocked on a loopback
// connection is released on cancellation by context.AfterFunc closing the
// connection; a second AfterFunc is stopped before it runs.
package main

import (
	"context"
	"net"
	"time"

	"github.com/cancelflow/cancelflow/go/scenarios/internal/scen"
)

func main() { scen.Main(run) }

func run(ctx context.Context) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	ctx, cancel := scen.C.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	read(ctx, ln.Addr().String(), done)
	srv, err := ln.Accept()
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	stop := scen.C.AfterFunc(ctx, func() { panic("stopped AfterFunc ran") })
	if !stop() {
		panic("stop failed")
	}
	time.Sleep(30 * time.Millisecond)
	cancel()
	<-done
	time.Sleep(20 * time.Millisecond)
}

//go:noinline
func read(ctx context.Context, addr string, done chan<- struct{}) {
	go func() {
		defer close(done)
		defer scen.C.Bind(ctx, "reader")()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		stop := scen.C.AfterFunc(ctx, func() { conn.Close() })
		defer stop()
		buf := make([]byte, 1)
		_, _ = conn.Read(buf) // returns when AfterFunc closes conn
	}()
}
