package sim

import (
	"testing"
	"time"

	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator/fault"
)

// TestADrainThatCannotBeRecordedDoesNotExist: when ECS refuses the drain's
// attributes, Start fails (the caller keeps its message) and no half drain
// is left to be listed or counted against a budget.
func TestADrainThatCannotBeRecordedDoesNotExist(t *testing.T) {
	h := story(t, 0)
	h.RunFor(5 * time.Minute)
	id := pickInService(t, h)
	h.World.Do(func() {
		if err := h.World.Faults.Set(fault.Rule{Service: "ecs", Operation: "PutAttributes", ErrorRate: 1}); err != nil {
			t.Fatal(err)
		}
	})
	err := h.Start(id, drain.Trigger{Reason: drain.ReasonOperator, Graceful: 10 * time.Minute})
	if err == nil {
		t.Fatal("Start succeeded though ECS refused to record the drain")
	}
	if got := h.Reconciler.Drains(); len(got) != 0 {
		t.Fatalf("a drain that was never recorded is listed: %+v", got)
	}
	// Once ECS takes the record again, the same drain starts and completes.
	h.World.Do(func() { h.World.Faults.Clear() })
	if err := h.Start(id, drain.Trigger{Reason: drain.ReasonOperator, Graceful: 10 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	h.RunUntil(h.World.Now().Add(time.Hour), func() bool { return len(events(h, drain.EventCompleted)) == 1 })
	h.RunFor(5 * time.Minute)
	checkClean(t, h)
}
