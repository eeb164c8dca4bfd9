//go:build leakprof_hang

package hang

import (
	"testing"
	"time"
)

func TestHang(t *testing.T) {
	Start()
	time.Sleep(time.Minute) // past any short -timeout
}
