package fail

import (
	"fmt"
	"testing"
)

func TestFirst(t *testing.T) {
	t.Log("first: a log line")
	t.Errorf("first: Add(1, 1) = %d, want 3", Add(1, 1))
	t.Log("first: after the error\nwith a second line")
}

func TestPasses(t *testing.T) { t.Log("a passing test's log") }

func TestSecond(t *testing.T) {
	t.Log("second: a log line")
	fmt.Println("second: printed with fmt.Println")
	t.Error("second: failed")
}

func TestNested(t *testing.T) {
	t.Log("nested: before the subtests")
	t.Run("ok", func(t *testing.T) { t.Log("nested/ok: fine") })
	t.Run("bad", func(t *testing.T) {
		t.Log("nested/bad: about to fail")
		t.Run("deeper", func(t *testing.T) { t.Error("nested/bad/deeper: failed") })
	})
	t.Run("skipped", func(t *testing.T) { t.Skip("nested/skipped: skipped") })
	t.Run("parallel", func(t *testing.T) {
		t.Parallel()
		t.Error("nested/parallel: failed after the parent's body")
	})
	t.Log("nested: after the subtests")
}

func TestParallelTop(t *testing.T) {
	t.Parallel()
	t.Log("parallel top: runs after the sequential tests")
	t.Fatal("parallel top: fatal")
}

func TestSkip(t *testing.T) { t.Skipf("skip: %s", "reason") }
