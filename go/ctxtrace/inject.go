package ctxtrace

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Cancellation injection (opt-in, for tests): with
//
//	CANCELFLOW_INJECT=seed=42,rate=0.3[,delay=20ms]
//
// in the environment, each cancelable context created by a ctxtrace
// constructor while a trace is active (WithCancel, WithCancelCause,
// WithTimeout[Cause], WithDeadline[Cause]) is, with probability rate,
// canceled early: after a delay in [0, delay) (default 20ms) its parent side
// is canceled with cause ErrInjected, as if an upstream caller had given up.
// Goroutines that do not watch ctx.Done() then show up as ignored-cancel or
// leaked-goroutine findings even where the happy path never cancels.
//
// Determinism. Goroutine scheduling makes the global order of context
// creations vary between runs, so decisions never depend on it. Each
// decision is a pure function of (seed, test name, creation site
// func/file:line, n), where n counts the contexts created so far at that
// site within that test: a hash of these decides whether to inject and the
// delay. Re-running with the same seed cancels the same contexts (the n-th
// context of a site in a test) after the same delays, as long as each test
// creates its contexts at a given site in a deterministic order (true for
// sequential code; for contexts created at one site by racing goroutines of
// one test, which of them is n-th can vary). What a delay lands on still
// depends on timing. Without seed=, a random seed is chosen and printed.
//
// The configuration is read once, at package initialization; when it is
// absent nothing changes: the tracing-off fast path of the wrappers is not
// touched at all (injection only happens on the traced path), and the traced
// path pays one nil check.

// ErrInjected is the cause of the cancellations made by injection
// (context.Cause reports an error wrapping it).
var ErrInjected = errors.New("cancelflow: injected cancellation")

// InjectEnvVar names the environment variable that enables injection.
const InjectEnvVar = "CANCELFLOW_INJECT"

type injector struct {
	seed     uint64
	rate     float64
	maxDelay time.Duration
	counters sync.Map // test + "\x00" + site → *atomic.Uint64
	injected atomic.Int64
	fired    atomic.Int64 // injected cancellations whose timer has run (tests wait on it)
}

// inj holds nil unless CANCELFLOW_INJECT is set; it is never changed after
// init except by tests (setInjector).
var inj atomic.Pointer[injector]

func init() { inj.Store(initInjector()) }

func initInjector() *injector {
	v, ok := os.LookupEnv(InjectEnvVar)
	if !ok || v == "" {
		return nil
	}
	in, err := parseInject(v)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ctxtrace: %s=%q: %v; injection disabled\n", InjectEnvVar, v, err)
		return nil
	}
	fmt.Fprintf(os.Stderr, "ctxtrace: cancellation injection on: %s=seed=%d,rate=%g,delay=%s\n",
		InjectEnvVar, in.seed, in.rate, in.maxDelay)
	return in
}

// parseInject parses "seed=N,rate=F,delay=D" (any order; rate required).
func parseInject(v string) (*injector, error) {
	in := &injector{maxDelay: 20 * time.Millisecond}
	haveSeed, haveRate := false, false
	for _, kv := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return nil, fmt.Errorf("%q is not key=value", kv)
		}
		switch k {
		case "seed":
			s, err := strconv.ParseUint(val, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("seed: %v", err)
			}
			in.seed, haveSeed = s, true
		case "rate":
			r, err := strconv.ParseFloat(val, 64)
			if err != nil || r < 0 || r > 1 {
				return nil, fmt.Errorf("rate must be a number in [0, 1], not %q", val)
			}
			in.rate, haveRate = r, true
		case "delay":
			d, err := time.ParseDuration(val)
			if err != nil || d < 0 {
				return nil, fmt.Errorf("delay must be a duration >= 0, not %q", val)
			}
			in.maxDelay = d
		default:
			return nil, fmt.Errorf("unknown key %q (seed, rate, delay)", k)
		}
	}
	if !haveRate {
		return nil, errors.New("rate= is required")
	}
	if !haveSeed {
		in.seed = rand.Uint64() // printed by initInjector, so the run can be repeated
	}
	return in, nil
}

// decide reports whether the next context created at site s in test should
// be canceled early, after which delay, and its ordinal at that site.
func (in *injector) decide(test string, s site) (inject bool, delay time.Duration, n uint64) {
	key := test + "\x00" + s.fn + "\x00" + s.file + ":" + strconv.Itoa(s.line)
	c, _ := in.counters.LoadOrStore(key, new(atomic.Uint64))
	n = c.(*atomic.Uint64).Add(1) - 1
	h := fnv.New64a()
	var b [8]byte
	for i := range 8 {
		b[i] = byte(in.seed >> (8 * i))
	}
	h.Write(b[:])
	h.Write([]byte(key))
	for i := range 8 {
		b[i] = byte(n >> (8 * i))
	}
	h.Write(b[:])
	r := rand.New(rand.NewPCG(h.Sum64(), in.seed))
	inject = r.Float64() < in.rate
	if inject && in.maxDelay > 0 {
		delay = time.Duration(r.Int64N(int64(in.maxDelay)))
	}
	return inject, delay, n
}

// injectedError is the cause of one injected cancellation.
type injectedError struct {
	seed uint64
	s    site
	n    uint64
}

func (e *injectedError) Error() string {
	return fmt.Sprintf("%v (seed=%d, site %s:%d #%d)", ErrInjected, e.seed, e.s.file, e.s.line, e.n)
}

func (e *injectedError) Unwrap() error { return ErrInjected }

// Injected returns how many cancellations injection has scheduled so far.
func Injected() int64 {
	in := inj.Load()
	if in == nil {
		return 0
	}
	return in.injected.Load()
}

// injectParent returns the context to derive a new cancelable context from:
// parent itself, or, when injection picks this creation, a cancelable layer
// over parent that a timer cancels with an injectedError. The new context
// then becomes done with by=external and that cause in its done record.
func injectParent(parent context.Context, s site) context.Context {
	in := inj.Load()
	if in == nil {
		return parent
	}
	test := ""
	if n, ok := parent.Value(nodeKey{}).(*node); ok {
		test = n.test
	}
	ok, delay, n := in.decide(test, s)
	if !ok {
		return parent
	}
	p, cancel := context.WithCancelCause(parent)
	in.injected.Add(1)
	cause := &injectedError{seed: in.seed, s: s, n: n}
	time.AfterFunc(delay, func() {
		cancel(cause)
		in.fired.Add(1)
	})
	return p
}

// setInjector replaces the injector (tests only); it returns the previous one.
func setInjector(in *injector) *injector {
	return inj.Swap(in)
}
