// Command annotations traces runtime/trace user tasks, regions and logs whose
// names and messages are hostile to naive report writers: quotes,
// backslashes, control characters, NUL, invalid UTF-8, HTML, non-ASCII and a
// string longer than the runtime's 1024-byte limit.
package main

import (
	"context"
	"flag"
	"runtime/trace"
	"strings"
	"sync"

	"cancelflow.test/corpus/progs/internal/harness"
)

// hostile lists the strings used as task names, region types, log
// categories and log messages.
var hostile = []string{
	`plain`,
	`double "quoted" name`,
	`back\slash\\es`,
	"new\nline and\r\ncrlf",
	"tab\tseparated\tvalues",
	"nul\x00byte\x00inside",
	"invalid utf8 \xff\xfe end",
	`<script>alert(1)</script>`,
	`&amp; <b>html</b> ' apostrophe`,
	"日本語のタスク",
	"emoji 🚀🔥 and combining e\u0301",
	"\u202eright-to-left override",
	"",
	strings.Repeat("long-", 300) + "END", // 1503 bytes; the runtime truncates to 1024
}

func main() {
	out := flag.String("o", "", "trace output `file`")
	flag.Parse()
	stop := harness.Start(*out)
	defer stop()

	ctx := context.Background()
	root, rootTask := trace.NewTask(ctx, "root task")
	trace.Log(root, "phase", "start")

	var wg sync.WaitGroup
	for i, s := range hostile {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tctx, task := trace.NewTask(root, s)
			trace.Log(tctx, s, s)
			trace.Logf(tctx, "index", "%d of %d: %q", i, len(hostile), s)
			trace.WithRegion(tctx, s, func() {
				r := trace.StartRegion(tctx, "nested "+s)
				trace.Log(tctx, "", "empty category")
				inner := trace.StartRegion(tctx, "innermost")
				inner.End()
				r.End()
			})
			if i%2 == 0 {
				task.End() // odd tasks are never ended
			}
		}()
	}
	wg.Wait()

	// Nested tasks three deep, the middle one ended from another goroutine.
	c1, t1 := trace.NewTask(root, "outer")
	c2, t2 := trace.NewTask(c1, "middle")
	_, t3 := trace.NewTask(c2, "inner")
	t3.End()
	done := make(chan struct{})
	go func() { t2.End(); close(done) }()
	<-done
	t1.End()

	// A log without a task, a region left open at trace stop, and a task
	// left open at trace stop.
	trace.Log(ctx, "no task", "message outside any task")
	_ = trace.StartRegion(root, "region never ended")
	_, _ = trace.NewTask(root, "task never ended")
	rootTask.End()
}
