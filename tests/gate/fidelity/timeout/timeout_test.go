//go:build fidelity_timeout

package timeout

import (
	"testing"
	"time"
)

func TestQuick(t *testing.T) { t.Log("quick: done") }

func TestSlow(t *testing.T) {
	t.Log("slow: waiting past the timeout")
	time.Sleep(time.Minute)
}
