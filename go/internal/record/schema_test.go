package record

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// docPath is docs/records.md, relative to this package directory.
var docPath = filepath.Join("..", "..", "..", "docs", "records.md")

// table returns the rows (cells trimmed) of the markdown table between
// <!-- name:begin --> and <!-- name:end -->, without the header rows.
func table(t *testing.T, doc, name string) [][]string {
	t.Helper()
	begin, end := "<!-- "+name+":begin -->", "<!-- "+name+":end -->"
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("markers %s / %s not found in %s", begin, end, docPath)
	}
	var rows [][]string
	for _, line := range strings.Split(doc[i+len(begin):j], "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if !strings.HasPrefix(line, "|") || !strings.HasSuffix(line, "|") {
			t.Fatalf("not a table row: %q", line)
		}
		var cells []string
		for _, c := range strings.Split(line[1:len(line)-1], "|") {
			cells = append(cells, strings.TrimSpace(c))
		}
		rows = append(rows, cells)
	}
	if len(rows) < 2 || !strings.HasPrefix(rows[1][0], "-") {
		t.Fatalf("table %s has no header", name)
	}
	return rows[2:]
}

func readDoc(t *testing.T) string {
	b, err := os.ReadFile(docPath)
	if os.IsNotExist(err) {
		t.Skipf("%s not present (module used outside the cancelflow repository)", docPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDocMatchesSpecs checks docs/records.md lists exactly the records,
// carriers, fields (in order) and field types of Specs.
func TestDocMatchesSpecs(t *testing.T) {
	rows := table(t, readDoc(t), "records")
	if len(rows) != len(Specs) {
		t.Errorf("doc has %d records, encoder %d", len(rows), len(Specs))
	}
	for i, row := range rows {
		if len(row) != 3 {
			t.Fatalf("row %d: want 3 cells, got %q", i, row)
		}
		if i >= len(Specs) {
			t.Errorf("doc record %s not in encoder", row[0])
			continue
		}
		s := Specs[i]
		if row[0] != s.Name || row[1] != s.Carrier.String() {
			t.Errorf("row %d: doc %s/%s, encoder %s/%s", i, row[0], row[1], s.Name, s.Carrier)
		}
		var want []string
		for _, f := range s.Fields {
			want = append(want, f.Name+":"+f.Type.String())
		}
		if got := strings.Fields(row[2]); !slices.Equal(got, want) {
			t.Errorf("record %s fields:\n doc     %v\n encoder %v", s.Name, got, want)
		}
	}
}

// TestDocMatchesEnums checks the enum table against Enums, and that every
// enum field has an entry.
func TestDocMatchesEnums(t *testing.T) {
	rows := table(t, readDoc(t), "enums")
	seen := map[string]bool{}
	for _, row := range rows {
		want, ok := Enums[row[0]]
		if !ok {
			t.Errorf("doc enum %s not in encoder", row[0])
			continue
		}
		seen[row[0]] = true
		if got := strings.Fields(row[1]); !slices.Equal(got, want) {
			t.Errorf("enum %s: doc %v, encoder %v", row[0], got, want)
		}
	}
	for _, s := range Specs {
		for _, f := range s.Fields {
			key := s.Name + "." + f.Name
			if f.Type == Enum && !seen[key] {
				t.Errorf("enum field %s missing from doc", key)
			}
		}
	}
	for k := range Enums {
		if !seen[k] {
			t.Errorf("encoder enum %s missing from doc", k)
		}
	}
}
