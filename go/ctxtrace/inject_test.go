package ctxtrace

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseInject(t *testing.T) {
	in, err := parseInject("seed=42,rate=0.3,delay=5ms")
	if err != nil || in.seed != 42 || in.rate != 0.3 || in.maxDelay != 5*time.Millisecond {
		t.Fatalf("parseInject = %+v, %v", in, err)
	}
	in, err = parseInject("rate=1")
	if err != nil || in.maxDelay != 20*time.Millisecond {
		t.Fatalf("defaults: %+v, %v", in, err)
	}
	for _, bad := range []string{"seed=42", "rate=2", "rate=x", "seed=-1,rate=0.5", "rate=0.5,delay=-1s", "rate=0.5,color=red", "rate"} {
		if _, err := parseInject(bad); err == nil {
			t.Errorf("parseInject(%q): no error", bad)
		}
	}
}

// pattern creates 40 contexts at one site inside test-context ctx and
// returns which were canceled by injection.
func pattern(t *testing.T, spec string) []int {
	t.Helper()
	in, err := parseInject(spec)
	if err != nil {
		t.Fatal(err)
	}
	old := setInjector(in)
	defer setInjector(old)
	var got []int
	traced(t, func() {
		root, end := StartTest(context.Background(), "TestInjected")
		defer end("pass")
		var cancels []context.CancelFunc
		var ctxs []context.Context
		for range 40 {
			ctx, cancel := WithCancel(root) // one creation site
			ctxs, cancels = append(ctxs, ctx), append(cancels, cancel)
		}
		eventually(t, "injected cancellations fired", func() bool { return in.fired.Load() == in.injected.Load() })
		for i, ctx := range ctxs {
			if ctx.Err() != nil {
				if !errors.Is(context.Cause(ctx), ErrInjected) {
					t.Errorf("context %d: cause %v, want ErrInjected", i, context.Cause(ctx))
				}
				got = append(got, i)
			}
		}
		for _, c := range cancels {
			c()
		}
	})
	return got
}

func TestInjectionIsReproducibleFromSeed(t *testing.T) {
	a := pattern(t, "seed=42,rate=0.3,delay=10ms")
	b := pattern(t, "seed=42,rate=0.3,delay=10ms")
	c := pattern(t, "seed=43,rate=0.3,delay=10ms")
	if !slices.Equal(a, b) {
		t.Errorf("same seed, different contexts canceled:\n%v\n%v", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("seeds 42 and 43 canceled the same contexts %v", a)
	}
	if len(a) < 4 || len(a) > 24 { // rate 0.3 of 40; bounds far outside the binomial's spread
		t.Errorf("rate 0.3: %d of 40 canceled", len(a))
	}
	if got := pattern(t, "seed=1,rate=0"); len(got) != 0 {
		t.Errorf("rate 0 canceled %v", got)
	}
	if got := pattern(t, "seed=1,rate=1,delay=0s"); len(got) != 40 {
		t.Errorf("rate 1 canceled %d of 40", len(got))
	}
}

func TestInjectionKeepsCancelFuncAccounting(t *testing.T) {
	in, _ := parseInject("seed=7,rate=1,delay=0s")
	old := setInjector(in)
	defer setInjector(old)
	_, recs := traced(t, func() {
		ctx, cancel := WithTimeout(context.Background(), time.Hour)
		<-ctx.Done()
		if !errors.Is(context.Cause(ctx), ErrInjected) || !errors.Is(ctx.Err(), context.Canceled) {
			t.Errorf("err %v cause %v", ctx.Err(), context.Cause(ctx))
		}
		waitFinished(t, ctx)
		_ = cancel
		Flush() // the CancelFunc was never called: still a leak
	})
	done := one(t, recs, "done")
	if done.Field("by") != "external" || !strings.Contains(done.Field("cause"), "injected cancellation (seed=7") {
		t.Errorf("done record by=%s cause=%s", done.Field("by"), done.Field("cause"))
	}
	one(t, recs, "leak", "reason", "flush")
}

func TestInjectionOffByDefault(t *testing.T) {
	if inj.Load() != nil && os.Getenv(InjectEnvVar) == "" {
		t.Fatal("injector set without " + InjectEnvVar)
	}
}
