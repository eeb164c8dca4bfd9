// Writes a trace whose every free-form string is hostile to a terminal, a CI
// log or a parser: goroutine names given to ctxtrace.Go, a test name, task and
// region names, log keys and values, and cancel causes (ctxtrace records and
// context.WithCancelCause) hold newlines followed by forged GitHub workflow
// commands (::error, ::add-mask::), ESC[2J, an OSC window-title sequence, BEL,
// NUL, DEL, a C1 CSI, U+202E, U+2028, invalid UTF-8, </script> and ]]>.
// tests/inert/check_outputs.py runs every cancelflow command on it and checks
// that none of that reaches the outputs raw.
//
// The program has findings on purpose: a bound goroutine that ignores its
// canceled context (ignored-cancel, leaked-goroutine), one that returns late
// (slow-cancel), and a CancelFunc never called, each named with a payload.
//
//	go run . -o hostile.trace
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"os"
	"runtime/trace"
	"time"

	"github.com/cancelflow/cancelflow/go/ctxtrace"
)

// payload returns a hostile string tagged with what carries it, so a leak in
// an output names its source.
func payload(tag string) string {
	return tag + "\n::error file=x.go,line=1::forged " + tag + "\n::add-mask::secret" +
		"\r\x1b[2J\x1b]0;pwned\x07 nul\x00 del\x7f c1\u009b31m \u202eevil\u202c ls\u2028ps\u2029" +
		" bad\xff\xfe </script><script>window.cfPwned=1</script> ]]> <![CDATA[x]]> \"q\" &amp;"
}

func main() {
	out := flag.String("o", "", "trace output `file`")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}

	testCtx, endTest := ctxtrace.StartTest(context.Background(), "TestHostile/"+payload("test"))
	ctx, cancel := ctxtrace.WithCancelCause(testCtx)
	tctx, task := trace.NewTask(ctx, payload("task"))
	trace.Log(tctx, payload("logkey"), payload("logvalue"))
	trace.WithRegion(tctx, payload("region"), func() { trace.Log(tctx, "k", payload("regionlog")) })

	// A context whose CancelFunc is never called (cancel-not-called).
	_, leakCancel := ctxtrace.WithCancel(testCtx)
	_ = leakCancel

	block := make(chan struct{})
	ctxtrace.Go(ctx, payload("ignorer"), func(ctx context.Context) { // ignores the cancel: never returns
		<-ctx.Done()
		<-block
	})
	heard := make(chan struct{})
	ctxtrace.Go(ctx, payload("slow"), func(ctx context.Context) { // hears it, but returns late
		<-ctx.Done()
		time.Sleep(150 * time.Millisecond)
		close(heard)
	})
	// An uninstrumented cancel with a cause, heard by a plain goroutine.
	plain, plainCancel := context.WithCancelCause(context.Background())
	plainHeard := make(chan struct{})
	go func() {
		trace.WithRegion(plain, payload("plainregion"), func() { <-plain.Done() })
		close(plainHeard)
	}()

	time.Sleep(20 * time.Millisecond)
	cancel(errors.New(payload("cause")))
	plainCancel(errors.New(payload("plaincause")))
	<-heard
	<-plainHeard
	task.End()
	time.Sleep(150 * time.Millisecond)
	ctxtrace.Flush()
	endTest("fail")
	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
