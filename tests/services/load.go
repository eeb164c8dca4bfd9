package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Load drives the service from in-process clients: HTTP clients with a
// timeout per request, and a health prober on the raw listener. It is
// bounded both in time (its context) and in requests (maxPerClient).
type Load struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	tr     *http.Transport

	Sent   atomic.Int64
	Failed atomic.Int64 // client-side errors, timeouts included
}

const (
	clients        = 4
	maxPerClient   = 3000
	requestTimeout = 100 * time.Millisecond
	probeEvery     = 25 * time.Millisecond
)

// StartLoad starts the clients; Stop ends them and waits.
func StartLoad(s *Service) *Load {
	ctx, cancel := context.WithCancel(context.Background())
	l := &Load{
		cancel: cancel,
		tr:     &http.Transport{MaxIdleConnsPerHost: clients, IdleConnTimeout: time.Second},
	}
	hc := &http.Client{Transport: l.tr, Timeout: 2 * requestTimeout}
	for i := range clients {
		l.wg.Add(1)
		go l.client(ctx, hc, s.URL(), i)
	}
	l.wg.Add(1)
	go l.prober(ctx, s.ProbeAddr())
	return l
}

// Stop stops the clients, waits for them and closes idle connections.
func (l *Load) Stop() {
	l.cancel()
	l.wg.Wait()
	l.tr.CloseIdleConnections()
}

// client sends requests back to back, over a fixed mix of endpoints
// (8/20 search, 5/20 jobs, 2/20 recommend, 2/20 export, 3/20 session).
func (l *Load) client(ctx context.Context, hc *http.Client, base string, n int) {
	defer l.wg.Done()
	for i := 0; i < maxPerClient && ctx.Err() == nil; i++ {
		id := n*maxPerClient + i
		var method, path string
		// Stride 7 (coprime with 20) interleaves the endpoints, and the
		// per-client offset 5n staggers the clients: every endpoint is hit
		// within about 3 request times, so a 0.5 s snapshot sees each of them.
		switch k := (i*7 + n*5) % 20; {
		case k < 8:
			method, path = http.MethodGet, fmt.Sprintf("/search?tenant=t%d&q=%d", id%6, id)
		case k < 13:
			method, path = http.MethodPost, fmt.Sprintf("/jobs?id=%d", id)
		case k < 15:
			method, path = http.MethodGet, "/recommend"
		case k < 17:
			method, path = http.MethodGet, "/export"
		default:
			method, path = http.MethodGet, fmt.Sprintf("/session?id=%d", id)
		}
		l.Sent.Add(1)
		if err := l.do(ctx, hc, method, base+path); err != nil {
			l.Failed.Add(1)
		}
	}
}

func (l *Load) do(ctx context.Context, hc *http.Client, method, url string) error {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// prober checks the health listener every probeEvery.
func (l *Load) prober(ctx context.Context, addr string) {
	defer l.wg.Done()
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	var d net.Dialer
	for {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
		pctx, cancel := context.WithTimeout(ctx, probeDeadline)
		c, err := d.DialContext(pctx, "tcp", addr)
		cancel()
		if err != nil {
			continue
		}
		c.SetDeadline(time.Now().Add(probeDeadline))
		if _, err := io.WriteString(c, "ping\n"); err == nil {
			bufio.NewReader(c).ReadString('\n')
		}
		c.Close()
	}
}
