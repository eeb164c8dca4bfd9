// Package flightrec keeps a runtime/trace flight recorder running and writes
// the last seconds of execution trace to a file when cancellation goes wrong:
// by default, when a goroutine started with ctxtrace.Go (or bound with
// ctxtrace.Bind) is still running Grace after its context was done.
//
//	rec, err := flightrec.Start(flightrec.Options{Dir: "/var/tmp/traces"})
//	if err != nil { ... }
//	defer rec.Stop()
//
// Snapshots are rate-limited: at most one per Interval and at most MaxFiles
// per Recorder; requests beyond that are dropped (Snapshot returns
// ErrRateLimited or ErrMaxFiles). Each file is a complete trace that
// `go tool trace` and cancelflow read; it starts mid-execution, so contexts
// created before the window appear as unknown ids. Just before writing, a
// "snapshot" record (docs/records.md) with the reason and path is logged, so
// the snapshot says why it was taken.
//
// Where the runtime has the goroutine leak profile (Go 1.27, or Go 1.26 with
// GOEXPERIMENT=goroutineleakprofile), each snapshot X.trace gets X.goroutineleak
// beside it: the profile (debug=2 text) taken at the same moment, just before
// the window is written, so its goroutine ids are the trace's. cancelflow
// finds it there by name and proves the leaks it lists (LeakProfilePath).
//
// While the recorder runs, tracing is enabled, so ctxtrace writes its
// records (and pays their cost); runtime/trace allows one flight recorder
// per process, alongside at most one trace.Start.
package flightrec

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"sync"
	"time"

	"github.com/cancelflow/cancelflow/go/ctxtrace"
	"github.com/cancelflow/cancelflow/go/internal/record"
)

// Options configures a Recorder. Zero values select the defaults.
type Options struct {
	Dir      string        // directory for snapshots; default os.TempDir()
	Prefix   string        // file name prefix; default "cancelflow-flight"
	MinAge   time.Duration // trace window kept in memory; default 10s (trace.FlightRecorderConfig.MinAge)
	MaxBytes uint64        // memory bound of the window; default runtime/trace's (trace.FlightRecorderConfig.MaxBytes)
	Interval time.Duration // minimum time between two snapshots; default 10s
	MaxFiles int           // maximum number of snapshots; default 10
	// Grace is how long a bound goroutine may outlive its done context
	// before a snapshot is taken; default 1s. Negative: do not install the
	// ctxtrace watchdog (call Snapshot yourself).
	Grace time.Duration
	// OnSnapshot, if set, is called after each snapshot attempt triggered
	// by the watchdog, with the file written or the error.
	OnSnapshot func(path string, err error)
}

// Errors returned by Snapshot when a snapshot is dropped.
var (
	ErrRateLimited = errors.New("flightrec: snapshot dropped: less than Interval since the previous one")
	ErrMaxFiles    = errors.New("flightrec: snapshot dropped: MaxFiles reached")
	ErrStopped     = errors.New("flightrec: recorder stopped")
)

// Recorder is a running flight recorder.
type Recorder struct {
	opts    Options
	fr      *trace.FlightRecorder
	restore func()

	mu      sync.Mutex // guards the fields below
	last    time.Time
	files   []string
	n       int // snapshots reserved
	stopped bool

	writeMu sync.Mutex // serializes WriteTo
}

// Start starts a flight recorder and, unless Grace < 0, installs a ctxtrace
// watchdog that snapshots when a bound goroutine is overdue.
func Start(opts Options) (*Recorder, error) {
	if opts.Dir == "" {
		opts.Dir = os.TempDir()
	}
	if opts.Prefix == "" {
		opts.Prefix = "cancelflow-flight"
	}
	if opts.MinAge == 0 {
		opts.MinAge = 10 * time.Second
	}
	if opts.Interval == 0 {
		opts.Interval = 10 * time.Second
	}
	if opts.MaxFiles == 0 {
		opts.MaxFiles = 10
	}
	if opts.Grace == 0 {
		opts.Grace = time.Second
	}
	r := &Recorder{opts: opts}
	r.fr = trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: opts.MinAge, MaxBytes: opts.MaxBytes})
	if err := r.fr.Start(); err != nil {
		return nil, fmt.Errorf("flightrec: %w", err)
	}
	if opts.Grace > 0 {
		r.restore = ctxtrace.SetWatchdog(opts.Grace, r.overdue)
	}
	return r, nil
}

func (r *Recorder) overdue(o ctxtrace.Overdue) {
	reason := fmt.Sprintf("goroutine %d (%s, started at %s:%d) still running %v after its context was done",
		o.GoID, o.Name, o.File, o.Line, o.Elapsed.Round(time.Millisecond))
	path, err := r.Snapshot(reason)
	if r.opts.OnSnapshot != nil {
		r.opts.OnSnapshot(path, err)
	}
}

// Snapshot writes the flight recorder's window to a new file in Dir and
// returns its path, unless rate limits drop it.
func (r *Recorder) Snapshot(reason string) (string, error) {
	r.mu.Lock()
	now := time.Now()
	switch {
	case r.stopped:
		r.mu.Unlock()
		return "", ErrStopped
	case r.n >= r.opts.MaxFiles:
		r.mu.Unlock()
		return "", ErrMaxFiles
	case !r.last.IsZero() && now.Sub(r.last) < r.opts.Interval:
		r.mu.Unlock()
		return "", ErrRateLimited
	}
	r.last = now
	r.n++
	name := fmt.Sprintf("%s-%d-%s-%d.trace", r.opts.Prefix, os.Getpid(), now.Format("20060102T150405"), r.n)
	r.mu.Unlock()

	path := filepath.Join(r.opts.Dir, name)
	if trace.IsEnabled() {
		var b record.Builder
		b.Start(record.Snapshot).String(reason).Path(path)
		trace.Log(context.Background(), b.Category(), b.Message())
	}
	if err := r.write(path); err != nil {
		return "", err
	}
	r.mu.Lock()
	r.files = append(r.files, path)
	r.mu.Unlock()
	return path, nil
}

// LeakProfilePath is where the goroutine leak profile of the snapshot at
// tracePath is written: X.trace -> X.goroutineleak.
func LeakProfilePath(tracePath string) string {
	return strings.TrimSuffix(tracePath, ".trace") + ".goroutineleak"
}

// write writes the leak profile (when the runtime has it) and the snapshot,
// each to a temporary file renamed into place, so a file named path is always
// a complete trace and a profile beside it always belongs to it.
func (r *Recorder) write(path string) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if p := pprof.Lookup("goroutineleak"); p != nil {
		// Taken first: every goroutine it lists is then in the window.
		if err := writeFile(LeakProfilePath(path), func(f *os.File) error { return p.WriteTo(f, 2) }); err != nil {
			return err
		}
	}
	return writeFile(path, func(f *os.File) error {
		_, err := r.fr.WriteTo(f)
		return err
	})
}

func writeFile(path string, write func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return fmt.Errorf("flightrec: %w", err)
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("flightrec: writing %s: %w", path, err)
	}
	return nil
}

// Files returns the snapshots written so far.
func (r *Recorder) Files() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.files...)
}

// Stop removes the watchdog and stops the flight recorder. It waits for a
// snapshot being written to complete.
func (r *Recorder) Stop() {
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return
	}
	r.stopped = true
	r.mu.Unlock()
	if r.restore != nil {
		r.restore()
	}
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	r.fr.Stop()
}
