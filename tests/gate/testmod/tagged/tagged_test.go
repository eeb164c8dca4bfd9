//go:build cftag

package tagged

import "testing"

func TestTagged(t *testing.T) {
	if !Tagged() {
		t.Fatal("built without cftag")
	}
}
