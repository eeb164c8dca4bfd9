// Command ctxcancel traces only the context-cancellation scenarios of package
// ctxwork (plus the goroutines they leak), for small, focused traces.
package main

import (
	"flag"

	"cancelflow.test/corpus/progs/internal/ctxwork"
	"cancelflow.test/corpus/progs/internal/harness"
)

func main() {
	out := flag.String("o", "", "trace output `file`")
	flag.Parse()
	stop := harness.Start(*out)
	defer stop()
	ctxwork.RunAll(true)
}
