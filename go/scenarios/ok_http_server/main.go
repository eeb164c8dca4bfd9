// Scenario ok_http_server (negative control): an HTTP server on 127.0.0.1
// whose handler waits on the request context; the client gives up after
// 50 ms, the server notices the closed connection, cancels the request
// context, and the handler returns. The server then shuts down cleanly.
package main

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/cancelflow/cancelflow/go/scenarios/internal/scen"
)

func main() { scen.Main(run) }

func run(ctx context.Context) {
	handlerDone := make(chan struct{}, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { handlerDone <- struct{}{} }()
		defer scen.C.Bind(r.Context(), "handler")()
		select {
		case <-r.Context().Done():
		case <-time.After(time.Second):
			_, _ = w.Write([]byte("late"))
		}
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln)
	}()

	client := &http.Client{Transport: &http.Transport{}}
	rctx, cancel := scen.C.WithTimeout(ctx, 50*time.Millisecond)
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, "http://"+ln.Addr().String()+"/slow", nil)
	if err != nil {
		panic(err)
	}
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
	}
	cancel()
	<-handlerDone

	sctx, scancel := scen.C.WithTimeout(ctx, time.Second)
	defer scancel()
	_ = srv.Shutdown(sctx)
	<-served
	client.CloseIdleConnections()
	time.Sleep(20 * time.Millisecond)
}
