package clean

import (
	"context"
	"testing"
	"time"
)

func TestFetch(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := Fetch(ctx); err != nil {
		t.Fatal(err)
	}
}
