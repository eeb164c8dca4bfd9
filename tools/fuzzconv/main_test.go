package main

import (
	"bytes"
	"testing"
)

func TestDecode(t *testing.T) {
	got, err := decode([]byte("go test fuzz v1\n[]byte(\"go 1.22 trace\\x00\\x01\\b\\\"\")\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte("go 1.22 trace\x00\x01\b\""); !bytes.Equal(got, want) {
		t.Errorf("decode = %q, want %q", got, want)
	}
	for _, bad := range []string{
		"[]byte(\"x\")\n",                           // no header
		"go test fuzz v1\nstring(\"x\")\n",          // not []byte
		"go test fuzz v1\n[]byte(\"x\")\nint(1)\n",  // two values
		"go test fuzz v1\n[4]byte(\"x\")\n",         // array
		"go test fuzz v1\n[]byte(\"unterminated)\n", // bad literal
	} {
		if _, err := decode([]byte(bad)); err == nil {
			t.Errorf("decode(%q) succeeded, want an error", bad)
		}
	}
}
