package pass

import "testing"

func TestDouble(t *testing.T) {
	t.Log("doubling 2")
	if Double(2) != 4 {
		t.Fatal("Double(2) != 4")
	}
}

func TestTable(t *testing.T) {
	for _, n := range []int{1, 2} {
		t.Run(map[int]string{1: "one", 2: "two"}[n], func(t *testing.T) {
			t.Logf("n = %d", n)
		})
	}
	t.Log("after the subtests")
}

func TestSkipped(t *testing.T) { t.Skip("not on this machine") }

func BenchmarkDouble(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Double(i)
	}
	b.Log("benchmark log")
}
