package exit

import (
	"os"
	"testing"
)

func TestFine(t *testing.T) {}

func TestExit(t *testing.T) {
	t.Log("exit: leaving")
	os.Exit(3)
}
