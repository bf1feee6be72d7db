package sim

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/assembly"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// cluster is the world of the stories: a group of 4 with drainer's
// termination hook notifying its queue, EventBridge routing Spot warnings
// and ECS changes to the same queue, a load-balanced web service at
// 100/200, a 50/200 api service, a daemon, and a standalone batch job.
const cluster = `
name: drain-stories
seed: 11
clusters: [{name: prod}]
queues: [{name: drainer}]
rules:
  - name: to-drainer
    queue: drainer
    pattern:
      source: [aws.ec2, aws.ecs]
      detail-type: [EC2 Spot Instance Interruption Warning, ECS Task State Change, ECS Container Instance State Change]
taskDefinitions:
  - {family: web, cpu: 256, memory: 512, networkMode: awsvpc, start: 20s, healthy: 30s, stop: 5s}
  - {family: api, cpu: 256, memory: 512, start: 15s, stop: 10s}
  - {family: agent, cpu: 64, memory: 128}
  - {family: batch, cpu: 256, memory: 256, run: 20m, stop: 5s}
groups:
  - name: prod-asg
    cluster: prod
    instanceType: m5.xlarge
    min: 1
    max: 6
    desired: 4
    spotPercent: SPOT
    hooks: [{name: drainer, heartbeatTimeout: 5m, defaultResult: ABANDON, queue: drainer}]
services:
  - {name: web, cluster: prod, taskDefinition: web, desired: 6, minHealthyPercent: 100, maxPercent: 200, loadBalanced: true}
  - {name: api, cluster: prod, taskDefinition: api, desired: 4, minHealthyPercent: 50, maxPercent: 200}
  - {name: agent, cluster: prod, taskDefinition: agent, daemon: true}
jobs:
  - {cluster: prod, taskDefinition: batch, count: 4, at: 2m}
`

func story(t *testing.T, spot int, timeline ...scenario.Step) *Harness {
	t.Helper()
	sc, err := scenario.ParseYAML([]byte(strings.Replace(cluster, "SPOT", strconv.Itoa(spot), 1)))
	if err != nil {
		t.Fatal(err)
	}
	sc.Timeline = timeline
	h, err := New(sc, Options{Queue: "drainer"})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func at(d time.Duration) scenario.Duration { return scenario.Duration(d) }

// checkClean fails the test with every invariant broken, during the run
// and at its end.
func checkClean(t *testing.T, h *Harness) {
	t.Helper()
	vs := append(h.Checker.Violations(), h.Checker.Final()...)
	for _, v := range vs {
		t.Error(v)
	}
}

func groupStates(h *Harness) map[string]string {
	out := map[string]string{}
	res, _ := emulator.Invoke(h.World, "test", h.World.AutoScaling.DescribeAutoScalingGroups, autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"prod-asg"}})
	for _, i := range res.AutoScalingGroups[0].Instances {
		out[i.InstanceId] = i.LifecycleState
	}
	return out
}

func events(h *Harness, typ string) []drain.Event {
	var out []drain.Event
	for _, e := range h.Events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func TestScaleInIsDrainedThenReleased(t *testing.T) {
	two := 2
	h := story(t, 0, scenario.Step{At: at(10 * time.Minute), Action: scenario.ActionSetDesired, Group: "prod-asg", Count: &two})
	start := h.World.Now()
	completed := func() bool { return len(events(h, drain.EventCompleted)) == 2 }
	if !h.RunUntil(start.Add(2*time.Hour), completed) {
		t.Fatalf("2 drains not completed within 2h; events: %+v", h.Events)
	}
	h.RunFor(5 * time.Minute)
	checkClean(t, h)

	for _, ev := range events(h, drain.EventCompleted) {
		if ev.Overdue || ev.Reason != drain.ReasonLifecycle {
			t.Errorf("drain of %s: %+v, want a lifecycle drain completed in time", ev.InstanceID, ev)
		}
		inst, _ := h.World.EC2.Instance(ev.InstanceID)
		if inst.State != ec2.StateTerminated {
			t.Errorf("drained instance %s is %s, want terminated", ev.InstanceID, inst.State)
		}
		took := ev.Time.Sub(start.Add(10 * time.Minute))
		// Web at 100/200 moves in one wave: a replacement starts (20 s),
		// gets healthy (30 s), the old task deregisters (30 s) and stops
		// (5 s); the batch job is stopped at its graceful deadline only if
		// it would still run then — here it ends by itself at 22 m.
		if took > 20*time.Minute {
			t.Errorf("drain of %s took %v", ev.InstanceID, took)
		}
	}
	states := groupStates(h)
	inService := 0
	for _, s := range states {
		if s == "InService" {
			inService++
		}
	}
	if inService != 2 {
		t.Fatalf("group after the scale-in: %v", states)
	}
	if got := h.World.ECS.HealthyCount("prod", "web"); got != 6 {
		t.Errorf("web healthy after the drains = %d, want 6", got)
	}
	if h.Handled["failed"] > 0 {
		t.Errorf("queue messages not handled: %v", h.Handled)
	}
}

func TestInvariantCheckerSeesAWholeDrain(t *testing.T) {
	three := 3
	h := story(t, 0, scenario.Step{At: at(10 * time.Minute), Action: scenario.ActionSetDesired, Group: "prod-asg", Count: &three})
	h.RunUntil(h.World.Now().Add(time.Hour), func() bool { return len(events(h, drain.EventCompleted)) == 1 })
	if got := h.Checker.Drained(); len(got) != 1 {
		t.Fatalf("checker saw %d drained instances, want 1", len(got))
	}
	checkClean(t, h)
}

// settings are drainer's defaults with name, value pairs set over them.
func settings(t *testing.T, kv ...string) *assembly.Settings {
	t.Helper()
	s := assembly.DefaultSettings()
	for i := 0; i+1 < len(kv); i += 2 {
		if err := s.Set(kv[i], kv[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	return &s
}
