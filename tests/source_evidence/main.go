// A whole-program trace whose leaks need the source to be told apart
// (tests/source_evidence/README.md): regenerate the committed trace with
//
//	go build -trimpath -o /tmp/se . && /tmp/se leaks.trace
package main

import (
	"context"
	"net"
	"os"
	"runtime/trace"
	"time"
)

// waitForShutdown waits on a context that can never be canceled: Done() of
// context.Background() is a nil channel (a detached context).
func waitForShutdown(ctx context.Context) {
	<-ctx.Done()
}

// pump has a way out (ctx.Done()), but its owner never cancels ctx.
func pump(ctx context.Context, in <-chan int) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-in:
		}
	}
}

// serve accepts on a listener nobody closes.
func serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Close()
	}
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	go waitForShutdown(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	_ = cancel // never called: the bug
	go pump(ctx, make(chan int))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go serve(ln)
	time.Sleep(300 * time.Millisecond)
	trace.Stop()
	f.Close()
}
