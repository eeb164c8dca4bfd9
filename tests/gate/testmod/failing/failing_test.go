package failing

import "testing"

func TestPasses(t *testing.T) {
	if Add(1, 2) != 3 {
		t.Fatal("1+2")
	}
}

func TestFails(t *testing.T) { t.Errorf("Add(2, 2) = %d, want 5 (intentional failure)", Add(2, 2)) }

func TestSkips(t *testing.T) { t.Skip("intentional skip") }
