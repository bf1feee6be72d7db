package awsquery_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	asgsdk "github.com/aws/aws-sdk-go-v2/service/autoscaling"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/sqs"
)

// hookQueue creates an SQS queue for hook and notification targets and
// returns its ARN.
func hookQueue(t *testing.T, w *emulator.World) string {
	t.Helper()
	q, err := emulator.Invoke(w, "setup", w.SQS.CreateQueue, sqs.CreateQueueInput{QueueName: "hooks"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := emulator.Invoke(w, "setup", w.SQS.GetQueueAttributes, sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []string{"QueueArn"}})
	if err != nil {
		t.Fatal(err)
	}
	return a.Attributes["QueueArn"]
}

// lib calls the emulator library directly, under the world lock and
// outside the call log, to compare with what came over the wire.
func lib[I, O any](w *emulator.World, method func(I) (O, error), in I) O {
	var out O
	w.Do(func() { out, _ = method(in) })
	return out
}

func instanceIDs(g asgtypes.AutoScalingGroup) []string {
	var ids []string
	for _, in := range g.Instances {
		ids = append(ids, *in.InstanceId)
	}
	return ids
}

// TestAutoScalingOperations drives every Auto Scaling operation through the
// SDK, step by step on one world, and compares each answer with what the
// emulator library says.
func TestAutoScalingOperations(t *testing.T) {
	e := newEnv(t)
	e.template(t)
	e.group(t, "web", 2)
	target := hookQueue(t, e.w)
	var ids []string
	var victim, refreshID string

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"DescribeAutoScalingGroups", func(t *testing.T) {
			out, err := e.asg.DescribeAutoScalingGroups(ctx(t), &asgsdk.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web"}})
			if err != nil {
				t.Fatal(err)
			}
			want := lib(e.w, e.w.AutoScaling.DescribeAutoScalingGroups, autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web"}})
			checkSame(t, "groups", want, out)
			if len(out.AutoScalingGroups) != 1 || len(out.AutoScalingGroups[0].Instances) != 2 || len(out.AutoScalingGroups[0].Tags) != 1 {
				t.Fatalf("groups = %+v", out.AutoScalingGroups)
			}
			ids = instanceIDs(out.AutoScalingGroups[0])
		}},
		{"DescribeAutoScalingInstances", func(t *testing.T) {
			out, err := e.asg.DescribeAutoScalingInstances(ctx(t), &asgsdk.DescribeAutoScalingInstancesInput{InstanceIds: ids})
			if err != nil {
				t.Fatal(err)
			}
			checkSame(t, "instances", lib(e.w, e.w.AutoScaling.DescribeAutoScalingInstances, autoscaling.DescribeAutoScalingInstancesInput{InstanceIds: ids}), out)
			if len(out.AutoScalingInstances) != 2 || *out.AutoScalingInstances[0].LifecycleState != "InService" {
				t.Fatalf("instances = %+v", out.AutoScalingInstances)
			}
		}},
		{"UpdateAutoScalingGroup", func(t *testing.T) {
			_, err := e.asg.UpdateAutoScalingGroup(ctx(t), &asgsdk.UpdateAutoScalingGroupInput{
				AutoScalingGroupName: aws.String("web"), MaxSize: aws.Int32(6), HealthCheckGracePeriod: aws.Int32(30),
				TerminationPolicies: []string{"OldestInstance", "Default"}, MaxInstanceLifetime: aws.Int32(604800),
			})
			if err != nil {
				t.Fatal(err)
			}
			g := lib(e.w, e.w.AutoScaling.DescribeAutoScalingGroups, autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web"}}).AutoScalingGroups[0]
			if g.MaxSize != 6 || g.HealthCheckGracePeriod != 30 || strings.Join(g.TerminationPolicies, ",") != "OldestInstance,Default" || *g.MaxInstanceLifetime != 604800 {
				t.Fatalf("group after update = %+v", g)
			}
		}},
		{"PutLifecycleHook", func(t *testing.T) {
			_, err := e.asg.PutLifecycleHook(ctx(t), &asgsdk.PutLifecycleHookInput{
				AutoScalingGroupName: aws.String("web"), LifecycleHookName: aws.String("drain"),
				LifecycleTransition: aws.String("autoscaling:EC2_INSTANCE_TERMINATING"), HeartbeatTimeout: aws.Int32(300),
				DefaultResult: aws.String("CONTINUE"), NotificationTargetARN: aws.String(target),
				RoleARN: aws.String("arn:aws:iam::123456789012:role/hook"), NotificationMetadata: aws.String(`{"cluster":"web"}`),
			})
			if err != nil {
				t.Fatal(err)
			}
		}},
		{"DescribeLifecycleHooks", func(t *testing.T) {
			out, err := e.asg.DescribeLifecycleHooks(ctx(t), &asgsdk.DescribeLifecycleHooksInput{AutoScalingGroupName: aws.String("web"), LifecycleHookNames: []string{"drain"}})
			if err != nil {
				t.Fatal(err)
			}
			checkSame(t, "hooks", lib(e.w, e.w.AutoScaling.DescribeLifecycleHooks, autoscaling.DescribeLifecycleHooksInput{AutoScalingGroupName: "web"}), out)
			if len(out.LifecycleHooks) != 1 || *out.LifecycleHooks[0].GlobalTimeout != 30000 || *out.LifecycleHooks[0].NotificationMetadata != `{"cluster":"web"}` {
				t.Fatalf("hooks = %+v", out.LifecycleHooks)
			}
		}},
		{"PutNotificationConfiguration", func(t *testing.T) {
			_, err := e.asg.PutNotificationConfiguration(ctx(t), &asgsdk.PutNotificationConfigurationInput{
				AutoScalingGroupName: aws.String("web"), TopicARN: aws.String(target),
				NotificationTypes: []string{"autoscaling:EC2_INSTANCE_LAUNCH", "autoscaling:EC2_INSTANCE_TERMINATE"},
			})
			if err != nil {
				t.Fatal(err)
			}
			out, err := e.asg.DescribeNotificationConfigurations(ctx(t), &asgsdk.DescribeNotificationConfigurationsInput{AutoScalingGroupNames: []string{"web"}})
			if err != nil {
				t.Fatal(err)
			}
			checkSame(t, "notifications", lib(e.w, e.w.AutoScaling.DescribeNotificationConfigurations, autoscaling.DescribeNotificationConfigurationsInput{AutoScalingGroupNames: []string{"web"}}), out)
			if len(out.NotificationConfigurations) != 2 {
				t.Fatalf("notification configurations = %+v", out.NotificationConfigurations)
			}
		}},
		{"SetInstanceProtection", func(t *testing.T) {
			_, err := e.asg.SetInstanceProtection(ctx(t), &asgsdk.SetInstanceProtectionInput{
				AutoScalingGroupName: aws.String("web"), InstanceIds: ids[:1], ProtectedFromScaleIn: aws.Bool(true),
			})
			if err != nil {
				t.Fatal(err)
			}
			d := lib(e.w, e.w.AutoScaling.DescribeAutoScalingInstances, autoscaling.DescribeAutoScalingInstancesInput{InstanceIds: ids[:1]})
			if !d.AutoScalingInstances[0].ProtectedFromScaleIn {
				t.Fatal("instance not protected")
			}
		}},
		{"SetDesiredCapacity", func(t *testing.T) {
			_, err := e.asg.SetDesiredCapacity(ctx(t), &asgsdk.SetDesiredCapacityInput{AutoScalingGroupName: aws.String("web"), DesiredCapacity: aws.Int32(3), HonorCooldown: aws.Bool(false)})
			if err != nil {
				t.Fatal(err)
			}
			e.w.Clock.RunFor(2 * time.Minute)
			g := lib(e.w, e.w.AutoScaling.DescribeAutoScalingGroups, autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web"}}).AutoScalingGroups[0]
			if g.DesiredCapacity != 3 || len(g.Instances) != 3 {
				t.Fatalf("desired %d, %d instances", g.DesiredCapacity, len(g.Instances))
			}
		}},
		{"TerminateInstanceInAutoScalingGroup", func(t *testing.T) {
			victim = ids[1]
			out, err := e.asg.TerminateInstanceInAutoScalingGroup(ctx(t), &asgsdk.TerminateInstanceInAutoScalingGroupInput{
				InstanceId: aws.String(victim), ShouldDecrementDesiredCapacity: aws.Bool(true),
			})
			if err != nil {
				t.Fatal(err)
			}
			if out.Activity == nil || !strings.Contains(*out.Activity.Description, victim) || out.Activity.StatusCode == "" {
				t.Fatalf("activity = %+v", out.Activity)
			}
			e.w.Clock.RunFor(time.Second)
			d := lib(e.w, e.w.AutoScaling.DescribeAutoScalingInstances, autoscaling.DescribeAutoScalingInstancesInput{InstanceIds: []string{victim}})
			if d.AutoScalingInstances[0].LifecycleState != autoscaling.StateTerminatingWait {
				t.Fatalf("victim is %s", d.AutoScalingInstances[0].LifecycleState)
			}
		}},
		{"RecordLifecycleActionHeartbeat", func(t *testing.T) {
			_, err := e.asg.RecordLifecycleActionHeartbeat(ctx(t), &asgsdk.RecordLifecycleActionHeartbeatInput{
				AutoScalingGroupName: aws.String("web"), LifecycleHookName: aws.String("drain"), InstanceId: aws.String(victim),
			})
			if err != nil {
				t.Fatal(err)
			}
		}},
		{"CompleteLifecycleAction", func(t *testing.T) {
			var token string
			e.w.Do(func() { token = e.w.AutoScaling.LifecycleActions(victim)[0].Token })
			_, err := e.asg.CompleteLifecycleAction(ctx(t), &asgsdk.CompleteLifecycleActionInput{
				AutoScalingGroupName: aws.String("web"), LifecycleHookName: aws.String("drain"),
				LifecycleActionToken: aws.String(token), LifecycleActionResult: aws.String("CONTINUE"),
			})
			if err != nil {
				t.Fatal(err)
			}
			e.w.Clock.RunFor(2 * time.Minute)
			var inGroup bool
			e.w.Do(func() { _, inGroup = e.w.AutoScaling.GroupOf(victim) })
			if inGroup {
				t.Fatalf("%s still in its group after CONTINUE", victim)
			}
		}},
		{"SetInstanceHealth", func(t *testing.T) {
			_, err := e.asg.SetInstanceHealth(ctx(t), &asgsdk.SetInstanceHealthInput{
				InstanceId: aws.String(ids[0]), HealthStatus: aws.String("Healthy"), ShouldRespectGracePeriod: aws.Bool(false),
			})
			if err != nil {
				t.Fatal(err)
			}
		}},
		{"StartInstanceRefresh", func(t *testing.T) {
			out, err := e.asg.StartInstanceRefresh(ctx(t), &asgsdk.StartInstanceRefreshInput{
				AutoScalingGroupName: aws.String("web"), Strategy: asgtypes.RefreshStrategyRolling,
				Preferences: &asgtypes.RefreshPreferences{MinHealthyPercentage: aws.Int32(50), InstanceWarmup: aws.Int32(60), SkipMatching: aws.Bool(false)},
			})
			if err != nil {
				t.Fatal(err)
			}
			refreshID = *out.InstanceRefreshId
		}},
		{"DescribeInstanceRefreshes", func(t *testing.T) {
			out, err := e.asg.DescribeInstanceRefreshes(ctx(t), &asgsdk.DescribeInstanceRefreshesInput{AutoScalingGroupName: aws.String("web")})
			if err != nil {
				t.Fatal(err)
			}
			checkSame(t, "refreshes", lib(e.w, e.w.AutoScaling.DescribeInstanceRefreshes, autoscaling.DescribeInstanceRefreshesInput{AutoScalingGroupName: "web"}), out)
			if len(out.InstanceRefreshes) != 1 || *out.InstanceRefreshes[0].InstanceRefreshId != refreshID || *out.InstanceRefreshes[0].Preferences.MinHealthyPercentage != 50 {
				t.Fatalf("refreshes = %+v", out.InstanceRefreshes)
			}
		}},
		{"CancelInstanceRefresh", func(t *testing.T) {
			out, err := e.asg.CancelInstanceRefresh(ctx(t), &asgsdk.CancelInstanceRefreshInput{AutoScalingGroupName: aws.String("web")})
			if err != nil {
				t.Fatal(err)
			}
			if *out.InstanceRefreshId != refreshID {
				t.Fatalf("cancelled %s, want %s", *out.InstanceRefreshId, refreshID)
			}
		}},
		{"DescribeScalingActivities", func(t *testing.T) {
			out, err := e.asg.DescribeScalingActivities(ctx(t), &asgsdk.DescribeScalingActivitiesInput{AutoScalingGroupName: aws.String("web")})
			if err != nil {
				t.Fatal(err)
			}
			checkSame(t, "activities", lib(e.w, e.w.AutoScaling.DescribeScalingActivities, autoscaling.DescribeScalingActivitiesInput{AutoScalingGroupName: "web"}), out)
			if len(out.Activities) < 4 {
				t.Fatalf("%d activities", len(out.Activities))
			}
		}},
		{"DeleteNotificationConfiguration", func(t *testing.T) {
			if _, err := e.asg.DeleteNotificationConfiguration(ctx(t), &asgsdk.DeleteNotificationConfigurationInput{AutoScalingGroupName: aws.String("web"), TopicARN: aws.String(target)}); err != nil {
				t.Fatal(err)
			}
		}},
		{"DeleteLifecycleHook", func(t *testing.T) {
			if _, err := e.asg.DeleteLifecycleHook(ctx(t), &asgsdk.DeleteLifecycleHookInput{AutoScalingGroupName: aws.String("web"), LifecycleHookName: aws.String("drain")}); err != nil {
				t.Fatal(err)
			}
			if h := lib(e.w, e.w.AutoScaling.DescribeLifecycleHooks, autoscaling.DescribeLifecycleHooksInput{AutoScalingGroupName: "web"}); len(h.LifecycleHooks) != 0 {
				t.Fatalf("hooks left: %+v", h.LifecycleHooks)
			}
		}},
		{"DeleteAutoScalingGroup", func(t *testing.T) {
			if _, err := e.asg.DeleteAutoScalingGroup(ctx(t), &asgsdk.DeleteAutoScalingGroupInput{AutoScalingGroupName: aws.String("web"), ForceDelete: aws.Bool(true)}); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			t.FailNow()
		}
	}
	for _, s := range steps {
		if n := e.w.Calls.Count("autoscaling", s.name, "OK"); n == 0 {
			t.Errorf("call log has no successful %s", s.name)
		}
	}
}
