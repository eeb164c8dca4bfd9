// Package record defines and encodes the cancelflow instrumentation records.
//
// A record is one runtime/trace user log event (trace.Log) whose category is
// Prefix + record name (for example "cancelflow/v1/cancel") and whose message
// is a space-separated list of key=value fields in the fixed order given by
// Specs. Two records ("ctx" and "test_start") are also preceded by a
// trace.NewTask: their log is emitted inside the new task.
//
// Specs is the single source of truth for the Go encoder; docs/records.md
// holds the same table for the C++ decoder, and a test checks that both agree.
//
// Value encodings:
//
//	int     signed decimal (strconv.AppendInt)
//	bool    "true" or "false"
//	enum    a bare word matching [a-z][a-z0-9_]*
//	string  strconv.Quote of the value (always quoted, even when empty)
//
// Strings longer than MaxString bytes are cut before quoting (file names keep
// their tail, other strings their head), so a message always stays well below
// the 1024-byte limit the runtime applies to trace strings.
package record

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Version is the schema version carried in every record category.
const Version = 1

// Prefix starts every record category: "cancelflow/v<Version>/".
const Prefix = "cancelflow/v1/"

// TaskType is the task type (name) of the task opened for each instrumented
// context. Test tasks are named after the test instead.
const TaskType = Prefix + "ctx"

// MaxString is the largest raw string value, in bytes, written into a record.
const MaxString = 200

// Type is the type of a field value.
type Type uint8

// Field value types.
const (
	Int Type = iota + 1
	Bool
	String
	Enum
)

func (t Type) String() string {
	switch t {
	case Int:
		return "int"
	case Bool:
		return "bool"
	case String:
		return "string"
	case Enum:
		return "enum"
	}
	return "invalid"
}

// Carrier says which trace events carry a record.
type Carrier uint8

// Carriers.
const (
	Log     Carrier = iota + 1 // one UserLog event
	TaskLog                    // a UserTaskBegin, then a UserLog inside that task
)

func (c Carrier) String() string {
	switch c {
	case Log:
		return "log"
	case TaskLog:
		return "task+log"
	}
	return "invalid"
}

// Field is one field of a record.
type Field struct {
	Name string
	Type Type
}

// Spec describes one record type.
type Spec struct {
	Name     string
	Carrier  Carrier
	Fields   []Field
	Category string // Prefix + Name
}

// ID identifies a record type; it indexes Specs.
type ID uint8

// Record types. Keep in the order of Specs.
const (
	Ctx ID = iota
	Cancel
	Done
	Leak
	AfterFuncRun
	AfterFuncStop
	Go
	GoExit
	GoOverdue
	GoLive
	TestStart
	TestEnd
	Snapshot
	Flush
	numRecords
)

func f(name string, t Type) Field { return Field{name, t} }

// Specs lists every record type, indexed by ID.
var Specs = [numRecords]Spec{
	Ctx: {Name: "ctx", Carrier: TaskLog, Fields: []Field{
		f("id", Int), f("parent", Int), f("ancestor", Int), f("parent_kind", Enum), f("parent_type", String),
		f("kind", Enum), f("deadline_ns", Int), f("timeout_ns", Int), f("parent_deadline_ns", Int),
		f("func", String), f("file", String), f("line", Int),
	}},
	Cancel: {Name: "cancel", Carrier: Log, Fields: []Field{
		f("id", Int), f("noop", Bool), f("cause", String), f("func", String), f("file", String), f("line", Int),
	}},
	Done: {Name: "done", Carrier: Log, Fields: []Field{
		f("id", Int), f("by", Enum), f("err", String), f("cause", String),
	}},
	Leak: {Name: "leak", Carrier: Log, Fields: []Field{
		f("id", Int), f("reason", Enum), f("done", Bool), f("test", String),
	}},
	AfterFuncRun: {Name: "afterfunc_run", Carrier: Log, Fields: []Field{
		f("id", Int), f("gid", Int),
	}},
	AfterFuncStop: {Name: "afterfunc_stop", Carrier: Log, Fields: []Field{
		f("id", Int), f("stopped", Bool), f("func", String), f("file", String), f("line", Int),
	}},
	Go: {Name: "go", Carrier: Log, Fields: []Field{
		f("gid", Int), f("ctx", Int), f("name", String), f("ctx_done", Bool),
		f("func", String), f("file", String), f("line", Int),
	}},
	GoExit: {Name: "go_exit", Carrier: Log, Fields: []Field{
		f("gid", Int), f("ctx", Int), f("name", String), f("ctx_done", Bool), f("after_done_ns", Int), f("panicked", Bool),
	}},
	GoOverdue: {Name: "go_overdue", Carrier: Log, Fields: []Field{
		f("gid", Int), f("ctx", Int), f("name", String), f("overdue_ns", Int), f("grace_ns", Int),
	}},
	GoLive: {Name: "go_live", Carrier: Log, Fields: []Field{
		f("gid", Int), f("ctx", Int), f("name", String), f("ctx_done", Bool), f("reason", Enum),
	}},
	TestStart: {Name: "test_start", Carrier: TaskLog, Fields: []Field{
		f("name", String), f("ctx", Int), f("gid", Int),
	}},
	TestEnd: {Name: "test_end", Carrier: Log, Fields: []Field{
		f("name", String), f("result", Enum), f("duration_ns", Int),
	}},
	Snapshot: {Name: "snapshot", Carrier: Log, Fields: []Field{
		f("reason", String), f("path", String),
	}},
	Flush: {Name: "flush", Carrier: Log, Fields: []Field{
		f("reason", Enum), f("live_ctx", Int), f("live_go", Int), f("go_version", String),
	}},
}

// Enums lists the values of every enum field, keyed "record.field".
var Enums = map[string][]string{
	"ctx.parent_kind": {"ctx", "background", "todo", "detached", "foreign", "uncancelable"},
	"ctx.kind":        {"cancel", "cancelcause", "timeout", "deadline", "withoutcancel", "afterfunc", "test"},
	"done.by":         {"cancel", "deadline", "parent", "external"},
	"leak.reason":     {"unreachable", "test_end", "flush"},
	"go_live.reason":  {"test_end", "flush"},
	"test_end.result": {"pass", "fail", "skip"},
	"flush.reason":    {"flush"},
}

func init() {
	for i := range Specs {
		Specs[i].Category = Prefix + Specs[i].Name
	}
}

// Lookup returns the spec of the record with the given name.
func Lookup(name string) (*Spec, bool) {
	for i := range Specs {
		if Specs[i].Name == name {
			return &Specs[i], true
		}
	}
	return nil, false
}

// Builder encodes one record message. Values are appended in the order of the
// spec's fields; a value of the wrong type or a missing value is a program
// bug and panics, so the encoder cannot drift from Specs.
type Builder struct {
	spec *Spec
	next int
	buf  []byte
}

// Start begins a record of type id, reusing the builder's buffer.
func (b *Builder) Start(id ID) *Builder {
	b.spec = &Specs[id]
	b.next = 0
	b.buf = b.buf[:0]
	return b
}

func (b *Builder) key(t Type) {
	if b.spec == nil || b.next >= len(b.spec.Fields) {
		panic("record: too many fields")
	}
	fl := b.spec.Fields[b.next]
	if fl.Type != t {
		panic(fmt.Sprintf("record %s: field %s is %v, got %v", b.spec.Name, fl.Name, fl.Type, t))
	}
	if b.next > 0 {
		b.buf = append(b.buf, ' ')
	}
	b.buf = append(b.buf, fl.Name...)
	b.buf = append(b.buf, '=')
	b.next++
}

// Int appends an int field.
func (b *Builder) Int(v int64) *Builder {
	b.key(Int)
	b.buf = strconv.AppendInt(b.buf, v, 10)
	return b
}

// Bool appends a bool field.
func (b *Builder) Bool(v bool) *Builder {
	b.key(Bool)
	b.buf = strconv.AppendBool(b.buf, v)
	return b
}

// Enum appends an enum field. v must be a bare word.
func (b *Builder) Enum(v string) *Builder {
	b.key(Enum)
	if !slices.Contains(Enums[b.spec.Name+"."+b.spec.Fields[b.next-1].Name], v) {
		panic("record: bad enum value " + strconv.Quote(v))
	}
	b.buf = append(b.buf, v...)
	return b
}

// String appends a string field, keeping at most MaxString bytes of its head.
func (b *Builder) String(v string) *Builder {
	b.key(String)
	if len(v) > MaxString {
		v = cutHead(v, MaxString)
	}
	b.buf = strconv.AppendQuote(b.buf, v)
	return b
}

// Path appends a string field holding a file name, keeping its tail.
func (b *Builder) Path(v string) *Builder {
	b.key(String)
	if len(v) > MaxString {
		v = cutTail(v, MaxString)
	}
	b.buf = strconv.AppendQuote(b.buf, v)
	return b
}

// Category returns the category of the record being built.
func (b *Builder) Category() string { return b.spec.Category }

// Message returns the encoded message. It panics if fields are missing.
func (b *Builder) Message() string {
	if b.spec == nil || b.next != len(b.spec.Fields) {
		panic("record: missing fields")
	}
	return string(b.buf)
}

// cutHead keeps the first n bytes of s without splitting a UTF-8 sequence.
func cutHead(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// cutTail keeps the last n bytes of s without splitting a UTF-8 sequence.
func cutTail(s string, n int) string {
	i := len(s) - n
	for i < len(s) && s[i]&0xC0 == 0x80 {
		i++
	}
	return s[i:]
}

func isWord(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Value is one decoded field.
type Value struct {
	Name string
	Type Type
	Raw  string // the encoded text of the value
	Str  string // decoded string (String and Enum), or Raw
	Int  int64
	Bool bool
}

// Decoded is a decoded record.
type Decoded struct {
	Version int
	Name    string
	Fields  []Value
}

// Get returns the field with the given name.
func (d *Decoded) Get(name string) (Value, bool) {
	for _, v := range d.Fields {
		if v.Name == name {
			return v, true
		}
	}
	return Value{}, false
}

// ErrNotRecord is returned by Decode for categories outside cancelflow/.
var ErrNotRecord = errors.New("record: not a cancelflow record")

// ErrVersion is returned (with the version and name filled in) for records of
// an unknown schema version: decoders count these, they do not reject a trace.
var ErrVersion = errors.New("record: unknown schema version")

// Decode decodes a log event's category and message, checking it against
// Specs: every field present, in order, with a well-formed value.
// It is the reference decoding algorithm that docs/records.md describes.
func Decode(category, message string) (Decoded, error) {
	var d Decoded
	rest, ok := strings.CutPrefix(category, "cancelflow/v")
	if !ok {
		return d, ErrNotRecord
	}
	ver, name, ok := strings.Cut(rest, "/")
	if !ok {
		return d, ErrNotRecord
	}
	v, err := strconv.Atoi(ver)
	if err != nil || v < 1 {
		return d, ErrNotRecord
	}
	d.Version, d.Name = v, name
	if v != Version {
		return d, ErrVersion
	}
	spec, ok := Lookup(name)
	if !ok {
		return d, fmt.Errorf("record: unknown record %q", name)
	}
	msg := message
	for i, fl := range spec.Fields {
		if i > 0 {
			if !strings.HasPrefix(msg, " ") {
				return d, fmt.Errorf("record %s: missing separator before %s", name, fl.Name)
			}
			msg = msg[1:]
		}
		k, after, ok := strings.Cut(msg, "=")
		if !ok || k != fl.Name {
			return d, fmt.Errorf("record %s: want field %s at %q", name, fl.Name, msg)
		}
		val := Value{Name: k, Type: fl.Type}
		switch fl.Type {
		case String:
			q, err := strconv.QuotedPrefix(after)
			if err != nil {
				return d, fmt.Errorf("record %s: field %s: %v", name, k, err)
			}
			val.Raw = q
			val.Str, _ = strconv.Unquote(q)
			msg = after[len(q):]
		default:
			raw, tail := after, ""
			if i := strings.IndexByte(after, ' '); i >= 0 {
				raw, tail = after[:i], after[i:]
			}
			val.Raw, val.Str, msg = raw, raw, tail
			switch fl.Type {
			case Int:
				if val.Int, err = strconv.ParseInt(raw, 10, 64); err != nil {
					return d, fmt.Errorf("record %s: field %s: %v", name, k, err)
				}
			case Bool:
				if val.Bool, err = strconv.ParseBool(raw); err != nil || (raw != "true" && raw != "false") {
					return d, fmt.Errorf("record %s: field %s: bad bool %q", name, k, raw)
				}
			case Enum:
				if !isWord(raw) {
					return d, fmt.Errorf("record %s: field %s: bad enum %q", name, k, raw)
				}
			}
		}
		d.Fields = append(d.Fields, val)
	}
	if msg != "" {
		return d, fmt.Errorf("record %s: trailing data %q", name, msg)
	}
	return d, nil
}
