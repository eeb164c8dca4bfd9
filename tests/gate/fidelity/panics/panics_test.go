package panics

import "testing"

func TestBefore(t *testing.T) { t.Log("before the panic") }

func TestPanics(t *testing.T) {
	t.Log("panics: the parent's log")
	t.Run("inner", func(t *testing.T) {
		t.Log("panics/inner: about to panic")
		panic("intentional panic")
	})
}

func TestNeverRuns(t *testing.T) {}
