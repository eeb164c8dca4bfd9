package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Variant names: "clean" and one per planted bug. The bug sites are marked
// with "BUG(<variant>)" comments; everything else is meant to be correct.
const (
	Clean         = "clean"
	IgnoreCancel  = "ignore_cancel"
	BlockedSend   = "blocked_send"
	BackgroundCtx = "background_ctx"
	PrewindowLeak = "prewindow_leak"
)

// Variants lists every variant, clean first.
var Variants = []string{Clean, IgnoreCancel, BlockedSend, BackgroundCtx, PrewindowLeak}

// Timing of the service. Every budget below is a hard bound on the healthy
// code: nothing healthy waits longer than a request's budget, a job's
// timeout or the service context.
const (
	searchBudget      = 40 * time.Millisecond // /search: fan-out to the shards
	jobTimeout        = 25 * time.Millisecond // per job, in the pool worker
	recommendBudget   = 30 * time.Millisecond // /recommend
	recommenderLag    = 60 * time.Millisecond // the recommender is always slower than the budget, and takes no ctx
	exportBudget      = 40 * time.Millisecond // /export
	exportChunks      = 400                   // an export never fits its budget
	exportStorageWait = 30 * time.Millisecond
	exportChunkCost   = 8 * time.Millisecond // after an ignored cancel: 400 × 8 ms ≈ 3.2 s of work
	tenantTick        = 20 * time.Millisecond
	tenantRefresh     = 8 * time.Millisecond // per-tick timeout of a tenant refresh
	metricsTick       = 50 * time.Millisecond
	feedTick          = 10 * time.Millisecond // the change feed publishes this often
	probeDeadline     = 200 * time.Millisecond
	drainTimeout      = 300 * time.Millisecond // shutdown waits this long for per-request tasks
)

// Service is an HTTP API with a job pool, a metrics ticker, lazily started
// per-tenant refresh loops, a change feed and a raw TCP health-probe listener.
type Service struct {
	variant string

	ctx  context.Context // the service's lifetime; canceled by Shutdown
	stop context.CancelFunc

	srv     *http.Server
	ln      net.Listener // HTTP
	probeLn net.Listener // health probes (raw TCP, one line per connection)

	jobs   chan job
	pool   sync.WaitGroup // pool workers
	loops  sync.WaitGroup // metrics, tenant loops, feed, accept loop, probe conns, HTTP Serve
	tasks  atomic.Int64   // per-request background tasks running (drained with a timeout)
	serveE chan error

	tenantMu sync.Mutex
	tenants  map[string]bool

	updates chan update // change feed: publish -> applyUpdates

	// Counters the program reports in its sidecar.
	Requests     atomic.Int64
	JobsDone     atomic.Int64
	JobsTimedOut atomic.Int64
	TenantTicks  atomic.Int64
	TenantLoops  atomic.Int64
	Probes       atomic.Int64
	Exports      atomic.Int64 // export workers started
	ExportsAlive atomic.Int64
	RecSenders   atomic.Int64 // recommend senders started
	RecStuck     atomic.Int64 // recommend senders blocked on their send right now
	Sessions     atomic.Int64 // session releasers started
	SessionsHeld atomic.Int64 // session releasers not yet released
	Feed         FeedCounter
	Undrained    atomic.Int64 // per-request tasks still running when the drain gave up
}

type job struct {
	id   int
	cost time.Duration
	done chan error // buffered 1: the worker never blocks on it
}

type update struct {
	seq int
	at  time.Time
}

// FeedCounter counts change-feed publishers: created, and still stuck in
// their send. Spawning happens under mu, so Mark (the trace-start mark) is
// exact: a publisher is either before it or after it.
type FeedCounter struct {
	mu        sync.Mutex
	created   int
	delivered []bool // by seq
	mark      int    // created before the mark
}

// Spawn runs start(seq) under the lock so that Mark cannot fall between
// numbering a publisher and starting it.
func (f *FeedCounter) Spawn(start func(seq int)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	seq := f.created
	f.created++
	f.delivered = append(f.delivered, false)
	start(seq)
}

// Delivered records that publisher seq's send completed (or gave up at shutdown).
func (f *FeedCounter) Delivered(seq int) {
	f.mu.Lock()
	f.delivered[seq] = true
	f.mu.Unlock()
}

// Mark runs fn (trace.Start) with spawning stopped and remembers how many
// publishers existed before it.
func (f *FeedCounter) Mark(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
	f.mark = f.created
}

// Hold runs fn with spawning stopped (to stop a trace at a known count).
func (f *FeedCounter) Hold(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

// Counts returns (created, stuck now, stuck now among those created before
// the mark). The caller holds the lock (inside Hold).
func (f *FeedCounter) Counts() (created, stuck, preMarkStuck int) {
	for seq, d := range f.delivered {
		if !d {
			stuck++
			if seq < f.mark {
				preMarkStuck++
			}
		}
	}
	return f.created, stuck, preMarkStuck
}

// NewService listens on loopback and starts every background loop.
func NewService(variant string) (*Service, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	probeLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ln.Close()
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &Service{
		variant: variant,
		ctx:     ctx,
		stop:    stop,
		ln:      ln,
		probeLn: probeLn,
		jobs:    make(chan job),
		serveE:  make(chan error, 1),
		tenants: make(map[string]bool),
		updates: make(chan update),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /search", s.handleSearch)
	mux.HandleFunc("POST /jobs", s.handleJob)
	mux.HandleFunc("GET /recommend", s.handleRecommend)
	mux.HandleFunc("GET /export", s.handleExport)
	mux.HandleFunc("GET /session", s.handleSession)
	s.srv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}

	const workers = 4
	for i := range workers {
		s.pool.Add(1)
		go s.worker(i)
	}
	s.loops.Add(4)
	go s.serve()
	go s.metricsLoop()
	go s.acceptLoop()
	go s.feedLoop()
	// BUG(prewindow_leak): the subscriber of the change feed is not started,
	// so every publisher blocks on its send forever.
	if variant != PrewindowLeak {
		s.loops.Add(1)
		go s.applyUpdates()
	}
	return s, nil
}

// URL is the base URL of the HTTP API.
func (s *Service) URL() string { return "http://" + s.ln.Addr().String() }

// ProbeAddr is the address of the health-probe listener.
func (s *Service) ProbeAddr() string { return s.probeLn.Addr().String() }

func (s *Service) serve() {
	defer s.loops.Done()
	if err := s.srv.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
		s.serveE <- err
	}
}

// Shutdown stops the service gracefully: the HTTP server first (in-flight
// handlers finish; if ctx ends first, the connections are closed), then the
// loops and the pool (service context: workers finish their job and exit),
// the probe listener, and per-request tasks (bounded wait).
func (s *Service) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if err != nil {
		s.srv.Close()
	}
	s.stop()
	s.pool.Wait()
	s.probeLn.Close()
	s.loops.Wait()
	if !s.drainTasks(drainTimeout) {
		s.Undrained.Store(s.tasks.Load())
	}
	select {
	case e := <-s.serveE:
		return e
	default:
	}
	return err
}

// drainTasks waits at most d for the per-request tasks to finish; it reports
// whether they did. It polls, so giving up leaves no goroutine behind.
func (s *Service) drainTasks(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for s.tasks.Load() > 0 {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// ---- HTTP handlers ----

func (s *Service) handleSearch(w http.ResponseWriter, r *http.Request) {
	s.Requests.Add(1)
	tenant := r.URL.Query().Get("tenant")
	s.ensureTenant(tenant)
	ctx, cancel := context.WithTimeout(r.Context(), searchBudget)
	defer cancel()
	q, _ := strconv.Atoi(r.URL.Query().Get("q"))
	const shards = 2
	results := make(chan int, shards) // buffered: a shard never blocks after we leave
	for i := range shards {
		go s.queryShard(ctx, q, i, results)
	}
	sum := 0
	for range shards {
		select {
		case n := <-results:
			sum += n
		case <-ctx.Done():
			http.Error(w, "search timed out", http.StatusGatewayTimeout)
			return
		}
	}
	fmt.Fprintf(w, "%d\n", sum)
}

// queryShard simulates a shard lookup of 5–45 ms.
func (s *Service) queryShard(ctx context.Context, q, shard int, out chan<- int) {
	t := time.NewTimer(time.Duration(5+(q*7+shard*13)%41) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		out <- q + shard
	case <-ctx.Done():
	}
}

func (s *Service) handleJob(w http.ResponseWriter, r *http.Request) {
	s.Requests.Add(1)
	id, _ := strconv.Atoi(r.URL.Query().Get("id"))
	j := job{id: id, cost: time.Duration(3+id%30) * time.Millisecond, done: make(chan error, 1)}
	ctx := r.Context()
	select {
	case s.jobs <- j:
	case <-ctx.Done():
		return
	case <-s.ctx.Done():
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	select {
	case err := <-j.done:
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "done\n")
	case <-ctx.Done():
	}
}

func (s *Service) handleRecommend(w http.ResponseWriter, r *http.Request) {
	s.Requests.Add(1)
	ctx, cancel := context.WithTimeout(r.Context(), recommendBudget)
	defer cancel()
	recs, err := s.recommend(ctx)
	if err != nil {
		io.WriteString(w, "[]\n") // degrade: no recommendations
		return
	}
	fmt.Fprintln(w, recs)
}

// recommend asks the recommender and gives up when ctx is done.
func (s *Service) recommend(ctx context.Context) ([]string, error) {
	capacity := 1
	if s.variant == BlockedSend {
		// BUG(blocked_send): unbuffered; once we return on ctx.Done() nobody
		// receives, and the sender below blocks on its send forever.
		capacity = 0
	}
	ch := make(chan []string, capacity)
	s.tasks.Add(1)
	s.RecSenders.Add(1)
	go func() {
		defer s.tasks.Add(-1)
		recs := s.recommender()
		s.RecStuck.Add(1)
		ch <- recs
		s.RecStuck.Add(-1)
	}()
	select {
	case recs := <-ch:
		return recs, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// recommender is a legacy client without context support: it takes
// recommenderLag whatever the caller's deadline (hence the buffered channel
// in recommend, so its goroutine can always deliver and exit).
func (s *Service) recommender() []string {
	time.Sleep(recommenderLag)
	return []string{"a", "b"}
}

func (s *Service) handleExport(w http.ResponseWriter, r *http.Request) {
	s.Requests.Add(1)
	ctx, cancel := context.WithTimeout(r.Context(), exportBudget)
	defer cancel()
	out := make(chan int, 1) // buffered: the worker never blocks on its result
	s.tasks.Add(1)
	s.Exports.Add(1)
	s.ExportsAlive.Add(1)
	go s.exportWorker(ctx, out)
	select {
	case n := <-out:
		fmt.Fprintf(w, "%d rows\n", n)
	case <-ctx.Done():
		http.Error(w, "export timed out", http.StatusGatewayTimeout)
	}
}

// exportWorker writes an export chunk by chunk: it waits for the storage to
// accept each chunk (exportStorageWait, while watching ctx), then writes it.
func (s *Service) exportWorker(ctx context.Context, out chan<- int) {
	defer s.tasks.Add(-1)
	defer s.ExportsAlive.Add(-1)
	rows := 0
	for i := 0; i < exportChunks; i++ {
		t := time.NewTimer(exportStorageWait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			if s.variant != IgnoreCancel {
				return
			}
			// BUG(ignore_cancel): the cancel is noticed and ignored: the
			// export goes on writing its chunks, for seconds.
		}
		time.Sleep(exportChunkCost) // write the chunk
		rows += 100
	}
	out <- rows
}

func (s *Service) handleSession(w http.ResponseWriter, r *http.Request) {
	s.Requests.Add(1)
	ctx := r.Context()
	if s.variant == BackgroundCtx {
		// BUG(background_ctx): the session is tied to a Background context
		// instead of the request's: its Done() is nil, the release never runs.
		ctx = context.Background()
	}
	s.holdSession(ctx)
	id, _ := strconv.Atoi(r.URL.Query().Get("id"))
	t := time.NewTimer(time.Duration(2+id%10) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		io.WriteString(w, "ok\n")
	case <-r.Context().Done():
	}
}

// holdSession takes a session slot and releases it when ctx is done.
func (s *Service) holdSession(ctx context.Context) {
	s.tasks.Add(1)
	s.Sessions.Add(1)
	s.SessionsHeld.Add(1)
	go s.releaseWhenDone(ctx)
}

func (s *Service) releaseWhenDone(ctx context.Context) {
	defer s.tasks.Add(-1)
	<-ctx.Done()
	s.SessionsHeld.Add(-1)
}

// ---- the pool ----

// worker runs jobs until the service context ends.
func (s *Service) worker(int) {
	defer s.pool.Done()
	for {
		select {
		case j := <-s.jobs:
			s.runJob(j)
		case <-s.ctx.Done():
			return
		}
	}
}

func (s *Service) runJob(j job) {
	ctx, cancel := context.WithTimeout(s.ctx, jobTimeout)
	defer cancel()
	t := time.NewTimer(j.cost)
	defer t.Stop()
	select {
	case <-t.C:
		s.JobsDone.Add(1)
		j.done <- nil
	case <-ctx.Done():
		s.JobsTimedOut.Add(1)
		j.done <- ctx.Err()
	}
}

// ---- loops ----

func (s *Service) metricsLoop() {
	defer s.loops.Done()
	t := time.NewTicker(metricsTick)
	defer t.Stop()
	var last int64
	for {
		select {
		case <-t.C:
			n := s.Requests.Load()
			_ = n - last // a rate for a dashboard
			last = n
		case <-s.ctx.Done():
			return
		}
	}
}

// ensureTenant starts the tenant's refresh loop on its first request.
func (s *Service) ensureTenant(tenant string) {
	s.tenantMu.Lock()
	defer s.tenantMu.Unlock()
	if s.tenants[tenant] || s.ctx.Err() != nil {
		return
	}
	s.tenants[tenant] = true
	s.TenantLoops.Add(1)
	s.loops.Add(1)
	go s.tenantLoop(tenant)
}

// tenantLoop refreshes a tenant's quota every tick, each refresh under its own timeout.
func (s *Service) tenantLoop(tenant string) {
	defer s.loops.Done()
	t := time.NewTicker(tenantTick)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-t.C:
			ctx, cancel := context.WithTimeout(s.ctx, tenantRefresh)
			s.refreshTenant(ctx, tenant, i)
			cancel()
			s.TenantTicks.Add(1)
		case <-s.ctx.Done():
			return
		}
	}
}

// refreshTenant simulates a quota lookup of 2–14 ms (half of them time out).
func (s *Service) refreshTenant(ctx context.Context, tenant string, i int) {
	t := time.NewTimer(time.Duration(2+(i*5+len(tenant))%13) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// feedLoop publishes a change event every feedTick, one goroutine per event.
func (s *Service) feedLoop() {
	defer s.loops.Done()
	t := time.NewTicker(feedTick)
	defer t.Stop()
	for {
		select {
		case now := <-t.C:
			s.Feed.Spawn(func(seq int) {
				if s.variant != PrewindowLeak {
					s.loops.Add(1)
				}
				go s.publish(update{seq: seq, at: now})
			})
		case <-s.ctx.Done():
			return
		}
	}
}

func (s *Service) publish(u update) {
	if s.variant == PrewindowLeak {
		// BUG(prewindow_leak): a plain send, and nobody receives.
		s.updates <- u
		s.Feed.Delivered(u.seq)
		return
	}
	defer s.loops.Done()
	select {
	case s.updates <- u:
	case <-s.ctx.Done():
	}
	s.Feed.Delivered(u.seq)
}

func (s *Service) applyUpdates() {
	defer s.loops.Done()
	var last int
	for {
		select {
		case u := <-s.updates:
			last = u.seq
		case <-s.ctx.Done():
			_ = last
			return
		}
	}
}

// acceptLoop serves health probes: one line in, "ok" out, per connection.
func (s *Service) acceptLoop() {
	defer s.loops.Done()
	for {
		c, err := s.probeLn.Accept()
		if err != nil {
			return // listener closed by Shutdown
		}
		s.loops.Add(1)
		go s.serveProbe(c)
	}
}

func (s *Service) serveProbe(c net.Conn) {
	defer s.loops.Done()
	defer c.Close()
	c.SetDeadline(time.Now().Add(probeDeadline))
	if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
		return
	}
	s.Probes.Add(1)
	io.WriteString(c, "ok\n")
}
