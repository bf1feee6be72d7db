package sim

import (
	"testing"
	"time"

	"github.com/drainer-dev/drainer/drain"
)

// TestDrainsShowTheirTasksLeft: after a look, a drain in progress says how
// many tasks of each class are still on its instance (drainer status and
// the dashboard show it).
func TestDrainsShowTheirTasksLeft(t *testing.T) {
	h := story(t, 0)
	h.RunFor(5 * time.Minute)
	id := pickInService(t, h)
	if err := h.Start(id, drain.Trigger{Reason: drain.ReasonOperator, Graceful: time.Hour}); err != nil {
		t.Fatal(err)
	}
	h.RunFor(5 * time.Second) // DRAINING takes effect, then a look reads the tasks
	ds := h.Reconciler.Drains()
	if len(ds) != 1 {
		t.Fatalf("%d drains", len(ds))
	}
	left := ds[0].TasksLeft
	if left["daemon"] != 1 || left["service"]+left["standalone"] == 0 {
		t.Fatalf("tasks left = %v, want the daemon and some service or standalone tasks", left)
	}
}
