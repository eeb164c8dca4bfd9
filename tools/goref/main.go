// Command goref runs golang.org/x/exp/trace, Go's reference trace reader,
// over a trace file. It exists for cancelflow's differential tests and
// benchmarks; users never need it.
//
//	goref events FILE   read every event; print "events=N bytes=B seconds=S"
//	goref parsed FILE   print ev.String() per event, like `go tool trace -d=parsed`
//
// On a reader error both print the error to stderr and exit 1 (events also
// prints the counts reached so far first).
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/exp/trace"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: goref events|parsed FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[2])
	if err != nil {
		die(err)
	}
	defer f.Close()
	switch os.Args[1] {
	case "events":
		err = events(f)
	case "parsed":
		err = parsed(f)
	default:
		fmt.Fprintln(os.Stderr, "usage: goref events|parsed FILE")
		os.Exit(2)
	}
	if err != nil {
		die(err)
	}
}

func die(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

// countingReader counts the bytes the trace reader consumed.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func events(f *os.File) error {
	start := time.Now()
	cr := &countingReader{r: bufio.NewReaderSize(f, 1<<20)}
	n := 0
	r, err := trace.NewReader(cr)
	if err == nil {
		for {
			_, err = r.ReadEvent()
			if err != nil {
				break
			}
			n++
		}
	}
	fmt.Printf("events=%d bytes=%d seconds=%.3f\n", n, cr.n, time.Since(start).Seconds())
	if err == io.EOF {
		return nil
	}
	return err
}

// parsed mirrors debugProcessedEvents in cmd/trace/main.go (Go 1.26): the
// reader is given the *os.File directly and each event is printed with a
// trailing newline; output is buffered here, which changes nothing visible.
func parsed(f *os.File) error {
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	r, err := trace.NewReader(f)
	if err != nil {
		return err
	}
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			return nil
		} else if err != nil {
			w.Flush()
			return err
		}
		fmt.Fprintln(w, ev.String())
	}
}
