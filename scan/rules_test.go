package scan

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func inst(id string, age time.Duration, busy bool) Instance {
	return Instance{ID: id, Group: "g", LaunchTime: t0.Add(-age), InService: true, Registered: true, Busy: busy}
}

func ids(in []Instance) string {
	s := ""
	for _, i := range in {
		s += i.ID + " "
	}
	return s
}

func TestIdleNeedsTimeAndRoomAboveMinimum(t *testing.T) {
	groups := map[string]Group{"g": {Name: "g", Desired: 4, Min: 2}}
	insts := []Instance{inst("i-busy", 3*time.Hour, true), inst("i-a", 2*time.Hour, false), inst("i-b", 5*time.Hour, false), inst("i-c", time.Hour, false)}
	since := map[string]time.Time{}
	idle := func(at time.Duration) []Instance {
		var got []Instance
		got, since = Idle(insts, groups, since, t0.Add(at), 30*time.Minute)
		return got
	}

	if got := idle(0); len(got) != 0 {
		t.Fatalf("first scan reclaimed %s: idleness must last idleAfter first", ids(got))
	}
	if got := idle(30 * time.Minute); ids(got) != "i-b i-a " {
		t.Fatalf("idle = %q, want the two oldest idle ones (desired 4, min 2)", ids(got))
	}
	// An instance that gets a task loses its idle time.
	insts[1].Busy = true
	idle(31 * time.Minute)
	if _, kept := since["i-a"]; kept {
		t.Fatal("a busy instance kept its idle time")
	}
	insts[1].Busy = false
	if got := idle(40 * time.Minute); ids(got) != "i-b i-c " {
		t.Fatalf("idle = %q, want i-b and i-c (i-a was busy 9 minutes ago)", ids(got))
	}
	// Instances already draining use up the room above the minimum.
	insts[2].Draining = true
	if got := idle(41 * time.Minute); ids(got) != "i-c " {
		t.Fatalf("idle = %q, want only i-c with one instance already draining", ids(got))
	}
	// An instance no longer seen is forgotten.
	insts = insts[:2]
	idle(42 * time.Minute)
	if _, kept := since["i-c"]; kept || len(since) != 1 {
		t.Fatalf("idle times %v, want only i-a's", since)
	}
}

func TestIdleLeavesItsInputAlone(t *testing.T) {
	since := map[string]time.Time{"i-a": t0.Add(-time.Hour), "i-gone": t0.Add(-time.Hour)}
	_, next := Idle([]Instance{inst("i-a", time.Hour, false), inst("i-new", time.Hour, false)}, nil, since, t0, time.Minute)
	if len(since) != 2 || !since["i-gone"].Equal(t0.Add(-time.Hour)) {
		t.Fatalf("Idle changed the idle times it was given: %v", since)
	}
	if len(next) != 2 || !next["i-a"].Equal(t0.Add(-time.Hour)) || !next["i-new"].Equal(t0) {
		t.Fatalf("next idle times %v, want i-a kept and i-new from now", next)
	}
}

func TestExpired(t *testing.T) {
	insts := []Instance{inst("i-young", time.Hour, true), inst("i-old", 8*24*time.Hour, true), inst("i-older", 9*24*time.Hour, false)}
	insts[0].InService = true
	got := Expired(insts, t0, 7*24*time.Hour)
	if ids(got) != "i-older i-old " {
		t.Fatalf("expired = %q", ids(got))
	}
	if Expired(insts, t0, 0) != nil {
		t.Fatal("no time-to-live expired instances")
	}
}

func TestProtectionFollowsTasksInBatchesOf50(t *testing.T) {
	g := Group{Name: "g", Protect: true}
	var insts []Instance
	for i := range 120 {
		in := inst(fmt.Sprintf("i-%03d", i), time.Hour, i < 110)
		in.Protected = i >= 100 // 100–119 protected; 110–119 idle
		insts = append(insts, in)
	}
	drainingBusy := inst("i-draining", time.Hour, true)
	drainingBusy.Draining, drainingBusy.Protected = true, true
	insts = append(insts, drainingBusy)

	protect, unprotect := Protection(insts, g)
	if len(protect) != 2 || len(protect[0]) != 50 || len(protect[1]) != 50 {
		t.Fatalf("protect batches = %d (%v), want 2 of 50", len(protect), lens(protect))
	}
	if len(unprotect) != 1 || len(unprotect[0]) != 11 || unprotect[0][10] != "i-draining" {
		t.Fatalf("unprotect = %v, want the 10 idle protected ones and the draining one", unprotect)
	}
	if p, u := Protection(insts, Group{Name: "g"}); p != nil || u != nil {
		t.Fatal("a group without managed protection got protection changes")
	}
	// Where ECS keeps the protection too, the busy draining instance
	// keeps it: drainer does not undo what ECS sets.
	_, unprotect = Protection(insts, Group{Name: "g", Protect: true, ECSProtects: true})
	if len(unprotect) != 1 || len(unprotect[0]) != 10 || slices.Contains(unprotect[0], "i-draining") {
		t.Fatalf("unprotect with ECS protecting = %v, want the 10 idle protected ones only", unprotect)
	}
	drainingBusy.Protected = false
	protect, _ = Protection([]Instance{drainingBusy}, Group{Name: "g", Protect: true, ECSProtects: true})
	if len(protect) != 1 || protect[0][0] != "i-draining" {
		t.Fatalf("protect with ECS protecting = %v, want the busy draining one, as ECS protects it", protect)
	}
}

func TestLifetimeTraps(t *testing.T) {
	groups := map[string]Group{"g": {Name: "g", MaxLifetime: 24 * time.Hour}}
	old := inst("i-old", 30*time.Hour, true)
	old.Protected = true
	oldFree := inst("i-free", 30*time.Hour, true)
	young := inst("i-young", time.Hour, true)
	young.Protected = true
	traps := LifetimeTraps([]Instance{old, oldFree, young}, groups, t0)
	if len(traps) != 1 || traps[0].Instance.ID != "i-old" || traps[0].Age != 30*time.Hour {
		t.Fatalf("traps = %+v, want only the protected instance past its lifetime", traps)
	}
}

func lens(b [][]string) []int {
	var n []int
	for _, x := range b {
		n = append(n, len(x))
	}
	return n
}
