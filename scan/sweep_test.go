package scan

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/clock"
)

func TestLeftovers(t *testing.T) {
	min := time.Minute
	for _, c := range []struct {
		name      string
		available []string
		seen      map[string]time.Time
		remove    []string
		remember  []string
	}{
		{"first seen: remembered, not deleted", []string{"eni-1"}, nil, nil, []string{"eni-1"}},
		{"seen a minute ago: deleted", []string{"eni-1"}, map[string]time.Time{"eni-1": t0.Add(-min)}, []string{"eni-1"}, nil},
		{"seen just now by an earlier pass: kept", []string{"eni-1"}, map[string]time.Time{"eni-1": t0.Add(-min + time.Second)}, nil, []string{"eni-1"}},
		{"no longer available: forgotten", nil, map[string]time.Time{"eni-1": t0.Add(-time.Hour)}, nil, nil},
		{"mixed", []string{"eni-old", "eni-new"}, map[string]time.Time{"eni-old": t0.Add(-2 * min), "eni-gone": t0.Add(-min)}, []string{"eni-old"}, []string{"eni-new"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			remove, remember := Leftovers(c.available, c.seen, t0, min)
			var kept []string
			for id := range remember {
				kept = append(kept, id)
			}
			slices.Sort(kept)
			if !slices.Equal(remove, c.remove) || !slices.Equal(kept, c.remember) {
				t.Fatalf("remove %v, remember %v; want %v, %v", remove, kept, c.remove, c.remember)
			}
		})
	}
}

// TestSweepDeletesAtTheNextPass: an interface seen available by one pass
// is deleted by the next one, an interval later; none is deleted without
// a sweep age.
func TestSweepDeletesAtTheNextPass(t *testing.T) {
	f := prod()
	f.enis = []string{"eni-left"}
	v := clock.NewVirtual(t0)
	s := NewScanner(f, &fakeStarter{}, &fakePolicies{}, Options{Clock: v, SweepAge: time.Minute})
	rep, err := s.Pass(t.Context())
	if err != nil || len(rep.Swept) != 0 || len(f.deleted) != 0 {
		t.Fatalf("first pass: %+v, %v, deleted %v; want nothing deleted yet", rep.Swept, err, f.deleted)
	}
	v.RunFor(time.Minute)
	rep, err = s.Pass(t.Context())
	if err != nil || !slices.Equal(rep.Swept, []string{"eni-left"}) || !slices.Equal(f.deleted, []string{"eni-left"}) {
		t.Fatalf("second pass: swept %v, %v, deleted %v; want eni-left", rep.Swept, err, f.deleted)
	}

	f2 := prod()
	f2.enis = []string{"eni-left"}
	off := NewScanner(f2, &fakeStarter{}, &fakePolicies{}, Options{Clock: clock.NewVirtual(t0)})
	off.Pass(context.Background())
	if f2.calls["DescribeNetworkInterfaces"] != 0 {
		t.Fatal("a scanner without a sweep age looked at network interfaces")
	}
}

// TestSweepDeletesABoundedNumberAPass: of 120 interfaces due, a pass
// deletes MaxSweepDeletes; the others go at the next passes.
func TestSweepDeletesABoundedNumberAPass(t *testing.T) {
	f := prod()
	for i := range 120 {
		f.enis = append(f.enis, fmt.Sprintf("eni-%03d", i))
	}
	v := clock.NewVirtual(t0)
	s := NewScanner(f, &fakeStarter{}, &fakePolicies{}, Options{Clock: v, SweepAge: time.Minute})
	var swept []int
	for range 4 {
		rep, err := s.Pass(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		swept = append(swept, len(rep.Swept))
		v.RunFor(time.Minute)
	}
	if !slices.Equal(swept, []int{0, MaxSweepDeletes, MaxSweepDeletes, 20}) || len(f.deleted) != 120 {
		t.Fatalf("deleted per pass %v (%d in all), want 0, 50, 50, 20", swept, len(f.deleted))
	}
}
