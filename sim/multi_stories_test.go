package sim

import (
	"slices"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/emulator/sqs"
)

func TestTwoDrainersCompleteEachLifecycleActionOnce(t *testing.T) {
	two := 2
	a := story(t, 0, scenario.Step{At: at(10 * time.Minute), Action: scenario.ActionSetDesired, Group: "prod-asg", Count: &two})
	// A second drainer process in the same world, on the same queue,
	// checked by the same invariants.
	b, err := Attach(a.Run, Options{Queue: "drainer", Checker: a.Checker})
	if err != nil {
		t.Fatal(err)
	}
	// At-least-once delivery at its worst: every message twice, half of
	// them late, so that both drainers hear of the same lifecycle action.
	a.World.Do(func() {
		if err := a.World.SQS.SetFaults(a.Drainer.QueueURL(), sqs.Faults{DuplicateRate: 1, DelayRate: 0.5, MaxDelay: 5 * time.Second}); err != nil {
			t.Fatal(err)
		}
	})
	completed := func() []string {
		var ids []string
		for _, h := range []*Harness{a, b} {
			for _, ev := range events(h, drain.EventCompleted) {
				if !slices.Contains(ids, ev.InstanceID) {
					ids = append(ids, ev.InstanceID)
				}
			}
		}
		slices.Sort(ids)
		return ids
	}
	start := a.World.Now()
	// The drains each drainer was running at some point.
	tracked := map[*Harness]map[string]bool{a: {}, b: {}}
	watch := func() bool {
		for _, h := range []*Harness{a, b} {
			for _, d := range h.Reconciler.Drains() {
				tracked[h][d.InstanceID] = true
			}
		}
		return len(completed()) == 2
	}
	if !RunTogether(start.Add(2*time.Hour), time.Minute, watch, a, b) {
		t.Fatalf("two drains not completed: a %+v\nb %+v", a.Events, b.Events)
	}
	RunTogether(a.World.Now().Add(10*time.Minute), time.Minute, nil, a, b)
	checkClean(t, a)

	drained := completed()
	if got := a.Checker.Drained(); !slices.Equal(got, drained) {
		t.Fatalf("checker saw %v drained, drainers completed %v", got, drained)
	}
	// Both drainers worked on the drains; each action was completed once
	// (the loser of the race hears "no active lifecycle action", fine).
	shared := 0
	for id := range tracked[a] {
		if tracked[b][id] {
			shared++
		}
	}
	if shared == 0 || a.Handled["handled"] == 0 || b.Handled["handled"] == 0 {
		t.Errorf("drains run by a %v and b %v, messages handled by a %v and b %v: want both drainers on the same drain", tracked[a], tracked[b], a.Handled, b.Handled)
	}
	if n := a.World.Calls.Count("autoscaling", "CompleteLifecycleAction", "OK"); n != 2 {
		t.Errorf("%d lifecycle actions completed, want exactly 2", n)
	}
	t.Logf("CompleteLifecycleAction: %d OK, %d answered ValidationError; drains shared by both drainers: %d",
		a.World.Calls.Count("autoscaling", "CompleteLifecycleAction", "OK"), a.World.Calls.Count("autoscaling", "CompleteLifecycleAction", "ValidationError"), shared)
	if n := a.World.Calls.Count("autoscaling", "CompleteLifecycleAction", ""); n > 4 {
		t.Errorf("%d CompleteLifecycleAction calls for 2 actions and 2 drainers", n)
	}
	for _, id := range drained {
		if inst, ok := a.World.EC2.Instance(id); ok && inst.State != ec2.StateTerminated {
			t.Errorf("drained %s is %s", id, inst.State)
		}
	}
	for _, h := range []*Harness{a, b} {
		for _, ev := range events(h, drain.EventCompleted) {
			if ev.Overdue || ev.Time.Sub(start) > 30*time.Minute {
				t.Errorf("drain %+v, want completed in time", ev)
			}
		}
	}
	if got := a.World.ECS.HealthyCount("prod", "web"); got != 6 {
		t.Errorf("web healthy after the drains = %d, want 6", got)
	}
}
