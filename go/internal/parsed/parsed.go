// Package parsed reads the text that `go tool trace -d=parsed` prints, so
// tests can check traces without depending on golang.org/x/exp/trace.
//
// Each event is one line such as
//
//	M=8413 P=1 G=1 Log Time=961972185856 Task=1 Category="cancelflow/v1/ctx" Message="id=1 ..."
//
// followed by indented stack lines, which are ignored.
package parsed

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cancelflow/cancelflow/go/internal/record"
)

// Event is one parsed event line.
type Event struct {
	M, P, G int64
	Kind    string // Log, TaskBegin, TaskEnd, StateTransition, Sync, ...
	// Transition is the bare "From->To" word of StateTransition events.
	Transition string
	Attrs      map[string]string // the remaining key=value pairs, quoted values unquoted
	// Stacks holds the function names (leaf first) of the stacks printed
	// after the event line, keyed by label: "Stack", "TransitionStack".
	Stacks map[string][]string
}

// Record is a decoded cancelflow record with its carrying event.
type Record struct {
	Event
	record.Decoded
	Task uint64
	Err  error // decoding error, if any
}

// GoCommand returns the go command to run: $GOROOT/bin/go if GOROOT is set,
// else the go found in PATH.
func GoCommand() string {
	if r := os.Getenv("GOROOT"); r != "" {
		p := filepath.Join(r, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go"
}

// Dump runs `go tool trace -d=parsed path` and returns its output.
func Dump(path string) (string, error) {
	cmd := exec.Command(GoCommand(), "tool", "trace", "-d=parsed", path)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("go tool trace -d=parsed %s: %v: %s", path, err, errb.String())
	}
	return out.String(), nil
}

// Parse parses the event lines of a -d=parsed dump.
func Parse(text string) ([]Event, error) {
	var evs []Event
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	stack := ""
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "M=") {
			switch {
			case len(evs) == 0:
			case strings.HasSuffix(line, "Stack=") && !strings.HasPrefix(line, "\t"):
				stack = strings.TrimSuffix(line, "=")
			case stack != "" && strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, "\t\t"):
				fn, _, _ := strings.Cut(strings.TrimPrefix(line, "\t"), " @ ")
				ev := &evs[len(evs)-1]
				if ev.Stacks == nil {
					ev.Stacks = map[string][]string{}
				}
				ev.Stacks[stack] = append(ev.Stacks[stack], fn)
			case line == "":
				stack = ""
			}
			continue
		}
		stack = ""
		ev, err := parseLine(line)
		if err != nil {
			return evs, err
		}
		evs = append(evs, ev)
	}
	return evs, sc.Err()
}

func parseLine(line string) (Event, error) {
	ev := Event{Attrs: map[string]string{}}
	rest := line
	i := 0
	for rest != "" {
		rest = strings.TrimLeft(rest, " ")
		if rest == "" {
			break
		}
		eq := strings.IndexByte(rest, '=')
		sp := strings.IndexByte(rest, ' ')
		if eq < 0 || (sp >= 0 && sp < eq) {
			// A bare word: the event kind.
			word := rest
			if sp >= 0 {
				word, rest = rest[:sp], rest[sp:]
			} else {
				rest = ""
			}
			if ev.Kind == "" {
				ev.Kind = word
			} else if strings.Contains(word, "->") {
				ev.Transition = word
			}
			continue
		}
		key, after := rest[:eq], rest[eq+1:]
		var val string
		if strings.HasPrefix(after, `"`) {
			q, err := strconv.QuotedPrefix(after)
			if err != nil {
				return ev, fmt.Errorf("parsed: bad quoted value in %q: %v", line, err)
			}
			val, _ = strconv.Unquote(q)
			rest = after[len(q):]
		} else {
			end := strings.IndexByte(after, ' ')
			if end < 0 {
				end = len(after)
			}
			val, rest = after[:end], after[end:]
		}
		switch {
		case i == 0 && key == "M":
			ev.M, _ = strconv.ParseInt(val, 10, 64)
		case i == 1 && key == "P":
			ev.P, _ = strconv.ParseInt(val, 10, 64)
		case i == 2 && key == "G":
			ev.G, _ = strconv.ParseInt(val, 10, 64)
		default:
			ev.Attrs[key] = val
		}
		i++
	}
	return ev, nil
}

// Records returns the cancelflow records among evs (Log events whose
// category starts with "cancelflow/").
func Records(evs []Event) []Record {
	var recs []Record
	for _, ev := range evs {
		if ev.Kind != "Log" || !strings.HasPrefix(ev.Attrs["Category"], "cancelflow/") {
			continue
		}
		d, err := record.Decode(ev.Attrs["Category"], ev.Attrs["Message"])
		task, _ := strconv.ParseUint(ev.Attrs["Task"], 10, 64)
		recs = append(recs, Record{Event: ev, Decoded: d, Task: task, Err: err})
	}
	return recs
}

// Load dumps and parses the trace at path and returns its events and records.
func Load(path string) ([]Event, []Record, error) {
	text, err := Dump(path)
	if err != nil {
		return nil, nil, err
	}
	evs, err := Parse(text)
	if err != nil {
		return nil, nil, err
	}
	return evs, Records(evs), nil
}

// Field returns the named field of r as a string ("" if absent).
func (r Record) Field(name string) string {
	v, _ := r.Get(name)
	return v.Str
}

// IntField returns the named int field of r (0 if absent).
func (r Record) IntField(name string) int64 {
	v, _ := r.Get(name)
	return v.Int
}
