package parsed

import "testing"

const sample = `M=8413 P=1 G=1 Log Time=961972185856 Task=1 Category="cancelflow/v1/afterfunc_run" Message="id=1 gid=7"
Stack=
	main.main @ 0x4b618a
		/tmp/exp/main.go:22

M=8413 P=1 G=1 StateTransition Time=961972193728 GoID=22 NotExist->Runnable Reason=""
TransitionStack=
	main.sleeper @ 0x4b5f00
		/tmp/exp/main.go:10

Stack=
	main.spawn @ 0x4b5fe4
		/tmp/exp/main.go:14
	main.main @ 0x4b61a8
		/tmp/exp/main.go:24

M=-1 P=-1 G=-1 Sync Time=1 N=2
`

func TestParse(t *testing.T) {
	evs, err := Parse(sample)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 {
		t.Fatalf("%d events", len(evs))
	}
	st := evs[1]
	if st.Kind != "StateTransition" || st.Transition != "NotExist->Runnable" || st.Attrs["GoID"] != "22" || st.G != 1 {
		t.Errorf("transition: %+v", st)
	}
	if ts := st.Stacks["TransitionStack"]; len(ts) != 1 || ts[0] != "main.sleeper" {
		t.Errorf("transition stack %v", ts)
	}
	if s := st.Stacks["Stack"]; len(s) != 2 || s[1] != "main.main" {
		t.Errorf("stack %v", s)
	}
	if evs[2].M != -1 || evs[2].Kind != "Sync" {
		t.Errorf("sync: %+v", evs[2])
	}
	recs := Records(evs)
	if len(recs) != 1 || recs[0].Err != nil || recs[0].Name != "afterfunc_run" || recs[0].IntField("gid") != 7 || recs[0].Task != 1 {
		t.Errorf("records: %+v", recs)
	}
}
