package sim

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/clock"
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

// TestTwoDrainersRaceForABudgetOfOne: two drainers asked at the same
// instant to drain two instances of one group with a budget of one (an
// operator's drain through each replica's API) start at most one: each
// checks AWS before it acts, and the one that finds the other's claim
// steps back.
func TestTwoDrainersRaceForABudgetOfOne(t *testing.T) {
	sc, err := scenario.ParseYAML([]byte(idleWorld))
	if err != nil {
		t.Fatal(err)
	}
	s := settings(t, "budget", "1")
	a, err := New(sc, Options{Queue: "drainer", Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Attach(a.Run, Options{Queue: "drainer", Settings: s, Checker: a.Checker})
	if err != nil {
		t.Fatal(err)
	}
	a.RunFor(5 * time.Minute)
	var ids []string
	for id, state := range groupStates(a) {
		if state == "InService" {
			ids = append(ids, id)
		}
	}
	if len(ids) < 2 {
		t.Fatalf("need 2 InService instances, have %v", ids)
	}
	var errs [2]error
	var done atomic.Int32
	for i, h := range []*Harness{a, b} {
		clock.Go(context.Background(), a.World.Clock, func(ctx context.Context) {
			errs[i] = h.Controller.StartVoluntary(ctx, ids[i], drain.Trigger{Reason: drain.ReasonOperator, Graceful: 10 * time.Minute})
			done.Add(1)
		})
	}
	if !a.World.Clock.RunUntilDone(a.World.Now().Add(10*time.Minute), func() bool { return done.Load() == 2 }) {
		t.Fatal("the two drains never returned")
	}
	started := 0
	for i, err := range errs {
		switch {
		case err == nil:
			started++
		case !errors.Is(err, drain.ErrOverBudget):
			t.Errorf("drain of %s: %v, want started or held by the budget", ids[i], err)
		}
	}
	draining := 0
	for _, ci := range a.World.ECS.ContainerInstances("prod") {
		if ci.Status == "DRAINING" {
			draining++
		}
	}
	if started > 1 || draining > 1 {
		t.Errorf("%d drains started, %d container instances DRAINING, want at most 1 (budget 1): %v", started, draining, errs)
	}
	if started == 0 {
		// Both stepped back: their claims are gone, so a drain asked
		// again (the next scan, or the operator) starts.
		if err := a.Do(func(ctx context.Context) error {
			return a.Controller.StartVoluntary(ctx, ids[0], drain.Trigger{Reason: drain.ReasonOperator, Graceful: 10 * time.Minute})
		}); err != nil {
			t.Errorf("a drain asked again after both stepped back: %v", err)
		}
	}
	// A claim outlives no start: none is left on any container instance.
	for _, ci := range a.World.ECS.ContainerInstances("prod") {
		for _, at := range ci.Attributes {
			if at.Name == "drainer.claim" {
				t.Errorf("claim left on %s", ci.Ec2InstanceId)
			}
		}
	}
	checkClean(t, a)
}
