package record

import (
	"errors"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	nasty := "a \"b\" c=d\ne\\f \x00 ünï"
	var b Builder
	b.Start(Cancel).Int(-3).Bool(true).String(nasty).String("main.f").Path("/a b/c=d.go").Int(12)
	msg := b.Message()
	d, err := Decode(b.Category(), msg)
	if err != nil {
		t.Fatalf("Decode(%q): %v", msg, err)
	}
	if d.Version != 1 || d.Name != "cancel" {
		t.Errorf("decoded %d %s", d.Version, d.Name)
	}
	if v, _ := d.Get("cause"); v.Str != nasty {
		t.Errorf("cause %q", v.Str)
	}
	if v, _ := d.Get("id"); v.Int != -3 {
		t.Errorf("id %d", v.Int)
	}
	if v, _ := d.Get("noop"); !v.Bool {
		t.Error("noop")
	}
	if v, _ := d.Get("file"); v.Str != "/a b/c=d.go" {
		t.Errorf("file %q", v.Str)
	}
}

func TestTruncation(t *testing.T) {
	long := strings.Repeat("é", 300) // 600 bytes
	var b Builder
	b.Start(Snapshot).String(long).Path("/" + long)
	d, err := Decode(b.Category(), b.Message())
	if err != nil {
		t.Fatal(err)
	}
	r, _ := d.Get("reason")
	p, _ := d.Get("path")
	if len(r.Str) != MaxString || !strings.HasPrefix(long, r.Str) {
		t.Errorf("reason cut to %d bytes", len(r.Str))
	}
	if len(p.Str) != MaxString || !strings.HasSuffix(long, p.Str) {
		t.Errorf("path cut to %d bytes", len(p.Str))
	}
}

func TestBuilderPanicsOnMisuse(t *testing.T) {
	for name, f := range map[string]func(){
		"wrong type":    func() { new(Builder).Start(Cancel).Bool(true) },
		"missing field": func() { new(Builder).Start(AfterFuncRun).Int(1).Message() },
		"extra field":   func() { new(Builder).Start(AfterFuncRun).Int(1).Int(2).Int(3) },
		"bad enum":      func() { new(Builder).Start(Flush).Enum("nope") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, c := range []struct {
		cat, msg string
		want     error // nil: any non-nil error
	}{
		{"user/category", "x=1", ErrNotRecord},
		{"cancelflow/v2/ctx", "whatever", ErrVersion},
		{"cancelflow/v1/nosuch", "", nil},
		{"cancelflow/v1/afterfunc_run", "id=1", nil},
		{"cancelflow/v1/afterfunc_run", "id=1 gid=2 extra=3", nil},
		{"cancelflow/v1/afterfunc_run", "gid=2 id=1", nil},
		{"cancelflow/v1/afterfunc_run", "id=x gid=2", nil},
		{"cancelflow/v1/snapshot", `reason="unterminated path=""`, nil},
		{"cancelflow/v1/afterfunc_stop", `id=1 stopped=yes func="" file="" line=1`, nil},
	} {
		_, err := Decode(c.cat, c.msg)
		if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("Decode(%q, %q) = %v, want %v", c.cat, c.msg, err, c.want)
		}
	}
	if d, err := Decode("cancelflow/v7/x", ""); !errors.Is(err, ErrVersion) || d.Version != 7 {
		t.Errorf("unknown version: %v %d", err, d.Version)
	}
}
