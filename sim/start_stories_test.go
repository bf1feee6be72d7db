package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/assembly"
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

// TestTakingUpAnActionCostsNoHeartbeat: drainer verifies a lifecycle
// action pending by its instance's lifecycle state (one
// DescribeAutoScalingInstances, shared by up to fifty messages), not by a
// heartbeat, and its heartbeats count from the action's start: the first
// comes half the hook's heartbeat timeout (5 min here) after it, then one
// every 2.5 min. A thousand actions taken up at once then cost no
// heartbeat each in Auto Scaling's one bucket at the moment they arrive.
func TestTakingUpAnActionCostsNoHeartbeat(t *testing.T) {
	three := 3
	// At 3 min every instance runs one of the 20-minute batch jobs: the
	// drain waits for it for many heartbeats.
	h := story(t, 0, scenario.Step{At: at(3 * time.Minute), Action: scenario.ActionSetDesired, Group: "prod-asg", Count: &three})
	var beats, checks []time.Time
	h.World.Calls.OnCall(func(c emulator.Call) {
		switch {
		case c.Caller != Caller || c.Outcome != "OK":
		case c.Operation == "RecordLifecycleActionHeartbeat":
			beats = append(beats, c.Time)
		case c.Operation == "DescribeAutoScalingInstances":
			checks = append(checks, c.Time)
		}
	})
	h.RunUntil(h.World.Now().Add(time.Hour), func() bool { return len(events(h, drain.EventStarted)) == 1 })
	if len(beats) != 0 || len(checks) != 1 {
		t.Fatalf("taking up the action cost %d heartbeats and %d lifecycle state reads, want 0 and 1", len(beats), len(checks))
	}
	start := events(h, drain.EventStarted)[0].Time
	h.RunUntil(start.Add(30*time.Minute), func() bool { return len(events(h, drain.EventCompleted)) == 1 })
	if len(beats) < 4 {
		t.Fatalf("%d heartbeats in a drain of %v, want one every 2.5 min", len(beats), h.World.Now().Sub(start))
	}
	// The scale-in began the action at 3 min; the message came at once.
	// The first heartbeat is spread over the minute before half the 5 min
	// heartbeat timeout (actions taken up together start together).
	if first := beats[0].Sub(start); first < 90*time.Second || first > 2*time.Minute+30*time.Second {
		t.Errorf("the first heartbeat came %v after the drain started, want 1.5 to 2.5 min", first)
	}
	for i, b := range beats[1:] {
		if gap := b.Sub(beats[i]); gap < 2*time.Minute || gap > 2*time.Minute+30*time.Second {
			t.Errorf("heartbeat %d came %v after the one before, want half the 5 min heartbeat timeout", i+1, gap)
		}
	}
	checkClean(t, h)
}

// TestAHeldDrainLooksWithoutDescribingTasks: while the container instance's
// version stays (no task placed or stopped there), a look at a held drain
// reads the instance and its container instance, not its tasks again.
func TestAHeldDrainLooksWithoutDescribingTasks(t *testing.T) {
	three := 3
	sc, err := scenario.ParseYAML([]byte(strings.Replace(cluster, "SPOT", "0", 1)))
	if err != nil {
		t.Fatal(err)
	}
	// At 3 min every instance runs one of the 20-minute batch jobs: the
	// drain waits for it once its service tasks have moved.
	sc.Timeline = []scenario.Step{{At: at(3 * time.Minute), Action: scenario.ActionSetDesired, Group: "prod-asg", Count: &three}}
	settings := assembly.DefaultSettings()
	settings.ScanInterval = 0 // only the drain's own calls
	h, err := New(sc, Options{Queue: "drainer", Settings: &settings})
	if err != nil {
		t.Fatal(err)
	}
	type window struct{ describeTasks, describeCIs int }
	var quiet window
	var from, to time.Time
	h.World.Calls.OnCall(func(c emulator.Call) {
		if c.Caller != Caller || from.IsZero() || c.Time.Before(from) || !c.Time.Before(to) {
			return
		}
		switch c.Operation {
		case "DescribeTasks":
			quiet.describeTasks++
		case "DescribeContainerInstances":
			quiet.describeCIs++
		}
	})
	h.RunUntil(h.World.Now().Add(time.Hour), func() bool { return len(events(h, drain.EventStarted)) == 1 })
	start := h.World.Now()
	from, to = start.Add(6*time.Minute), start.Add(16*time.Minute)
	h.RunUntil(to, nil)
	if got := events(h, drain.EventCompleted); len(got) != 0 {
		t.Fatalf("the drain completed before its batch job ended: %+v", got)
	}
	if quiet.describeCIs < 4 {
		t.Fatalf("%d looks (DescribeContainerInstances) in 10 quiet minutes, want one every 2 min", quiet.describeCIs)
	}
	if quiet.describeTasks != 0 {
		t.Errorf("%d DescribeTasks in 10 minutes when no task stopped on the instance, want 0", quiet.describeTasks)
	}
	h.RunUntil(h.World.Now().Add(time.Hour), func() bool { return len(events(h, drain.EventCompleted)) == 1 })
	if len(events(h, drain.EventCompleted)) != 1 {
		t.Fatal("the drain did not complete once its batch job ended")
	}
	h.RunFor(5 * time.Minute)
	checkClean(t, h)
}

// TestAnActionNotifiedTwiceIsVerifiedOnce: with the hook notifying the
// queue and EventBridge routing lifecycle actions to it too, every action
// arrives twice. The second message finds the action kept alive by its
// drain and costs no call: one lifecycle state read, no heartbeat.
func TestAnActionNotifiedTwiceIsVerifiedOnce(t *testing.T) {
	three := 3
	sc, err := scenario.ParseYAML([]byte(strings.Replace(cluster, "SPOT", "0", 1)))
	if err != nil {
		t.Fatal(err)
	}
	sc.Rules = append(sc.Rules, scenario.Rule{Name: "lifecycle", Queue: "drainer",
		Pattern: []byte(`{"source":["aws.autoscaling"],"detail-type":["EC2 Instance-terminate Lifecycle Action"]}`)})
	sc.Timeline = []scenario.Step{{At: at(3 * time.Minute), Action: scenario.ActionSetDesired, Group: "prod-asg", Count: &three}}
	h, err := New(sc, Options{Queue: "drainer"})
	if err != nil {
		t.Fatal(err)
	}
	var checks []time.Time
	h.World.Calls.OnCall(func(c emulator.Call) {
		if c.Caller == Caller && (c.Operation == "RecordLifecycleActionHeartbeat" || c.Operation == "DescribeAutoScalingInstances") {
			checks = append(checks, c.Time)
		}
	})
	h.RunUntil(h.World.Now().Add(time.Hour), func() bool { return len(events(h, drain.EventStarted)) == 1 })
	h.RunFor(time.Minute) // both messages are in by now
	if len(checks) != 1 {
		t.Fatalf("%d heartbeats and lifecycle state reads for one action notified twice, want 1", len(checks))
	}
	h.RunUntil(h.World.Now().Add(time.Hour), func() bool { return len(events(h, drain.EventCompleted)) == 1 })
	if h.Handled["failed"] != 0 {
		t.Errorf("messages failed: %v", h.Handled)
	}
	h.RunFor(5 * time.Minute)
	checkClean(t, h)
}
