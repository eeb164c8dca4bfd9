package scenarios_test

// This test builds every scenario, runs it with and without -instrument,
// and checks each expect.json against the trace with a deliberately small
// reference checker (not the cancelflow analyzer): it proves the scenarios
// produce what their expectations claim, so the C++ analyzer is tested
// against true expectations.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cancelflow/cancelflow/go/internal/parsed"
)

// Rules are the finding rule ids fixed by the project.
var Rules = []string{"leaked-goroutine", "ignored-cancel", "slow-cancel", "cancel-not-called", "detached-context", "late-deadline"}

// Finding is one expected finding (docs/scenarios.md).
type Finding struct {
	Rule            string `json:"rule"`
	Count           int    `json:"count"`
	GoroutineFunc   string `json:"goroutine_func,omitempty"`
	GoroutineFuncRe string `json:"goroutine_func_re,omitempty"`
	SiteFunc        string `json:"site_func,omitempty"`
}

// Expect is an expect.json file.
type Expect struct {
	Schema            int       `json:"schema"`
	Scenario          string    `json:"scenario"`
	Description       string    `json:"description"`
	PrimaryRule       string    `json:"primary_rule"`
	Findings          []Finding `json:"findings"`
	InstrumentedExtra []Finding `json:"instrumented_extra"`
	PlainOnly         []Finding `json:"plain_only,omitempty"`
	Tolerated         []string  `json:"tolerated"`
}

func loadExpect(t *testing.T, dir string) Expect {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "expect.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var e Expect
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("%s/expect.json: %v", dir, err)
	}
	if e.Schema != 1 || e.Scenario != filepath.Base(dir) || e.Description == "" || e.Findings == nil || e.InstrumentedExtra == nil || e.Tolerated == nil {
		t.Errorf("%s/expect.json: bad header %+v", dir, e)
	}
	all := append(slices.Clone(e.Findings), e.InstrumentedExtra...)
	if e.PrimaryRule == "none" {
		if len(all) != 0 {
			t.Errorf("%s: negative control with findings", dir)
		}
		if !strings.HasPrefix(e.Scenario, "ok_") {
			t.Errorf("%s: negative controls are named ok_*", dir)
		}
	} else if !slices.Contains(Rules, e.PrimaryRule) || !slices.ContainsFunc(all, func(f Finding) bool { return f.Rule == e.PrimaryRule }) {
		t.Errorf("%s: primary rule %q not among the findings", dir, e.PrimaryRule)
	}
	for _, f := range all {
		if !slices.Contains(Rules, f.Rule) || f.Count < 1 {
			t.Errorf("%s: bad finding %+v", dir, f)
		}
		if f.GoroutineFuncRe != "" {
			re, err := regexp.Compile(f.GoroutineFuncRe)
			if err != nil {
				t.Errorf("%s: %v", dir, err)
			} else if f.GoroutineFunc != "" && !re.MatchString(f.GoroutineFunc) {
				t.Errorf("%s: goroutine_func %q does not match goroutine_func_re", dir, f.GoroutineFunc)
			}
		}
	}
	for _, r := range e.Tolerated {
		if !slices.Contains(Rules, r) {
			t.Errorf("%s: bad tolerated rule %q", dir, r)
		}
	}
	return e
}

// goroutine is what the checker knows about one goroutine.
type goroutine struct {
	id      int64
	creator int64  // G that created it
	start   string // start function
	site    string // innermost user function of the creation stack
	ended   bool
	bound   int64 // context id from a "go" record, 0 if none
	exited  bool  // go_exit record seen
	overdue bool  // go_overdue record seen
	// For "caught in flight at the end" (docs/scenarios.md): the state after
	// the last transition, creation time, whether it ever blocked, and when
	// a cancel last woke it (-1: not since it last blocked).
	state      string
	created    int64
	blocked    bool
	cancelWake int64
	lastChange int64 // last creation, block or wake-up
	blockStack string
	repeats    int  // consecutive blocks at the same stack: 2+ is a loop
	forever    bool // blocked with reason "forever" (nil channel, select {}) at the end
}

// graceNs is the leaked-goroutine in-flight window: cancelflow's default
// grace (100 ms).
const graceNs = 100_000_000

// inFlight reports a goroutine alive at the trace end that was created,
// blocked or woken less than graceNs before it, whatever its state: it may be
// on its way out, so in a whole-program trace it is not a leak. A goroutine
// that blocked at the same stack twice or more in a row is a loop, not on its
// way out (unless it was created within graceNs).
func (g *goroutine) inFlight(end int64) bool {
	if end-g.created < graceNs {
		return true
	}
	return g.repeats < 2 && end-g.lastChange < graceNs
}

// stdTop lists the standard library's top-level import path elements (go list std).
var stdTop = map[string]bool{}

func init() {
	for _, p := range strings.Fields(`archive bufio builtin bytes cmp compress container context crypto database debug
		embed encoding errors expvar flag fmt go hash html image index internal io iter log maps math mime net os path
		plugin reflect regexp runtime slices sort strconv strings structs sync syscall testing text time unicode unique
		unsafe vendor weak`) {
		stdTop[p] = true
	}
}

// internal reports functions that are not user code: the runtime, the
// standard library (the package path's first element is a standard one) and
// cancelflow's own instrumentation.
func internal(fn string) bool {
	f, _, _ := strings.Cut(fn, "[")
	pkg := f
	if slash := strings.LastIndex(f, "/"); slash >= 0 {
		if dot := strings.Index(f[slash:], "."); dot >= 0 {
			pkg = f[:slash+dot]
		}
	} else if dot := strings.Index(f, "."); dot >= 0 {
		pkg = f[:dot]
	}
	top, _, _ := strings.Cut(pkg, "/")
	return stdTop[top] || own(fn)
}

// own reports cancelflow's instrumentation and scenario harness.
func own(fn string) bool {
	return strings.HasPrefix(fn, "github.com/cancelflow/cancelflow/go/ctxtrace.") ||
		strings.HasPrefix(fn, "github.com/cancelflow/cancelflow/go/scenarios/internal/")
}

// plumbing reports goroutines started by the runtime, by the standard
// packages that do blocking and cancellation plumbing, or by cancelflow's
// instrumentation: no rule judges them.
func plumbing(start string) bool {
	for _, p := range []string{"runtime.", "runtime/", "context.", "internal/", "sync.", "time.", "net.", "net/", "os.",
		"os/", "testing."} {
		if strings.HasPrefix(start, p) {
			return true
		}
	}
	return own(start)
}

// instrumentation reports goroutines started by ctxtrace for itself.
func instrumentation(start string) bool {
	return strings.HasPrefix(start, "github.com/cancelflow/cancelflow/go/ctxtrace.") && !strings.HasPrefix(start, "github.com/cancelflow/cancelflow/go/ctxtrace.Go.")
}

type result struct {
	gs      map[int64]*goroutine
	recs    []parsed.Record
	ctxRecs map[int64]parsed.Record // ctx id → ctx record
	end     int64                   // time of the last event
}

func analyze(t *testing.T, path string) result {
	t.Helper()
	evs, recs, err := parsed.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	res := result{gs: map[int64]*goroutine{}, recs: recs, ctxRecs: map[int64]parsed.Record{}}
	for _, ev := range evs {
		now, _ := strconv.ParseInt(ev.Attrs["Time"], 10, 64)
		res.end = max(res.end, now)
		if ev.Kind != "StateTransition" {
			continue
		}
		id, _ := strconv.ParseInt(ev.Attrs["GoID"], 10, 64)
		from, to, _ := strings.Cut(ev.Transition, "->")
		if g := res.gs[id]; g != nil {
			g.state = to
			// A status record of a later generation (Waiting->Waiting, no
			// reason) is no change: every trace ends with one.
			if from != to {
				if to == "Waiting" || from == "Waiting" {
					g.lastChange = now
				}
				g.forever = to == "Waiting" && ev.Attrs["Reason"] == "forever"
			}
			if from == "Running" && to == "Waiting" {
				st := strings.Join(ev.Stacks["Stack"], "\n")
				if st == g.blockStack && st != "" {
					g.repeats++
				} else {
					g.repeats = 1
				}
				g.blockStack = st
			}
			switch {
			case to == "Waiting":
				g.blocked = true
				g.cancelWake = -1
			case from == "Waiting" && to == "Runnable" && slices.Contains(ev.Stacks["Stack"], "context.(*cancelCtx).cancel"):
				g.cancelWake = now
			}
		}
		switch {
		case from == "NotExist":
			g := &goroutine{id: id, creator: ev.G, created: now, cancelWake: -1, state: to, lastChange: now}
			if ts := ev.Stacks["TransitionStack"]; len(ts) > 0 {
				g.start = ts[0]
			}
			for _, fn := range ev.Stacks["Stack"] {
				if !internal(fn) {
					g.site = fn
					break
				}
			}
			res.gs[id] = g
		case to == "NotExist":
			if g := res.gs[id]; g != nil {
				g.ended = true
			}
		}
	}
	for _, r := range recs {
		if r.Err != nil {
			t.Errorf("%s: bad record %s: %v", path, r.Attrs["Message"], r.Err)
			continue
		}
		g := res.gs[r.IntField("gid")]
		switch r.Name {
		case "ctx":
			res.ctxRecs[r.IntField("id")] = r
		case "go":
			if g != nil {
				g.bound = r.IntField("ctx")
			}
		case "go_exit":
			if g != nil {
				g.exited = true
			}
		case "go_overdue":
			if g != nil {
				g.overdue = true
			}
		}
	}
	return res
}

func (f Finding) matchG(g *goroutine) bool {
	if f.GoroutineFuncRe != "" && !regexp.MustCompile(f.GoroutineFuncRe).MatchString(g.start) {
		return false
	}
	if f.GoroutineFuncRe == "" && f.GoroutineFunc != "" && f.GoroutineFunc != g.start {
		return false
	}
	return f.SiteFunc == "" || f.SiteFunc == g.site
}

// underRequest reports whether goroutine id, or one of its creators, is
// bound to a cancelable instrumented context.
func (res result) underRequest(id int64) bool {
	for depth := 0; depth < 100; depth++ {
		g := res.gs[id]
		if g == nil {
			return false
		}
		if g.bound != 0 && res.ctxRecs[g.bound].Field("kind") != "withoutcancel" {
			return true
		}
		id = g.creator
	}
	return false
}

// check computes, per rule, the findings of the reference checker and
// compares them with want: each expected finding must match exactly Count
// candidates, and each rule must have exactly as many candidates as want
// lists in total (so unexpected findings fail too).
func (res result) check(t *testing.T, want []Finding, tolerated []string, instrumented bool) {
	t.Helper()
	type cand struct {
		g   *goroutine
		ctx parsed.Record
	}
	got := map[string][]cand{}
	for _, g := range res.gs {
		if g.start == "" || instrumentation(g.start) || plumbing(g.start) && !strings.HasPrefix(g.start, "context.") {
			continue
		}
		// One bug, one finding: a propagateCancel goroutine is cancel-not-called,
		// a goroutine the watchdog saw overdue and never exiting is
		// ignored-cancel; neither is also a leak.
		if strings.HasPrefix(g.start, "context.(*cancelCtx).propagateCancel.func") || instrumented && g.overdue && !g.exited {
			continue
		}
		if !g.ended && !strings.HasPrefix(g.start, "runtime") && (g.forever || !g.inFlight(res.end)) {
			got["leaked-goroutine"] = append(got["leaked-goroutine"], cand{g: g})
		}
	}
	if instrumented {
		for _, g := range res.gs {
			switch {
			case g.overdue && !g.exited:
				got["ignored-cancel"] = append(got["ignored-cancel"], cand{g: g})
			case g.overdue && g.exited:
				got["slow-cancel"] = append(got["slow-cancel"], cand{g: g})
			}
		}
		for _, r := range res.recs {
			switch r.Name {
			case "leak":
				got["cancel-not-called"] = append(got["cancel-not-called"], cand{ctx: res.ctxRecs[r.IntField("id")]})
			case "ctx":
				detached := r.Field("kind") == "withoutcancel" || slices.Contains([]string{"background", "todo", "detached"}, r.Field("parent_kind"))
				if detached && res.underRequest(r.G) {
					got["detached-context"] = append(got["detached-context"], cand{ctx: r})
				}
				if pd, d := r.IntField("parent_deadline_ns"), r.IntField("deadline_ns"); pd > 0 && d > pd {
					got["late-deadline"] = append(got["late-deadline"], cand{ctx: r})
				}
			}
		}
	} else {
		// Without records, a propagateCancel goroutine alive at the end is
		// the signature of a context whose CancelFunc was never called.
		for _, g := range res.gs {
			if !g.ended && strings.HasPrefix(g.start, "context.(*cancelCtx).propagateCancel.func") {
				got["cancel-not-called"] = append(got["cancel-not-called"], cand{g: g})
			}
		}
		// Without records the checker only sees slow exits of goroutines
		// woken by a cancel; it takes the expectation's goroutines that
		// ended as the candidates.
		for _, f := range want {
			if f.Rule != "slow-cancel" {
				continue
			}
			for _, g := range res.gs {
				if g.ended && f.matchG(g) {
					got["slow-cancel"] = append(got["slow-cancel"], cand{g: g})
				}
			}
		}
	}
	wantTotal := map[string]int{}
	for _, f := range want {
		wantTotal[f.Rule] += f.Count
		n := 0
		for _, c := range got[f.Rule] {
			if c.g != nil && f.matchG(c.g) || c.g == nil && (f.SiteFunc == "" || c.ctx.Field("func") == f.SiteFunc) {
				n++
			}
		}
		if n != f.Count {
			t.Errorf("%s: %d matching, want %d (%+v)", f.Rule, n, f.Count, f)
		}
	}
	for _, rule := range Rules {
		if len(got[rule]) != wantTotal[rule] && !slices.Contains(tolerated, rule) {
			var desc []string
			for _, c := range got[rule] {
				if c.g != nil {
					desc = append(desc, fmt.Sprintf("G%d %s (site %s)", c.g.id, c.g.start, c.g.site))
				} else {
					desc = append(desc, fmt.Sprintf("ctx %s at %s", c.ctx.Field("id"), c.ctx.Field("func")))
				}
			}
			t.Errorf("%s: checker found %d, expect.json says %d: %v", rule, len(got[rule]), wantTotal[rule], desc)
		}
	}
}

func TestScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs every scenario")
	}
	dirs, err := filepath.Glob("*/expect.json")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	bin := t.TempDir()
	cmd := exec.Command(parsed.GoCommand(), "build", "-o", bin+string(filepath.Separator), "./...")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	type job struct {
		name, trace  string
		instrumented bool
		want         []Finding
		tolerated    []string
		out          []byte
		err          error
		took         time.Duration
		done         chan struct{}
	}
	var jobs []*job
	for _, d := range dirs {
		name := filepath.Dir(d)
		exp := loadExpect(t, name)
		for _, instrumented := range []bool{false, true} {
			j := &job{name: name, instrumented: instrumented, want: exp.Findings, tolerated: exp.Tolerated, done: make(chan struct{})}
			j.trace = filepath.Join(bin, name+".trace")
			if !instrumented {
				j.want = append(slices.Clone(exp.Findings), exp.PlainOnly...)
			}
			if instrumented {
				j.trace = filepath.Join(bin, name+".instrumented.trace")
				j.want = append(slices.Clone(exp.Findings), exp.InstrumentedExtra...)
			}
			jobs = append(jobs, j)
		}
	}
	sem := make(chan struct{}, 2)
	defer func() { // subtests filtered out by -run still own files in bin
		for _, j := range jobs {
			<-j.done
		}
	}()
	for _, j := range jobs {
		go func() {
			defer close(j.done)
			sem <- struct{}{}
			defer func() { <-sem }()
			args := []string{"-o", j.trace}
			if j.instrumented {
				args = append(args, "-instrument")
			}
			start := time.Now()
			j.out, j.err = exec.Command(filepath.Join(bin, j.name), args...).CombinedOutput()
			j.took = time.Since(start)
		}()
	}
	for _, j := range jobs {
		name, trace, instrumented, want := j.name, j.trace, j.instrumented, j.want
		t.Run(fmt.Sprintf("%s/instrumented=%v", name, instrumented), func(t *testing.T) {
			<-j.done
			if j.err != nil {
				t.Fatalf("%v\n%s", j.err, j.out)
			}
			if j.took > 2*time.Second {
				t.Errorf("took %v, want < 2s", j.took)
			}
			res := analyze(t, trace)
			if !instrumented && len(res.recs) != 0 {
				t.Errorf("%d cancelflow records without instrumentation", len(res.recs))
			}
			if instrumented && len(res.recs) == 0 {
				t.Error("no cancelflow records with instrumentation")
			}
			res.check(t, want, j.tolerated, instrumented)
		})
	}
}
