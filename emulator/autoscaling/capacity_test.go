package autoscaling

import (
	"strings"
	"testing"
	"time"
)

func azCount(ins []Instance, states ...string) map[string]int {
	m := map[string]int{}
	for _, in := range ins {
		for _, s := range states {
			if in.LifecycleState == s {
				m[in.AvailabilityZone]++
			}
		}
	}
	return m
}

func TestLaunchAndScaleInBalanceZones(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 20, 7)
	w.run(time.Minute)
	got := azCount(w.instances("web"), StateInService)
	if got["us-east-1a"] != 3 || got["us-east-1b"] != 2 || got["us-east-1c"] != 2 {
		t.Fatalf("launch spread = %v, want a:3 b:2 c:2", got)
	}
	w.setDesired("web", 4)
	w.run(time.Minute)
	got = azCount(w.instances("web"), StateInService)
	for az, n := range got {
		if n < 1 || n > 2 {
			t.Fatalf("after scale-in %v: zone %s unbalanced", got, az)
		}
	}
	if len(w.instances("web")) != 4 {
		t.Fatalf("%d instances, want 4", len(w.instances("web")))
	}
	// Each termination explains itself in AWS's words.
	var scaleIn int
	for _, a := range w.activities("web") {
		if strings.HasPrefix(a.Description, "Terminating") {
			scaleIn++
			if !strings.Contains(a.Cause, "a user request explicitly set group desired capacity changing the desired capacity from 7 to 4.  At 2026-11-22T10:01:00Z an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from 7 to 4.  At 2026-11-22T10:01:00Z instance i-") ||
				!strings.HasSuffix(a.Cause, "was selected for termination.") {
				t.Fatalf("cause = %q", a.Cause)
			}
		}
	}
	if scaleIn != 3 {
		t.Fatalf("%d termination activities, want 3", scaleIn)
	}
}

func TestScaleInTakesOldestFirstWithinZone(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 4, 1, func(in *CreateAutoScalingGroupInput) { in.AvailabilityZones = []string{"us-east-1a"} })
	w.run(time.Minute)
	first := w.fleet.ids[0]
	w.setDesired("web", 2)
	w.run(time.Minute)
	w.setDesired("web", 1)
	w.run(time.Minute)
	if !w.wasTerminated(first) || len(w.fleet.terminated) != 1 {
		t.Fatalf("terminated %v, want the oldest %s", w.fleet.terminated, first)
	}
}

func TestScaleInSkipsProtectedInstances(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 6, 3)
	w.run(time.Minute)
	ids := w.fleet.ids
	protect := func(on bool, ids ...string) {
		t.Helper()
		var err error
		w.do(func() {
			_, err = w.svc.SetInstanceProtection(SetInstanceProtectionInput{AutoScalingGroupName: "web", InstanceIds: ids, ProtectedFromScaleIn: bptr(on)})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	protect(true, ids[0], ids[1])
	w.setDesired("web", 2)
	w.run(time.Minute)
	if len(w.fleet.terminated) != 1 || w.fleet.terminated[0] != ids[2] {
		t.Fatalf("terminated %v, want only the unprotected %s", w.fleet.terminated, ids[2])
	}
	// Everything left is protected: desired drops, nothing terminates.
	w.setDesired("web", 0)
	w.run(10 * time.Minute)
	if len(w.fleet.terminated) != 1 || len(w.instances("web")) != 2 || w.desc("web").DesiredCapacity != 0 {
		t.Fatalf("protected instances terminated: %v, desired %d", w.fleet.terminated, w.desc("web").DesiredCapacity)
	}
	for _, in := range w.instances("web") {
		if !in.ProtectedFromScaleIn {
			t.Fatalf("instance %s lost its protection", in.InstanceId)
		}
	}
	// Removing protection lets the pending scale-in happen.
	protect(false, ids[0])
	w.run(time.Minute)
	if !w.wasTerminated(ids[0]) || w.wasTerminated(ids[1]) {
		t.Fatalf("after unprotecting %s: terminated %v", ids[0], w.fleet.terminated)
	}
}

func TestNewInstancesProtected(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 6, 2, func(in *CreateAutoScalingGroupInput) { in.NewInstancesProtectedFromScaleIn = bptr(true) })
	w.run(time.Minute)
	for _, in := range w.instances("web") {
		if !in.ProtectedFromScaleIn {
			t.Fatalf("%s not protected at launch", in.InstanceId)
		}
	}
}

func TestTerminateInstanceWithAndWithoutDecrement(t *testing.T) {
	w := newWorld(t)
	w.group("web", 1, 6, 3)
	w.hook("web", "drain", TransitionTerminating, 300, "CONTINUE")
	w.run(time.Minute)
	ids := w.fleet.ids

	// Without decrement the replacement launches while the old one waits.
	var out *TerminateInstanceInAutoScalingGroupOutput
	var err error
	w.do(func() {
		out, err = w.svc.TerminateInstanceInAutoScalingGroup(TerminateInstanceInAutoScalingGroupInput{InstanceId: ids[0], ShouldDecrementDesiredCapacity: bptr(false)})
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.Activity == nil || out.Activity.Description != "Terminating EC2 instance: "+ids[0] ||
		out.Activity.Cause != "At 2026-11-22T10:01:00Z instance "+ids[0]+" was taken out of service in response to a user request." ||
		out.Activity.StatusCode != ActivityMidLifecycleAction {
		t.Fatalf("activity = %+v", out.Activity)
	}
	w.run(time.Second)
	if len(w.fleet.ids) != 4 || w.state("web", ids[0]) != StateTerminatingWait {
		t.Fatalf("launched %d (want a replacement at once), old state %s", len(w.fleet.ids), w.state("web", ids[0]))
	}
	if w.desc("web").DesiredCapacity != 3 {
		t.Fatal("desired changed without decrement")
	}

	// With decrement no replacement launches and desired drops.
	w.do(func() {
		out, err = w.svc.TerminateInstanceInAutoScalingGroup(TerminateInstanceInAutoScalingGroupInput{InstanceId: ids[1], ShouldDecrementDesiredCapacity: bptr(true)})
	})
	if err != nil {
		t.Fatal(err)
	}
	w.run(time.Minute)
	if len(w.fleet.ids) != 4 || w.desc("web").DesiredCapacity != 2 {
		t.Fatalf("launched %d, desired %d", len(w.fleet.ids), w.desc("web").DesiredCapacity)
	}
	if !strings.HasSuffix(out.Activity.Cause, "in response to a user request, shrinking the capacity from 3 to 2.") {
		t.Fatalf("cause %q", out.Activity.Cause)
	}
	// Terminating an instance already terminating returns its activity again.
	w.do(func() {
		out, err = w.svc.TerminateInstanceInAutoScalingGroup(TerminateInstanceInAutoScalingGroupInput{InstanceId: ids[1], ShouldDecrementDesiredCapacity: bptr(true)})
	})
	if err != nil || w.desc("web").DesiredCapacity != 2 {
		t.Fatalf("repeat terminate: %v, desired %d", err, w.desc("web").DesiredCapacity)
	}
	// Down at min size a decrement is refused in AWS's words.
	w.do(func() {
		_, err = w.svc.TerminateInstanceInAutoScalingGroup(TerminateInstanceInAutoScalingGroupInput{InstanceId: ids[2], ShouldDecrementDesiredCapacity: bptr(true)})
	})
	if err != nil {
		t.Fatal(err)
	}
	var rest string
	for _, in := range w.instances("web") {
		if in.LifecycleState == StateInService {
			rest = in.InstanceId
		}
	}
	w.do(func() {
		_, err = w.svc.TerminateInstanceInAutoScalingGroup(TerminateInstanceInAutoScalingGroupInput{InstanceId: rest, ShouldDecrementDesiredCapacity: bptr(true)})
	})
	if codeOf(err) != "ValidationError" || !strings.Contains(err.Error(),
		"Currently, desiredSize equals minSize (1). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.") {
		t.Fatalf("decrement below min = %v", err)
	}
}

func TestMixedInstancesPolicySplitsMarkets(t *testing.T) {
	w := newWorld(t)
	w.group("mixed", 0, 10, 6, func(in *CreateAutoScalingGroupInput) {
		in.LaunchTemplate = nil
		in.MixedInstancesPolicy = &MixedInstancesPolicy{
			LaunchTemplate: &LaunchTemplate{
				LaunchTemplateSpecification: &LaunchTemplateSpecification{LaunchTemplateId: "lt-0abc"},
				Overrides:                   []LaunchTemplateOverrides{{InstanceType: "m5.large"}, {InstanceType: "m6i.large"}},
			},
			InstancesDistribution: &InstancesDistribution{OnDemandBaseCapacity: i32(2), OnDemandPercentageAboveBaseCapacity: i32(25)},
		}
	})
	w.run(time.Minute)
	var od, spot int
	types := map[string]int{}
	for _, r := range w.fleet.launched {
		if r.Market == "spot" {
			spot++
		} else {
			od++
		}
		types[r.InstanceType]++
		if r.LaunchTemplateID != "lt-0abc" || r.Version != "$Default" || r.Tags[0].Key != "aws:autoscaling:groupName" || r.Tags[0].Value != "mixed" {
			t.Fatalf("request = %+v", r)
		}
	}
	// Base 2 on-demand, then 25% of the 4 above: 1 more on-demand.
	if od != 3 || spot != 3 {
		t.Fatalf("on-demand %d spot %d, want 3 and 3", od, spot)
	}
	if types["m5.large"] != 3 || types["m6i.large"] != 3 {
		t.Fatalf("instance types %v, want the overrides used in turn", types)
	}
}

func TestUpdateMovesDesiredIntoNewBounds(t *testing.T) {
	w := newWorld(t)
	w.group("web", 1, 5, 3)
	w.run(time.Minute)
	var err error
	w.do(func() {
		_, err = w.svc.UpdateAutoScalingGroup(UpdateAutoScalingGroupInput{AutoScalingGroupName: "web", MaxSize: i32(2)})
	})
	if err != nil {
		t.Fatal(err)
	}
	w.run(time.Minute)
	if d := w.desc("web"); d.DesiredCapacity != 2 || d.MaxSize != 2 || len(d.Instances) != 2 {
		t.Fatalf("after MaxSize 2: desired %d max %d instances %d", d.DesiredCapacity, d.MaxSize, len(d.Instances))
	}
	w.do(func() {
		_, err = w.svc.UpdateAutoScalingGroup(UpdateAutoScalingGroupInput{AutoScalingGroupName: "web", MinSize: i32(4), MaxSize: i32(6)})
	})
	if err != nil {
		t.Fatal(err)
	}
	w.run(time.Minute)
	if d := w.desc("web"); d.DesiredCapacity != 4 || len(d.Instances) != 4 {
		t.Fatalf("after MinSize 4: desired %d instances %d", d.DesiredCapacity, len(d.Instances))
	}
}

func TestDeleteGroup(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 3, 2)
	w.hook("web", "drain", TransitionTerminating, 300, "CONTINUE")
	w.run(time.Minute)
	del := func(force bool) error {
		var err error
		w.do(func() {
			_, err = w.svc.DeleteAutoScalingGroup(DeleteAutoScalingGroupInput{AutoScalingGroupName: "web", ForceDelete: bptr(force)})
		})
		return err
	}
	if err := del(false); codeOf(err) != "ResourceInUse" ||
		!strings.Contains(err.Error(), "You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.") {
		t.Fatalf("delete with instances = %v", err)
	}
	w.setDesired("web", 0)
	w.run(time.Second)
	if err := del(false); codeOf(err) != "ScalingActivityInProgress" {
		t.Fatalf("delete while scaling in = %v", err)
	}
	if err := del(true); err != nil {
		t.Fatal(err)
	}
	if len(w.fleet.terminated) != 2 || len(w.svc.GroupNames()) != 0 {
		t.Fatalf("force delete terminated %v, groups %v", w.fleet.terminated, w.svc.GroupNames())
	}
	for _, id := range w.fleet.ids {
		if _, ok := w.svc.GroupOf(id); ok {
			t.Fatalf("%s still in a group", id)
		}
	}
	w.run(time.Hour) // late EC2 reports about the deleted group's instances are ignored
	if err := del(true); codeOf(err) != "ValidationError" {
		t.Fatalf("deleting a missing group = %v", err)
	}
	// An empty group deletes without force.
	w.group("empty", 0, 3, 0)
	w.do(func() {
		_, err := w.svc.DeleteAutoScalingGroup(DeleteAutoScalingGroupInput{AutoScalingGroupName: "empty"})
		if err != nil {
			t.Error(err)
		}
	})
}

func TestDescribePaging(t *testing.T) {
	w := newWorld(t)
	for _, n := range []string{"c", "a", "b"} {
		w.group(n, 0, 60, 0)
	}
	var out *DescribeAutoScalingGroupsOutput
	var names []string
	token := ""
	for {
		w.do(func() {
			out, _ = w.svc.DescribeAutoScalingGroups(DescribeAutoScalingGroupsInput{MaxRecords: i32(2), NextToken: token})
		})
		for _, g := range out.AutoScalingGroups {
			names = append(names, g.AutoScalingGroupName)
		}
		if token = out.NextToken; token == "" {
			break
		}
	}
	if strings.Join(names, ",") != "a,b,c" {
		t.Fatalf("paged names = %v", names)
	}
	w.setDesired("a", 55)
	w.run(time.Minute)
	var inst *DescribeAutoScalingInstancesOutput
	seen := map[string]bool{}
	token = ""
	for {
		var err error
		w.do(func() {
			inst, err = w.svc.DescribeAutoScalingInstances(DescribeAutoScalingInstancesInput{NextToken: token})
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(inst.AutoScalingInstances) > 50 {
			t.Fatalf("page of %d > 50", len(inst.AutoScalingInstances))
		}
		for _, d := range inst.AutoScalingInstances {
			seen[d.InstanceId] = true
			if d.AutoScalingGroupName != "a" || d.LifecycleState != StateInService || d.HealthStatus != "Healthy" || d.LaunchTemplate.LaunchTemplateName != "ecs" {
				t.Fatalf("details = %+v", d)
			}
		}
		if token = inst.NextToken; token == "" {
			break
		}
	}
	if len(seen) != 55 {
		t.Fatalf("saw %d instances, want 55", len(seen))
	}
	acts := w.activities("a")
	if len(acts) != 55 {
		t.Fatalf("%d activities, want one per launch", len(acts))
	}
	var page *DescribeScalingActivitiesOutput
	w.do(func() {
		page, _ = w.svc.DescribeScalingActivities(DescribeScalingActivitiesInput{AutoScalingGroupName: "a", MaxRecords: i32(10), NextToken: "50"})
	})
	if len(page.Activities) != 5 || page.NextToken != "" {
		t.Fatalf("last page: %d activities, token %q", len(page.Activities), page.NextToken)
	}
}

func TestActivitiesNewestFirst(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 3, 1)
	w.run(time.Minute)
	w.setDesired("web", 2)
	w.run(time.Minute)
	acts := w.activities("web")
	if len(acts) != 2 || !acts[0].StartTime.After(acts[1].StartTime) {
		t.Fatalf("activities not newest first: %+v", acts)
	}
	if acts[1].Details != `{"Availability Zone":"us-east-1a"}` || acts[1].AutoScalingGroupName != "web" {
		t.Fatalf("activity = %+v", acts[1])
	}
}
