package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// TestOperatorDrainOfAnInstanceInNoGroup: a container instance in no Auto
// Scaling group is drained and then terminated through EC2, once: Auto
// Scaling's "no managed instance" answer is not retried for ever.
func TestOperatorDrainOfAnInstanceInNoGroup(t *testing.T) {
	sc, err := scenario.ParseYAML([]byte(`
name: no-group
seed: 41
clusters: [{name: c}]
queues: [{name: drainer}]
taskDefinitions:
  - {family: web, cpu: 256, memory: 512, start: 10s, stop: 5s}
instances:
  - {name: loose, cluster: c, instanceType: m5.large, count: 2}
services:
  - {name: web, cluster: c, taskDefinition: web, desired: 2, minHealthyPercent: 50, maxPercent: 200}
`))
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(sc, Options{Queue: "drainer"})
	if err != nil {
		t.Fatal(err)
	}
	h.RunFor(5 * time.Minute)
	id := h.Run.InstanceSet("loose")[0]
	if err := h.Start(id, drain.Trigger{Reason: drain.ReasonOperator, Graceful: 10 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	h.RunFor(30 * time.Minute)
	checkClean(t, h)
	released := events(h, drain.EventReleased)
	if len(released) != 1 || !strings.Contains(released[0].Detail, "EC2") {
		t.Fatalf("released %+v, want terminated through EC2", released)
	}
	if inst, ok := h.World.EC2.Instance(id); !ok || inst.State != ec2.StateTerminated {
		t.Errorf("instance %s not terminated", id)
	}
	if n := callsBy(h, "autoscaling", "TerminateInstanceInAutoScalingGroup"); n > 1 {
		t.Errorf("%d TerminateInstanceInAutoScalingGroup calls, want at most 1", n)
	}
}

// TestTwoDrainersShareABudgetOfOne: two drainers reclaiming idle instances
// with a budget of one drain per group count the same instances (what AWS
// shows: Terminating states and DRAINING container instances), so at most
// one of the group's instances drains at any time.
func TestTwoDrainersShareABudgetOfOne(t *testing.T) {
	y := strings.Replace(idleWorld, "desired: 4", "desired: 5", 1)
	sc, err := scenario.ParseYAML([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	s := settings(t, "idle-after", "10m", "budget", "1")
	a, err := New(sc, Options{Queue: "drainer", Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Attach(a.Run, Options{Queue: "drainer", Settings: s, Checker: a.Checker})
	if err != nil {
		t.Fatal(err)
	}
	most := 0
	a.World.OnEvent(func() {
		n := 0
		for _, ci := range a.World.ECS.ContainerInstances("prod") {
			if ci.Status == "DRAINING" {
				n++
			}
		}
		most = max(most, n)
	})
	start := a.World.Now()
	completed := func() int { return len(events(a, drain.EventCompleted)) + len(events(b, drain.EventCompleted)) }
	if !RunTogether(start.Add(3*time.Hour), time.Minute, func() bool { return completed() >= 3 }, a, b) {
		t.Fatalf("idle drains completed: %d, want the 3 idle instances", completed())
	}
	checkClean(t, a)
	if most != 1 {
		t.Errorf("at most %d container instances DRAINING at once, want 1 (budget 1)", most)
	}
	// The second drainer saw the first one's drains as AWS shows them.
	held := 0
	for _, sc := range b.Scans {
		held += len(sc.Report.HeldByBudget)
	}
	if held == 0 {
		t.Error("the second drainer's scans were never held by the budget: the story proves nothing")
	}
}
