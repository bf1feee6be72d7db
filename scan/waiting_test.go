package scan

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/cloud"
)

func TestOverdue(t *testing.T) {
	w := func(ids ...string) []WaitingInstance {
		var out []WaitingInstance
		for _, id := range ids {
			out = append(out, WaitingInstance{Group: "g", InstanceID: id})
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		waiting []WaitingInstance
		seen    map[string]time.Time
		max     int
		due     string
		beyond  int
		kept    string
	}{
		{"found once: not yet", w("i-1"), nil, 10, "[]", 0, "[i-1]"},
		{"found by an earlier pass: due", w("i-1", "i-2"), map[string]time.Time{"i-2": t0.Add(-time.Minute)}, 10, "[i-2]", 0, "[i-1 i-2]"},
		{"longest waiting first, at most max", w("i-1", "i-2", "i-3"),
			map[string]time.Time{"i-1": t0.Add(-time.Minute), "i-2": t0.Add(-3 * time.Minute), "i-3": t0.Add(-2 * time.Minute)}, 2, "[i-2 i-3]", 1, "[i-1 i-2 i-3]"},
		{"covered since, or gone: forgotten", w(), map[string]time.Time{"i-1": t0.Add(-time.Hour)}, 10, "[]", 0, "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			due, beyond, kept := Overdue(tc.waiting, tc.seen, t0, tc.max)
			var ids, keptIDs []string
			for _, d := range due {
				ids = append(ids, d.InstanceID)
			}
			for _, x := range tc.waiting {
				if _, ok := kept[x.InstanceID]; ok {
					keptIDs = append(keptIDs, x.InstanceID)
				}
			}
			if fmt.Sprint(ids) != tc.due || beyond != tc.beyond || fmt.Sprint(keptIDs) != tc.kept || len(kept) != len(keptIDs) {
				t.Fatalf("due %v, %d beyond, kept %v; want %s, %d, %s", ids, beyond, kept, tc.due, tc.beyond, tc.kept)
			}
			if first, ok := kept["i-1"]; ok && tc.seen["i-1"].IsZero() && !first.Equal(t0) {
				t.Fatalf("i-1 first found at %v, want now", first)
			}
		})
	}
}

// TestPassTakesUpWaitingInstancesAtTheSecondPass: an instance in
// Terminating:Wait with no drain is taken up by the second pass that finds
// it so, at most Pages a pass; the first pass reports them as noted.
func TestPassTakesUpWaitingInstancesAtTheSecondPass(t *testing.T) {
	f := fleet(5, 1, 100)
	for i := range 3 {
		f.groups[0].Instances[i].LifecycleState = cloud.LifecycleTerminatingWait
	}
	var adopted []string
	v := clock.NewVirtual(t0)
	s := NewScanner(f, &fakeStarter{}, &fakePolicies{}, Options{Pages: 2, Clock: v,
		Adopt: func(_ context.Context, _, id string) error { adopted = append(adopted, id); return nil }})
	var deferred []int
	var noted []string
	for range 3 {
		rep := pass(t, s)
		deferred = append(deferred, rep.TakeUpDeferred)
		noted = append(noted, fmt.Sprint(rep.Noted))
		v.RunFor(time.Minute)
	}
	if want := "[{prod-asg i-000} {prod-asg i-001} {prod-asg i-002}]"; noted[0] != want || noted[1] != "[]" || noted[2] != "[]" {
		t.Errorf("noted per pass %q, want %s at the first pass, then none", noted, want)
	}
	// The fake starter starts no drain for them: each pass finds them again.
	if fmt.Sprint(adopted) != "[i-000 i-001 i-000 i-001]" || fmt.Sprint(deferred) != "[0 1 1]" {
		t.Fatalf("taken up %v, deferred per pass %v; want none at the first pass, then 2 a pass", adopted, deferred)
	}
}
