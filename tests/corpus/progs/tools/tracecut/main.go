// Command tracecut walks the batch structure of a Go 1.22+ execution trace
// (without decoding events) and writes truncated copies of it.
//
//	tracecut info FILE          print header, generation and batch counts
//	tracecut cut FILE OUTDIR    write OUTDIR/truncated-<where>.trace copies
//
// The cut points are chosen from the structure of FILE, so each file name
// always means the same kind of damage; the byte offset is printed and
// recorded in OUTDIR/truncated.txt together with the verdict the Go 1.26
// reader gives ("reject", or "accept" for the bare header, which Go reads as
// an empty trace, and for the cut at a generation boundary, which leaves a
// shorter but complete trace). Use a source with at least two generations so
// that every name is produced.
//
// The batch framing (see internal/trace/batch.go in GOROOT):
//
//	EventBatch        0x01 gen m time size payload[size]
//	ExperimentalBatch 0x31 exp(u8) gen m time size payload[size]
//	EndOfGeneration   0x34                          (Go 1.26+)
package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

const (
	evEventBatch        = 1
	evStacks            = 2
	evStrings           = 4
	evString            = 5
	evExperimentalBatch = 49
	evEndOfGeneration   = 52
	headerLen           = 16
)

type batch struct {
	off     int // offset of the batch's first byte
	payload int // offset of the payload
	end     int // offset one past the payload
	kind    byte
	gen     uint64
	exp     bool
}

func main() {
	if len(os.Args) < 3 {
		usage()
	}
	data, err := os.ReadFile(os.Args[2])
	check(err)
	batches, err := scan(data)
	check(err)
	switch os.Args[1] {
	case "info":
		info(data, batches)
	case "cut":
		if len(os.Args) != 4 {
			usage()
		}
		check(cut(data, batches, os.Args[3]))
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: tracecut info FILE | tracecut cut FILE OUTDIR")
	os.Exit(2)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "tracecut:", err)
		os.Exit(1)
	}
}

func scan(data []byte) ([]batch, error) {
	if len(data) < headerLen || !bytes.HasPrefix(data, []byte("go 1.")) {
		return nil, errors.New("not a Go execution trace")
	}
	var out []batch
	for off := headerLen; off < len(data); {
		b := batch{off: off, kind: data[off]}
		p := off + 1
		switch b.kind {
		case evEndOfGeneration:
			b.payload, b.end = p, p
			out = append(out, b)
			off = p
			continue
		case evExperimentalBatch:
			b.exp = true
			p++ // experiment id
		case evEventBatch:
		default:
			return nil, fmt.Errorf("offset %d: unexpected batch byte %#x", off, b.kind)
		}
		var vals [4]uint64 // gen, m, time, size
		for i := range vals {
			if p >= len(data) {
				return nil, fmt.Errorf("offset %d: batch header runs past end of file", off)
			}
			v, n := binary.Uvarint(data[p:])
			if n <= 0 {
				return nil, fmt.Errorf("offset %d: bad varint in batch header", p)
			}
			vals[i] = v
			p += n
		}
		b.gen, b.payload = vals[0], p
		b.end = p + int(vals[3])
		if b.end > len(data) {
			return nil, fmt.Errorf("offset %d: batch payload runs past end of file", off)
		}
		out = append(out, b)
		off = b.end
	}
	return out, nil
}

func info(data []byte, batches []batch) {
	header := strings.TrimRight(string(data[:headerLen]), "\x00")
	gens := map[uint64]bool{}
	eog, exp := 0, 0
	for _, b := range batches {
		switch {
		case b.kind == evEndOfGeneration:
			eog++
		case b.exp:
			exp++
			gens[b.gen] = true
		default:
			gens[b.gen] = true
		}
	}
	fmt.Printf("header=%q bytes=%d batches=%d generations=%d end_of_generation=%d experimental_batches=%d\n",
		header, len(data), len(batches), len(gens), eog, exp)
}

type cutPoint struct {
	name, verdict, why string
	off                int
}

func cut(data []byte, batches []batch, dir string) error {
	var pts []cutPoint
	add := func(name, verdict, why string, off int) {
		if off <= 0 || off >= len(data) {
			panic(fmt.Sprintf("cut point %s at %d outside (0,%d)", name, off, len(data)))
		}
		pts = append(pts, cutPoint{name, verdict, why, off})
	}
	add("mid-header", "reject", "8 of the 16 header bytes", 8)
	add("header-only", "accept", "the header and nothing else (Go reads it as an empty trace)", headerLen)
	first := batches[0]
	add("mid-batch-header", "reject", "inside the first batch header", first.off+3)
	add("batch-header-only", "reject", "first batch header complete, payload missing", first.payload)

	var strB, stackB, evB *batch
	for i := range batches {
		b := &batches[i]
		if b.kind == evEndOfGeneration || b.exp || b.payload == b.end {
			continue
		}
		switch data[b.payload] {
		case evStrings:
			if strB == nil {
				strB = b
			}
		case evStacks:
			if stackB == nil {
				stackB = b
			}
		default:
			if evB == nil && data[b.payload] != 50 && data[b.payload] != 8 && data[b.payload] != 6 {
				evB = b // first per-M event batch (not sync, frequency or CPU samples)
			}
		}
	}
	if evB == nil || strB == nil || stackB == nil {
		return errors.New("trace lacks an event, string or stack batch")
	}
	add("mid-event", "reject", "after the type byte of the first event of the first per-M batch", evB.payload+1)
	add("mid-batch-payload", "reject", "halfway through the first per-M batch payload", evB.payload+(evB.end-evB.payload)/2)
	if off, ok := midString(data, strB); ok {
		add("mid-string", "reject", "inside the bytes of the longest string of the first string batch", off)
	}
	add("mid-stack-batch", "reject", "halfway through the first stack batch", stackB.payload+(stackB.end-stackB.payload)/2)

	// Generation boundaries: the offsets just after each EndOfGeneration
	// byte (Go 1.26+) or, for older traces, the first batch of each new gen.
	var bounds []int
	for i, b := range batches {
		if b.kind == evEndOfGeneration {
			bounds = append(bounds, b.end)
		} else if i > 0 && b.gen != batches[i-1].gen && batches[i-1].kind != evEndOfGeneration {
			bounds = append(bounds, b.off)
		}
	}
	last := batches[len(batches)-1]
	if last.kind == evEndOfGeneration {
		add("before-final-eog", "reject", "everything but the final EndOfGeneration byte", last.off)
		bounds = bounds[:len(bounds)-1] // the end of the file is not a cut
	} else {
		add("last-batch-half", "reject", "halfway through the final batch (undetectable before Go 1.26: may be accepted)", last.payload+(last.end-last.payload)/2)
	}
	if len(bounds) == 0 {
		return errors.New("trace has a single generation; use one with at least two")
	}
	{
		add("after-first-generation", "accept", "exactly at the end of the first generation (a complete, shorter trace)", bounds[0])
		if bounds[0]+1 < len(data) {
			add("after-first-generation-plus1", "reject", "one byte past the end of the first generation", bounds[0]+1)
		}
	}
	half := len(data) / 2
	for _, b := range bounds {
		if b == half {
			half++ // never land exactly on a generation boundary
		}
	}
	add("half", "reject", "at about half the file size", half)

	var manifest strings.Builder
	fmt.Fprintf(&manifest, "# name offset expected-verdict-of-go-1.26-reader description (source %d bytes)\n", len(data))
	for _, p := range pts {
		name := "truncated-" + p.name + ".trace"
		if err := os.WriteFile(filepath.Join(dir, name), data[:p.off], 0o644); err != nil {
			return err
		}
		fmt.Fprintf(&manifest, "%s %d %s %s\n", name, p.off, p.verdict, p.why)
		fmt.Printf("%s (%d bytes)\n", filepath.Join(dir, name), p.off)
	}
	return os.WriteFile(filepath.Join(dir, "truncated.txt"), []byte(manifest.String()), 0o644)
}

// midString returns an offset inside the data of the longest string of a
// string batch: EvStrings { EvString id len bytes[len] }*.
func midString(data []byte, b *batch) (int, bool) {
	best, bestLen := 0, 0
	p := b.payload + 1
	for p < b.end && data[p] == evString {
		p++
		_, n := binary.Uvarint(data[p:])
		p += n
		l, n := binary.Uvarint(data[p:])
		p += n
		if int(l) > bestLen {
			best, bestLen = p, int(l)
		}
		p += int(l)
	}
	if bestLen < 2 {
		return 0, false
	}
	return best + bestLen/2, true
}
