// Command fuzzconv converts Go fuzzing corpus entries ("go test fuzz v1"
// files holding a single []byte value) into raw binary files.
//
//	fuzzconv OUTDIR FILE...    writes OUTDIR/<base name of FILE>.bin
//
// Only the shape used by FuzzReader corpora is accepted: a header line
// followed by exactly one []byte("...") value (any Go string literal form).
// Anything else is an error, so a format change upstream is noticed.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

const header = "go test fuzz v1"

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: fuzzconv OUTDIR FILE...")
		os.Exit(2)
	}
	dir := os.Args[1]
	for _, in := range os.Args[2:] {
		data, err := os.ReadFile(in)
		if err == nil {
			data, err = decode(data)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "fuzzconv: %s: %v\n", in, err)
			os.Exit(1)
		}
		out := filepath.Join(dir, filepath.Base(in)+".bin")
		if err := os.WriteFile(out, data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "fuzzconv:", err)
			os.Exit(1)
		}
		fmt.Printf("%s %d bytes\n", out, len(data))
	}
}

// decode returns the bytes of the single []byte value of a corpus file.
func decode(src []byte) ([]byte, error) {
	first, rest, _ := bytes.Cut(src, []byte("\n"))
	if strings.TrimSpace(string(first)) != header {
		return nil, fmt.Errorf("missing %q header", header)
	}
	var values []string
	for _, line := range strings.Split(string(rest), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			values = append(values, line)
		}
	}
	if len(values) != 1 {
		return nil, fmt.Errorf("want exactly one value, have %d", len(values))
	}
	expr, err := parser.ParseExpr(values[0])
	if err != nil {
		return nil, err
	}
	call, ok := expr.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return nil, errors.New(`value is not of the form []byte("...")`)
	}
	typ, ok := call.Fun.(*ast.ArrayType)
	if !ok || typ.Len != nil {
		return nil, errors.New("value is not a []byte conversion")
	}
	if id, ok := typ.Elt.(*ast.Ident); !ok || (id.Name != "byte" && id.Name != "uint8") {
		return nil, errors.New("value is not a []byte conversion")
	}
	lit, ok := call.Args[0].(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return nil, errors.New("argument is not a string literal")
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}
