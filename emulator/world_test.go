package emulator_test

import (
	"strings"
	"testing"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/core"
	"github.com/drainer-dev/drainer/emulator/ecs"
	"github.com/drainer-dev/drainer/emulator/eventbridge"
)

// TestBadInputGetsAWSErrors drives the library's API with the mistakes the
// issue names and checks each answer is the error AWS gives, through the
// world's call layer (so the call log records the outcome).
func TestBadInputGetsAWSErrors(t *testing.T) {
	w := emulator.New(emulator.Config{})
	if _, err := emulator.Invoke(w, "test", w.ECS.CreateCluster, ecs.CreateClusterInput{ClusterName: "c"}); err != nil {
		t.Fatal(err)
	}
	elevenInstances := make([]string, 11)
	for i := range elevenInstances {
		elevenInstances[i] = "arn:aws:ecs:us-east-1:123456789012:container-instance/c/0123456789abcdef0123456789abcde" + string(rune('a'+i%6))
	}
	tests := []struct {
		name     string
		call     func() error
		code     string
		contains string
	}{
		{"unknown cluster", func() error {
			_, err := emulator.Invoke(w, "test", w.ECS.ListContainerInstances, ecs.ListContainerInstancesInput{Cluster: "nope"})
			return err
		}, "ClusterNotFoundException", "Cluster not found"},
		{"invalid state change", func() error {
			_, err := emulator.Invoke(w, "test", w.ECS.UpdateContainerInstancesState, ecs.UpdateContainerInstancesStateInput{
				Cluster: "c", ContainerInstances: []string{"x"}, Status: "INACTIVE"})
			return err
		}, "InvalidParameterException", ""},
		{"too many instances in one call", func() error {
			_, err := emulator.Invoke(w, "test", w.ECS.UpdateContainerInstancesState, ecs.UpdateContainerInstancesStateInput{
				Cluster: "c", ContainerInstances: elevenInstances, Status: "DRAINING"})
			return err
		}, "InvalidParameterException", ""},
		{"heartbeat timeout out of range", func() error {
			if _, err := emulator.Invoke(w, "test", w.AutoScaling.CreateAutoScalingGroup, autoscaling.CreateAutoScalingGroupInput{
				AutoScalingGroupName: "g", MinSize: ptr(int32(0)), MaxSize: ptr(int32(1)),
				LaunchTemplate: &autoscaling.LaunchTemplateSpecification{LaunchTemplateName: "lt"}, AvailabilityZones: []string{"us-east-1a"},
			}); err != nil {
				return err
			}
			_, err := emulator.Invoke(w, "test", w.AutoScaling.PutLifecycleHook, autoscaling.PutLifecycleHookInput{
				AutoScalingGroupName: "g", LifecycleHookName: "h", LifecycleTransition: autoscaling.TransitionTerminating, HeartbeatTimeout: ptr(int32(7201)),
			})
			return err
		}, "ValidationError", ""},
		{"malformed event pattern", func() error {
			_, err := emulator.Invoke(w, "test", w.EventBridge.PutRule, eventbridge.PutRuleInput{Name: "r", EventPattern: `{"source": "not-an-array"}`})
			return err
		}, "InvalidEventPatternException", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if core.CodeOf(err) != tt.code || !strings.Contains(err.Error(), tt.contains) {
				t.Fatalf("err = %v, want %s containing %q", err, tt.code, tt.contains)
			}
		})
	}
	if n := w.Calls.Count("ecs", "ListContainerInstances", "ClusterNotFoundException"); n != 1 {
		t.Fatalf("call log counted %d ClusterNotFoundException answers, want 1", n)
	}
}

func TestCallLogNamesServiceAndOperation(t *testing.T) {
	w := emulator.New(emulator.Config{})
	if _, err := emulator.Invoke(w, "drainer", w.EventBridge.ListRules, eventbridge.ListRulesInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := emulator.Invoke(w, "drainer", w.ECS.ListClusters, ecs.ListClustersInput{}); err != nil {
		t.Fatal(err)
	}
	calls := w.Calls.All()
	if len(calls) != 2 {
		t.Fatalf("%d calls logged, want 2", len(calls))
	}
	want := []emulator.Call{
		{Seq: 1, Time: emulator.DefaultStart, Caller: "drainer", Service: "events", Operation: "ListRules", Outcome: "OK"},
		{Seq: 2, Time: emulator.DefaultStart, Caller: "drainer", Service: "ecs", Operation: "ListClusters", Outcome: "OK"},
	}
	for i := range want {
		if calls[i] != want[i] {
			t.Errorf("call %d = %+v, want %+v", i, calls[i], want[i])
		}
	}
}

func ptr[T any](v T) *T { return &v }
