package drain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator/ec2"
)

// A host in no Auto Scaling group (launched by hand, or detached from its
// group) is a container instance like any other: an operator may drain it.
// Its release cannot go through Auto Scaling, which answers "Instance Id
// not found - No managed instance found for instance ID …"; the drain must
// then terminate it through EC2 at once, not retry Auto Scaling for ever.
func TestReleaseOfAnInstanceInNoGroupTerminatesItThroughEC2(t *testing.T) {
	w := newWorld(t, `
name: standalone
clusters: [{name: demo}]
groups:
  - {name: demo-asg, cluster: demo, min: 1, max: 2, desired: 1}
`)
	var id string
	var err error
	w.Do(func() {
		// The group's launch template, outside the group: the ECS agent
		// joins the demo cluster, Auto Scaling never hears of it.
		var inst *ec2.Instance
		if inst, err = w.EC2.Launch(ec2.LaunchSpec{LaunchTemplateName: "demo-asg-template", AZ: "us-east-1a"}); err == nil {
			id = inst.ID
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	w.Clock.RunFor(2 * time.Minute)

	c := newClient(w)
	ctx := t.Context()
	if gis, err := c.DescribeGroupInstances(ctx, []string{id}); err != nil || len(gis) != 0 {
		t.Fatalf("the host is in a group: %+v, %v", gis, err)
	}

	var events []drain.Event
	rec := drain.NewReconciler(drain.Config{Cloud: c, Clock: w.Clock, Clusters: []string{"demo"},
		OnEvent: func(ev drain.Event) { events = append(events, ev) }})
	if err := rec.Start(ctx, id, drain.Trigger{Reason: drain.ReasonOperator}); err != nil {
		t.Fatal(err)
	}
	// A bound far above what the drain needs: one stuck retrying would
	// exhaust it.
	runDrains(t, w, rec, 50)

	insts, err := c.DescribeInstances(ctx, []string{id})
	if err != nil || len(insts) != 1 || (insts[0].State != cloud.InstanceTerminated && insts[0].State != cloud.InstanceShuttingDown) {
		t.Fatalf("host after the drain: %+v, %v; want it terminated", insts, err)
	}
	// One try through Auto Scaling, one termination through EC2: no loop.
	calls := func(service, op string) (n int) {
		w.Do(func() { n = w.Calls.Count(service, op, "") })
		return n
	}
	if n := calls("autoscaling", "TerminateInstanceInAutoScalingGroup"); n != 1 {
		t.Errorf("TerminateInstanceInAutoScalingGroup called %d times, want 1", n)
	}
	if n := calls("ec2", "TerminateInstances"); n != 1 {
		t.Errorf("TerminateInstances called %d times, want 1", n)
	}
	var released, completed bool
	for _, ev := range events {
		switch ev.Type {
		case drain.EventReleased:
			released = strings.Contains(ev.Detail, "through EC2")
		case drain.EventCompleted:
			completed = true
		}
	}
	if !released || !completed {
		t.Errorf("events %+v: want a release through EC2 and a completion", events)
	}
}
