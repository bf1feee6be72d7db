package sim

import (
	"testing"
	"time"

	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/ecs"
	"github.com/drainer-dev/drainer/emulator/fault"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// pickInService returns the oldest InService instance of the group.
func pickInService(t *testing.T, h *Harness) string {
	t.Helper()
	var id string
	var oldest time.Time
	for inst, state := range groupStates(h) {
		if state != "InService" {
			continue
		}
		e, _ := h.World.EC2.Instance(inst)
		if id == "" || e.LaunchTime.Before(oldest) || (e.LaunchTime.Equal(oldest) && inst < id) {
			id, oldest = inst, e.LaunchTime
		}
	}
	if id == "" {
		t.Fatal("no InService instance")
	}
	return id
}

func TestSpotInterruptionIsDrainedInsideItsTwoMinutes(t *testing.T) {
	h := story(t, 100, scenario.Step{At: at(10 * time.Minute), Action: scenario.ActionInterruptSpot, Group: "prod-asg"})
	warned := h.World.Now().Add(10 * time.Minute)
	h.RunUntil(warned.Add(10*time.Minute), func() bool { return len(events(h, drain.EventCompleted)) == 1 })
	done := events(h, drain.EventCompleted)
	if len(done) != 1 || done[0].Reason != drain.ReasonSpot {
		t.Fatalf("completed drains: %+v", done)
	}
	if took := done[0].Time.Sub(warned); took > 2*time.Minute {
		t.Fatalf("Spot drain finished %v after the warning, past the 120 s the instance has", took)
	}
	started := events(h, drain.EventStarted)
	if len(started) != 1 || started[0].Time.Sub(warned) > time.Second {
		t.Fatalf("drain started at %v, want at the warning (%v)", started, warned)
	}
	h.RunFor(10 * time.Minute)
	checkClean(t, h)
	if got := h.World.ECS.HealthyCount("prod", "web"); got != 6 {
		t.Errorf("web healthy after the interruption = %d, want 6", got)
	}
}

func TestOperatorDrainTerminatesAndTheGroupReplaces(t *testing.T) {
	h := story(t, 0)
	h.RunFor(5 * time.Minute)
	id := pickInService(t, h)
	if err := h.Start(id, drain.Trigger{Reason: drain.ReasonOperator, Graceful: 10 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	h.RunUntil(h.World.Now().Add(time.Hour), func() bool { return len(events(h, drain.EventCompleted)) == 1 })
	h.RunFor(5 * time.Minute)
	checkClean(t, h)
	if inst, _ := h.World.EC2.Instance(id); inst.State != ec2.StateTerminated {
		t.Fatalf("operator-drained %s is %s", id, inst.State)
	}
	inService := 0
	for _, s := range groupStates(h) {
		if s == "InService" {
			inService++
		}
	}
	if inService != 4 {
		t.Fatalf("group has %d InService, want 4: an operator drain replaces the instance", inService)
	}
	// The batch job (20 min) outlived the 10 min graceful phase: it was
	// stopped in time to finish its stop before the deadline.
	stopped := events(h, drain.EventTaskStopped)
	if len(stopped) == 0 {
		t.Fatal("no task stopped by drainer, want the standalone batch task at its deadline")
	}
}

func TestForcedDeregistrationSkipsTheGracefulPhase(t *testing.T) {
	h := story(t, 0)
	h.RunFor(5 * time.Minute)
	id := pickInService(t, h)
	forcedAt := h.World.Now()
	if err := h.Start(id, drain.Trigger{Reason: drain.ReasonForced}); err != nil {
		t.Fatal(err)
	}
	h.RunUntil(forcedAt.Add(10*time.Minute), func() bool { return len(events(h, drain.EventCompleted)) == 1 })
	done := events(h, drain.EventCompleted)
	if len(done) != 1 {
		t.Fatalf("forced drain not completed: %+v", h.Events)
	}
	if took := done[0].Time.Sub(forcedAt); took > time.Minute {
		t.Fatalf("forced drain took %v", took)
	}
	h.RunFor(5 * time.Minute)
	checkClean(t, h)
}

const stuckService = `
name: stuck
seed: 5
clusters: [{name: prod}]
queues: [{name: drainer}]
taskDefinitions:
  - {family: db, cpu: 256, memory: 512, stop: 5s}
groups:
  - name: prod-asg
    cluster: prod
    min: 1
    max: 4
    desired: 2
    hooks: [{name: drainer, heartbeatTimeout: 2m, defaultResult: ABANDON, queue: drainer}]
services:
  - {name: db, cluster: prod, taskDefinition: db, desired: 2, minHealthyPercent: 100, maxPercent: 100}
timeline:
  - {at: 5m, action: set-desired, group: prod-asg, count: 1}
`

func TestHundredHundredServiceReachesTheHardDeadline(t *testing.T) {
	sc, err := scenario.ParseYAML([]byte(stuckService))
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(sc, Options{Queue: "drainer"})
	if err != nil {
		t.Fatal(err)
	}
	h.RunUntil(h.World.Now().Add(6*time.Hour), func() bool { return len(events(h, drain.EventCompleted)) == 1 })
	started, done := events(h, drain.EventStarted), events(h, drain.EventCompleted)
	if len(done) != 1 {
		t.Fatalf("drain not completed: %+v", h.Events)
	}
	rec := h.Checker.Records()[done[0].InstanceID]
	// 100/100 cannot move: nothing happens until the graceful phase ends
	// (2 m heartbeats → 200 m global timeout), then the hard phase stops
	// the task and the instance is released before the hook gives up.
	if done[0].Time.Before(rec.GracefulUntil) {
		t.Fatalf("released at %v, before the graceful phase ended at %v", done[0].Time, rec.GracefulUntil)
	}
	if done[0].Time.After(rec.Deadline) || done[0].Time.Sub(started[0].Time) > 200*time.Minute {
		t.Fatalf("released at %v, after the hard deadline %v or the hook's 200 m", done[0].Time, rec.Deadline)
	}
	h.RunFor(10 * time.Minute)
	checkClean(t, h)
}

func TestRestartMidDrainKeepsTheDeadlines(t *testing.T) {
	two := 3
	h := story(t, 0, scenario.Step{At: at(10 * time.Minute), Action: scenario.ActionSetDesired, Group: "prod-asg", Count: &two})
	h.RunUntil(h.World.Now().Add(time.Hour), func() bool { return len(events(h, drain.EventStarted)) == 1 })
	id := events(h, drain.EventStarted)[0].InstanceID
	before := h.Reconciler.Drains()
	h.RunFor(3 * time.Minute)

	// drainer crashes: a new process starts in the same world and resumes.
	h.Stop()
	h2, err := Attach(h.Run, Options{Queue: "drainer", Checker: h.Checker})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := h2.Resume(); err != nil || n != 1 {
		t.Fatalf("resumed %d drains (%v), want 1", n, err)
	}
	after := h2.Reconciler.Drains()
	if len(before) != 1 || len(after) != 1 || after[0].Record != before[0].Record {
		t.Fatalf("deadlines changed across the restart:\n before %+v\n after  %+v", before, after)
	}
	h2.RunUntil(h2.World.Now().Add(time.Hour), func() bool { return len(events(h2, drain.EventCompleted)) == 1 })
	if got := events(h2, drain.EventCompleted); len(got) != 1 || got[0].InstanceID != id {
		t.Fatalf("the resumed drain did not complete: %+v", h2.Events)
	}
	h2.RunFor(5 * time.Minute)
	checkClean(t, h2)
}

func TestThrottlingSlowsButDoesNotBreakADrain(t *testing.T) {
	three := 3
	h := story(t, 0, scenario.Step{At: at(10 * time.Minute), Action: scenario.ActionSetDesired, Group: "prod-asg", Count: &three})
	h.World.Do(func() {
		// Only operations drainer makes, so the scenario's own scale-in is
		// not the one refused.
		for _, r := range []fault.Rule{
			{Service: "ecs", Operation: "ListTasks", Rate: 0.05, Burst: 2},
			{Service: "autoscaling", Operation: "DescribeAutoScalingInstances", ErrorRate: 0.3},
			{Service: "autoscaling", Operation: "RecordLifecycleActionHeartbeat", ErrorRate: 0.3},
			{Service: "autoscaling", Operation: "CompleteLifecycleAction", ErrorRate: 0.3},
		} {
			if err := h.World.Faults.Set(r); err != nil {
				t.Fatal(err)
			}
		}
	})
	if !h.RunUntil(h.World.Now().Add(3*time.Hour), func() bool { return len(events(h, drain.EventCompleted)) == 1 }) {
		t.Fatalf("drain not completed under throttling; events %+v", h.Events)
	}
	if n := h.World.Calls.Count("ecs", "ListTasks", "ThrottlingException"); n == 0 {
		t.Fatal("the fault never throttled drainer: the test proves nothing")
	}
	h.World.Do(func() { h.World.Faults.Clear() })
	h.RunFor(5 * time.Minute)
	checkClean(t, h)
}

func TestAbandonHookBesideOursEndsTheWaitWithoutDrainerToBlame(t *testing.T) {
	two := 3
	h := story(t, 0, scenario.Step{At: at(10 * time.Minute), Action: scenario.ActionSetDesired, Group: "prod-asg", Count: &two})
	if _, err := emulator.Invoke(h.World, "ops", h.World.AutoScaling.PutLifecycleHook, autoscaling.PutLifecycleHookInput{
		AutoScalingGroupName: "prod-asg", LifecycleHookName: "ops-backup", LifecycleTransition: autoscaling.TransitionTerminating,
		HeartbeatTimeout: ptr(int32(60)), DefaultResult: "ABANDON",
	}); err != nil {
		t.Fatal(err)
	}
	// The other hook gives up after 60 s with ABANDON: Auto Scaling skips
	// drainer's hook and terminates the instance. drainer must notice the
	// instance going and finish (clean up) rather than wait or fail.
	h.RunUntil(h.World.Now().Add(time.Hour), func() bool { return len(events(h, drain.EventCompleted)) == 1 })
	done := events(h, drain.EventCompleted)
	if len(done) != 1 {
		t.Fatalf("drain not finished after the other hook abandoned: %+v", h.Events)
	}
	for _, v := range h.Checker.Violations() {
		if v.Rule == 1 || v.Rule == 3 {
			t.Errorf("drainer blamed for another hook's ABANDON: %s", v)
		}
	}
	var left int
	h.World.Do(func() {
		for _, eni := range h.World.EC2.NetworkInterfaces() {
			if eni.Status == "available" {
				left++
			}
		}
	})
	if left != 0 {
		t.Errorf("%d network interfaces left available by the abandoned instance's awsvpc tasks", left)
	}
	_ = ecs.StatusStopped
}

func ptr[T any](v T) *T { return &v }
