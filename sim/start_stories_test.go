package sim

import (
	"testing"
	"time"

	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/fault"
	"github.com/drainer-dev/drainer/emulator/scenario"
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

// TestTakingUpAnActionHeartbeatsItOnce: the heartbeat that verifies a
// lifecycle action pending is its first extension; the drain's own
// heartbeats follow half the hook's heartbeat timeout (5 min here) after
// it, not at once. A thousand actions taken up at once then cost a
// thousand heartbeats, not two thousand, in Auto Scaling's one bucket.
func TestTakingUpAnActionHeartbeatsItOnce(t *testing.T) {
	three := 3
	// At 3 min every instance runs one of the 20-minute batch jobs: the
	// drain waits for it for many heartbeats.
	h := story(t, 0, scenario.Step{At: at(3 * time.Minute), Action: scenario.ActionSetDesired, Group: "prod-asg", Count: &three})
	var beats []time.Time
	h.World.Calls.OnCall(func(c emulator.Call) {
		if c.Caller == Caller && c.Operation == "RecordLifecycleActionHeartbeat" && c.Outcome == "OK" {
			beats = append(beats, c.Time)
		}
	})
	h.RunUntil(h.World.Now().Add(time.Hour), func() bool { return len(events(h, drain.EventStarted)) == 1 })
	if len(beats) != 1 {
		t.Fatalf("%d heartbeats when the action was taken up, want 1 (the one that verified it)", len(beats))
	}
	first := beats[0]
	h.RunUntil(first.Add(30*time.Minute), func() bool { return len(events(h, drain.EventCompleted)) == 1 })
	if len(beats) < 4 {
		t.Fatalf("%d heartbeats in a drain of %v, want one every 2.5 min", len(beats), h.World.Now().Sub(first))
	}
	for i, b := range beats[1:] {
		if gap := b.Sub(beats[i]); gap < 2*time.Minute || gap > 2*time.Minute+30*time.Second {
			t.Errorf("heartbeat %d came %v after the one before, want half the 5 min heartbeat timeout", i+1, gap)
		}
	}
	checkClean(t, h)
}
