package autoscaling

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

func TestDocumentedErrors(t *testing.T) {
	w := newWorld(t)
	w.group("web", 1, 6, 2)
	w.hook("web", "drain", TransitionTerminating, 300, "CONTINUE")
	w.run(time.Minute)
	w.setDesired("web", 3) // one instance still Pending below
	w.run(time.Second)
	inService := w.inState("web", StateInService)[0]
	pending := w.inState("web", StatePending)[0]
	w.group("other", 0, 3, 0)

	lt := &LaunchTemplateSpecification{LaunchTemplateName: "ecs"}
	create := func(mod func(*CreateAutoScalingGroupInput)) error {
		in := CreateAutoScalingGroupInput{AutoScalingGroupName: "new", LaunchTemplate: lt, MinSize: i32(0), MaxSize: i32(3),
			AvailabilityZones: []string{"us-east-1a"}}
		mod(&in)
		_, err := w.svc.CreateAutoScalingGroup(in)
		return err
	}
	hook := func(mod func(*PutLifecycleHookInput)) error {
		in := PutLifecycleHookInput{AutoScalingGroupName: "web", LifecycleHookName: "h2", LifecycleTransition: TransitionLaunching}
		mod(&in)
		_, err := w.svc.PutLifecycleHook(in)
		return err
	}
	refresh := func(p RefreshPreferences) error {
		_, err := w.svc.StartInstanceRefresh(StartInstanceRefreshInput{AutoScalingGroupName: "other", Preferences: &p})
		return err
	}
	many := make([]string, 51)
	for i := range many {
		many[i] = fmt.Sprintf("i-%017d", i)
	}
	cases := []struct {
		name, code, msg string
		call            func() error
	}{
		{"create exists", "AlreadyExists", "AutoScalingGroup by this name already exists - A group with the name web already exists",
			func() error { return create(func(in *CreateAutoScalingGroupInput) { in.AutoScalingGroupName = "web" }) }},
		{"create no name", "ValidationError", "Value null at 'autoScalingGroupName'",
			func() error { return create(func(in *CreateAutoScalingGroupInput) { in.AutoScalingGroupName = "" }) }},
		{"create colon", "ValidationError", "contain no colon",
			func() error { return create(func(in *CreateAutoScalingGroupInput) { in.AutoScalingGroupName = "a:b" }) }},
		{"create no min", "ValidationError", "Value null at 'minSize'",
			func() error { return create(func(in *CreateAutoScalingGroupInput) { in.MinSize = nil }) }},
		{"create max below min", "ValidationError", "Max bound, 1, must be greater than or equal to min bound, 2",
			func() error {
				return create(func(in *CreateAutoScalingGroupInput) { in.MinSize, in.MaxSize = i32(2), i32(1) })
			}},
		{"create desired above max", "ValidationError", "Desired capacity:4 must be between the specified min size:0 and max size:3",
			func() error { return create(func(in *CreateAutoScalingGroupInput) { in.DesiredCapacity = i32(4) }) }},
		{"create no template", "ValidationError", "Valid requests must contain either LaunchTemplate",
			func() error { return create(func(in *CreateAutoScalingGroupInput) { in.LaunchTemplate = nil }) }},
		{"create template without id or name", "ValidationError", "either launchTemplateId or launchTemplateName",
			func() error {
				return create(func(in *CreateAutoScalingGroupInput) { in.LaunchTemplate = &LaunchTemplateSpecification{Version: "1"} })
			}},
		{"create lifetime too short", "ValidationError", "maximum instance lifetime",
			func() error {
				return create(func(in *CreateAutoScalingGroupInput) { in.MaxInstanceLifetime = i32(3600) })
			}},
		{"create bad health check type", "ValidationError", "Invalid health check type",
			func() error { return create(func(in *CreateAutoScalingGroupInput) { in.HealthCheckType = "PING" }) }},
		{"create bad termination policy", "ValidationError", "Invalid termination policy",
			func() error {
				return create(func(in *CreateAutoScalingGroupInput) { in.TerminationPolicies = []string{"Youngest"} })
			}},
		{"create no zones", "ValidationError", "At least one Availability Zone",
			func() error { return create(func(in *CreateAutoScalingGroupInput) { in.AvailabilityZones = nil }) }},
		{"create too many hooks", "LimitExceeded", "",
			func() error {
				return create(func(in *CreateAutoScalingGroupInput) {
					for i := 0; i < 51; i++ {
						in.LifecycleHookSpecificationList = append(in.LifecycleHookSpecificationList,
							LifecycleHookSpecification{LifecycleHookName: fmt.Sprintf("h%d", i), LifecycleTransition: TransitionTerminating})
					}
				})
			}},
		{"update unknown group", "ValidationError", "AutoScalingGroup name not found",
			func() error {
				_, err := w.svc.UpdateAutoScalingGroup(UpdateAutoScalingGroupInput{AutoScalingGroupName: "nope", MinSize: i32(1)})
				return err
			}},
		{"update desired out of range", "ValidationError", "Desired capacity:9 must be between the specified min size:1 and max size:6",
			func() error {
				_, err := w.svc.UpdateAutoScalingGroup(UpdateAutoScalingGroupInput{AutoScalingGroupName: "web", DesiredCapacity: i32(9)})
				return err
			}},
		{"update bad lifetime leaves group alone", "ValidationError", "maximum instance lifetime",
			func() error {
				_, err := w.svc.UpdateAutoScalingGroup(UpdateAutoScalingGroupInput{AutoScalingGroupName: "web", MaxInstanceLifetime: i32(40000000), HealthCheckGracePeriod: i32(77)})
				return err
			}},
		{"set desired above max", "ValidationError", "New SetDesiredCapacity value 7 is above max value 6 for the AutoScalingGroup.",
			func() error {
				_, err := w.svc.SetDesiredCapacity(SetDesiredCapacityInput{AutoScalingGroupName: "web", DesiredCapacity: i32(7)})
				return err
			}},
		{"set desired below min", "ValidationError", "New SetDesiredCapacity value 0 is below min value 1 for the AutoScalingGroup.",
			func() error {
				_, err := w.svc.SetDesiredCapacity(SetDesiredCapacityInput{AutoScalingGroupName: "web", DesiredCapacity: i32(0)})
				return err
			}},
		{"set desired missing", "ValidationError", "Value null at 'desiredCapacity'",
			func() error {
				_, err := w.svc.SetDesiredCapacity(SetDesiredCapacityInput{AutoScalingGroupName: "web"})
				return err
			}},
		{"set desired unknown group", "ValidationError", "AutoScalingGroup name not found",
			func() error {
				_, err := w.svc.SetDesiredCapacity(SetDesiredCapacityInput{AutoScalingGroupName: "nope", DesiredCapacity: i32(1)})
				return err
			}},
		{"hook heartbeat too short", "ValidationError", "Member must have value between 30 and 7200",
			func() error { return hook(func(in *PutLifecycleHookInput) { in.HeartbeatTimeout = i32(29) }) }},
		{"hook heartbeat too long", "ValidationError", "Member must have value between 30 and 7200",
			func() error { return hook(func(in *PutLifecycleHookInput) { in.HeartbeatTimeout = i32(7201) }) }},
		{"hook bad default result", "ValidationError", "CONTINUE and ABANDON",
			func() error { return hook(func(in *PutLifecycleHookInput) { in.DefaultResult = "RETRY" }) }},
		{"hook bad transition", "ValidationError", "Invalid Lifecycle Transition",
			func() error {
				return hook(func(in *PutLifecycleHookInput) { in.LifecycleTransition = "autoscaling:EC2_INSTANCE_REBOOTING" })
			}},
		{"new hook without transition", "ValidationError", "lifecycle transition must be specified",
			func() error { return hook(func(in *PutLifecycleHookInput) { in.LifecycleTransition = "" }) }},
		{"hook bad name", "ValidationError", "lifecycleHookName",
			func() error { return hook(func(in *PutLifecycleHookInput) { in.LifecycleHookName = "bad name" }) }},
		{"hook unknown group", "ValidationError", "AutoScalingGroup name not found",
			func() error { return hook(func(in *PutLifecycleHookInput) { in.AutoScalingGroupName = "nope" }) }},
		{"delete unknown hook", "ValidationError", "No Lifecycle Hook found with name nope",
			func() error {
				_, err := w.svc.DeleteLifecycleHook(DeleteLifecycleHookInput{AutoScalingGroupName: "web", LifecycleHookName: "nope"})
				return err
			}},
		{"complete bad result", "ValidationError", "Invalid Lifecycle Action Result",
			func() error {
				_, err := w.svc.CompleteLifecycleAction(CompleteLifecycleActionInput{AutoScalingGroupName: "web", LifecycleHookName: "drain", InstanceId: inService, LifecycleActionResult: "MAYBE"})
				return err
			}},
		{"complete no target", "ValidationError", "instance ID or a lifecycle action token",
			func() error {
				_, err := w.svc.CompleteLifecycleAction(CompleteLifecycleActionInput{AutoScalingGroupName: "web", LifecycleHookName: "drain", LifecycleActionResult: "CONTINUE"})
				return err
			}},
		{"complete without action", "ValidationError", "No active Lifecycle Action found with instance ID " + inService,
			func() error {
				_, err := w.svc.CompleteLifecycleAction(CompleteLifecycleActionInput{AutoScalingGroupName: "web", LifecycleHookName: "drain", InstanceId: inService, LifecycleActionResult: "CONTINUE"})
				return err
			}},
		{"heartbeat unknown token", "ValidationError", "No active Lifecycle Action found with token abc",
			func() error {
				_, err := w.svc.RecordLifecycleActionHeartbeat(RecordLifecycleActionHeartbeatInput{AutoScalingGroupName: "web", LifecycleHookName: "drain", LifecycleActionToken: "abc"})
				return err
			}},
		{"terminate unknown instance", "ValidationError", "Instance Id not found - No managed instance found for instance ID: i-00000000000000000",
			func() error {
				_, err := w.svc.TerminateInstanceInAutoScalingGroup(TerminateInstanceInAutoScalingGroupInput{InstanceId: "i-00000000000000000", ShouldDecrementDesiredCapacity: bptr(false)})
				return err
			}},
		{"terminate without decrement flag", "ValidationError", "Value null at 'shouldDecrementDesiredCapacity'",
			func() error {
				_, err := w.svc.TerminateInstanceInAutoScalingGroup(TerminateInstanceInAutoScalingGroupInput{InstanceId: inService})
				return err
			}},
		{"protect too many", "ValidationError", "less than or equal to 50",
			func() error {
				_, err := w.svc.SetInstanceProtection(SetInstanceProtectionInput{AutoScalingGroupName: "web", InstanceIds: many, ProtectedFromScaleIn: bptr(true)})
				return err
			}},
		{"protect instance of another group", "ValidationError", "The instance " + inService + " is not part of Auto Scaling group other.",
			func() error {
				_, err := w.svc.SetInstanceProtection(SetInstanceProtectionInput{AutoScalingGroupName: "other", InstanceIds: []string{inService}, ProtectedFromScaleIn: bptr(true)})
				return err
			}},
		{"protect pending instance", "ValidationError", "The instance " + pending + " is not in InService or EnteringStandby or Standby.",
			func() error {
				_, err := w.svc.SetInstanceProtection(SetInstanceProtectionInput{AutoScalingGroupName: "web", InstanceIds: []string{inService, pending}, ProtectedFromScaleIn: bptr(true)})
				return err
			}},
		{"health bad status", "ValidationError", "Healthy and Unhealthy",
			func() error {
				_, err := w.svc.SetInstanceHealth(SetInstanceHealthInput{InstanceId: inService, HealthStatus: "Sick"})
				return err
			}},
		{"health unknown instance", "ValidationError", "No managed instance found for instance ID: i-1",
			func() error {
				_, err := w.svc.SetInstanceHealth(SetInstanceHealthInput{InstanceId: "i-1", HealthStatus: "Unhealthy"})
				return err
			}},
		{"refresh min above 100", "ValidationError", "minHealthyPercentage", func() error { return refresh(RefreshPreferences{MinHealthyPercentage: i32(101)}) }},
		{"refresh max below 100", "ValidationError", "maxHealthyPercentage", func() error { return refresh(RefreshPreferences{MaxHealthyPercentage: i32(99)}) }},
		{"refresh spread above 100", "ValidationError", "difference", func() error {
			return refresh(RefreshPreferences{MinHealthyPercentage: i32(50), MaxHealthyPercentage: i32(200)})
		}},
		{"refresh bad strategy", "ValidationError", "Rolling", func() error {
			_, err := w.svc.StartInstanceRefresh(StartInstanceRefreshInput{AutoScalingGroupName: "other", Strategy: "ReplaceRootVolume"})
			return err
		}},
		{"refresh unknown group", "ValidationError", "AutoScalingGroup name not found", func() error {
			_, err := w.svc.StartInstanceRefresh(StartInstanceRefreshInput{AutoScalingGroupName: "nope"})
			return err
		}},
		{"cancel without refresh", "ActiveInstanceRefreshNotFound", "No in progress or pending Instance Refresh found for Auto Scaling group other", func() error {
			_, err := w.svc.CancelInstanceRefresh(CancelInstanceRefreshInput{AutoScalingGroupName: "other"})
			return err
		}},
		{"describe groups max records", "ValidationError", "maxRecords", func() error {
			_, err := w.svc.DescribeAutoScalingGroups(DescribeAutoScalingGroupsInput{MaxRecords: i32(101)})
			return err
		}},
		{"describe groups bad token", "ValidationError", "The token 'xyz' is invalid.", func() error {
			_, err := w.svc.DescribeAutoScalingGroups(DescribeAutoScalingGroupsInput{NextToken: "xyz"})
			return err
		}},
		{"describe instances max records", "ValidationError", "maxRecords", func() error {
			_, err := w.svc.DescribeAutoScalingInstances(DescribeAutoScalingInstancesInput{MaxRecords: i32(51)})
			return err
		}},
		{"describe activities bad filter", "ValidationError", "Filter name", func() error {
			_, err := w.svc.DescribeScalingActivities(DescribeScalingActivitiesInput{Filters: []Filter{{Name: "Color"}}})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			w.do(func() { err = tc.call() })
			e, ok := err.(*core.Error)
			if !ok {
				t.Fatalf("error %v (%T), want *core.Error %s", err, err, tc.code)
			}
			if e.Code != tc.code || e.Status != 400 || !strings.Contains(e.Message, tc.msg) {
				t.Fatalf("error = %d %s: %s; want 400 %s containing %q", e.Status, e.Code, e.Message, tc.code, tc.msg)
			}
		})
	}
	// Nothing above changed the groups.
	if d := w.desc("web"); d.DesiredCapacity != 3 || d.HealthCheckGracePeriod != 0 || d.MaxInstanceLifetime != nil {
		t.Fatalf("a failed call changed the group: %+v", d)
	}
	if len(w.svc.GroupNames()) != 2 {
		t.Fatalf("groups %v", w.svc.GroupNames())
	}
	for _, in := range w.instances("web") {
		if in.ProtectedFromScaleIn {
			t.Fatalf("a failed SetInstanceProtection protected %s", in.InstanceId)
		}
	}
}

func TestHookLimitOnPut(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 3, 0)
	for i := 0; i < maxHooks; i++ {
		w.hook("web", fmt.Sprintf("h%d", i), TransitionTerminating, 60, "CONTINUE")
	}
	var err error
	w.do(func() {
		_, err = w.svc.PutLifecycleHook(PutLifecycleHookInput{AutoScalingGroupName: "web", LifecycleHookName: "one-too-many", LifecycleTransition: TransitionTerminating})
	})
	if codeOf(err) != "LimitExceeded" {
		t.Fatalf("51st hook = %v", err)
	}
	// Updating an existing hook at the limit is fine.
	w.hook("web", "h0", TransitionTerminating, 90, "ABANDON")
}

// TestManyInstancesAndDeterminism holds 10,000 instances in groups and
// checks that the same seed gives the same run.
func TestManyInstancesAndDeterminism(t *testing.T) {
	run := func() []string {
		w := newWorld(t)
		for g := 0; g < 4; g++ {
			w.group(fmt.Sprintf("g%d", g), 0, 5000, 2500)
		}
		w.hook("g0", "drain", TransitionTerminating, 60, "CONTINUE")
		w.run(time.Minute)
		total := 0
		for g := 0; g < 4; g++ {
			total += w.states(fmt.Sprintf("g%d", g))[StateInService]
		}
		if total != 10000 {
			t.Fatalf("%d InService, want 10000", total)
		}
		w.setDesired("g0", 2000)
		w.run(5 * time.Minute)
		if n := len(w.instances("g0")); n != 2000 {
			t.Fatalf("g0 has %d instances, want 2000", n)
		}
		return w.fleet.terminated[:10]
	}
	start := time.Now()
	a := run()
	b := run()
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Fatalf("same seed, different runs:\n%v\n%v", a, b)
	}
	t.Logf("two 10,000-instance runs in %v", time.Since(start))
}

// TestDayOfAThousandInstances simulates 24 virtual hours of a 1,000-instance
// group: hourly scale in and out, a drain hook completed five minutes after
// each termination starts, maximum instance lifetime and an instance
// refresh.
func TestDayOfAThousandInstances(t *testing.T) {
	w := newWorld(t)
	w.group("ecs", 0, 1200, 1000, func(in *CreateAutoScalingGroupInput) { in.MaxInstanceLifetime = i32(86400) })
	w.hook("ecs", "drain", TransitionTerminating, 600, "ABANDON")
	w.svc.OnLifecycleChange(func(g, id, from, to string) {
		if to == StateTerminatingWait {
			w.env.After(5*time.Minute, func() {
				_, _ = w.svc.CompleteLifecycleAction(CompleteLifecycleActionInput{AutoScalingGroupName: g,
					LifecycleHookName: "drain", InstanceId: id, LifecycleActionResult: "CONTINUE"})
			})
		}
	})
	start := time.Now()
	for h := 0; h < 24; h++ {
		d := int32(1000)
		if h%2 == 0 {
			d = 900
		}
		w.setDesired("ecs", d)
		if h == 12 {
			w.do(func() {
				_, err := w.svc.StartInstanceRefresh(StartInstanceRefreshInput{AutoScalingGroupName: "ecs"})
				if err != nil {
					t.Error(err)
				}
			})
		}
		w.run(time.Hour)
	}
	w.run(2 * time.Hour)
	elapsed := time.Since(start)
	if n := len(w.inState("ecs", StateInService)); n != 1000 {
		t.Fatalf("%d InService at the end, want 1000 (%v)", n, w.states("ecs"))
	}
	if w.clock.Pending() > 10 {
		t.Fatalf("%d events still pending in a quiet world", w.clock.Pending())
	}
	t.Logf("24 h of 1,000 instances: %d launches, %d terminations, %d events, %v", len(w.fleet.ids), len(w.fleet.terminated), w.clock.Fired(), elapsed)
}
