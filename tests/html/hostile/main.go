// Writes a trace whose task names, region types and log messages are
// hostile to an HTML report: script tags, a closing </script>, an <img> with
// an onerror handler, quotes, an HTML comment, U+2028/U+2029 and invalid
// UTF-8. Each payload, if it ever ran, would set window.cfPwned and
// document.title; tests/html/report_test.mjs checks that none did and that
// every payload is shown as text. A goroutine hears a cancel (so the report
// has a cancellation arrow) and another ignores it (so it has a finding).
//
//	go run . -o hostile.trace
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"runtime/trace"
	"time"
)

var payloads = []string{
	`<script>window.cfPwned=1;document.title='pwned'</script>`,
	`</script><script>window.cfPwned=2;document.title='pwned'</script>`,
	`<img src=x onerror="window.cfPwned=3;document.title='pwned'">`,
	`"double" 'single' & ampersand &amp; <!-- comment --> <b>bold</b>`,
	"line\u2028separator\u2029paragraph",
	"invalid utf8 \xff\xfe end",
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
	ctx, cancel := context.WithCancel(context.Background())
	tctx, task := trace.NewTask(ctx, payloads[1])
	heard := make(chan struct{})
	go func() { // hears the cancel
		trace.WithRegion(tctx, payloads[2], func() { <-ctx.Done() })
		close(heard)
	}()
	go func() { // ignores it: blocks forever on a channel nobody sends to
		<-ctx.Done()
		select {}
	}()
	for _, p := range payloads {
		trace.Log(tctx, p, p)
		trace.WithRegion(tctx, p, func() {})
	}
	time.Sleep(20 * time.Millisecond)
	cancel()
	<-heard
	time.Sleep(150 * time.Millisecond)
	task.End()
	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
