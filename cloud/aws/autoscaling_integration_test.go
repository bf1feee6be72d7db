package aws_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
)

// TestLifecycleActionThroughTheQueue plays the hook's part of a drain: a
// scale-in notifies the queue, the token drives heartbeats and the
// completion, and a second completion says "already done".
func TestLifecycleActionThroughTheQueue(t *testing.T) {
	// Managed termination protection off: web runs on every instance, and
	// with it on ECS would keep them all from the scale-in.
	w := world(t, strings.Replace(demoWorld, "managedTerminationProtection: true", "managedTerminationProtection: false", 1)+`
timeline:
  - {at: 5m, action: set-desired, group: demo-asg, count: 2}
`)
	w.Clock.RunFor(6 * time.Minute)
	c := client(t, w, cloudaws.Options{})
	ctx := ctxT(t)

	// drainer's hook, and ECS's own: the group's capacity provider has
	// managed draining on.
	hooks, err := c.LifecycleHooks(ctx, "demo-asg")
	noErr(t, err)
	if len(hooks) != 2 || hooks[0].Name != "drain-hook" || hooks[0].HeartbeatTimeout != 15*time.Minute ||
		hooks[0].GlobalTimeout != 25*time.Hour || hooks[0].DefaultResult != cloud.LifecycleContinue ||
		hooks[0].Transition != cloud.LifecycleTransitionTerminating || hooks[1].Name != "ecs-managed-draining-termination-hook" {
		t.Fatalf("LifecycleHooks = %+v", hooks)
	}

	url, err := c.QueueURL(ctx, "drainer")
	noErr(t, err)
	if _, err := c.QueueURL(ctx, "nope"); !errors.Is(err, cloud.ErrNotFound) {
		t.Errorf("unknown queue: %v", err)
	}
	msgs, err := c.ReceiveMessages(ctx, url, cloud.ReceiveOptions{Max: 10, Visibility: 30 * time.Second})
	noErr(t, err)
	var action cloud.LifecycleAction
	var handles []string
	for _, m := range msgs {
		handles = append(handles, m.ReceiptHandle)
		if m.ReceiveCount != 1 || m.SentAt.IsZero() {
			t.Errorf("message attributes: %+v", m)
		}
		var body struct {
			LifecycleTransition, AutoScalingGroupName, LifecycleHookName, LifecycleActionToken, EC2InstanceID string
		}
		noErr(t, json.Unmarshal([]byte(m.Body), &body))
		if body.LifecycleTransition == cloud.LifecycleTransitionTerminating {
			action = cloud.LifecycleAction{Group: body.AutoScalingGroupName, Hook: body.LifecycleHookName,
				Token: body.LifecycleActionToken, InstanceID: body.EC2InstanceID}
		}
	}
	if action.Token == "" {
		t.Fatalf("no lifecycle message among %d messages", len(msgs))
	}

	// The instance waits for us.
	insts, err := c.DescribeGroupInstances(ctx, []string{action.InstanceID})
	noErr(t, err)
	if len(insts) != 1 || insts[0].LifecycleState != cloud.LifecycleTerminatingWait || insts[0].Group != "demo-asg" {
		t.Fatalf("DescribeGroupInstances = %+v", insts)
	}

	noErr(t, c.RecordLifecycleActionHeartbeat(ctx, action))
	noErr(t, c.CompleteLifecycleAction(ctx, action, cloud.LifecycleContinue))
	err = c.CompleteLifecycleAction(ctx, action, cloud.LifecycleContinue)
	if !errors.Is(err, cloud.ErrNoActiveLifecycleAction) || apiCode(err) != "ValidationError" {
		t.Fatalf("second completion: %v, want ErrNoActiveLifecycleAction wrapping ValidationError", err)
	}
	byID := action
	byID.Token = ""
	if err := c.RecordLifecycleActionHeartbeat(ctx, byID); !errors.Is(err, cloud.ErrNoActiveLifecycleAction) {
		t.Fatalf("heartbeat after completion: %v", err)
	}
	if err := c.CompleteLifecycleAction(ctx, cloud.LifecycleAction{Group: "demo-asg"}, cloud.LifecycleContinue); err == nil {
		t.Fatal("an action without hook or token was sent")
	}

	// The messages are handled: delete them in one batch; a bad handle is
	// a per-message failure, not an error.
	failures, err := c.DeleteMessages(ctx, url, append(handles, "not-a-handle"))
	noErr(t, err)
	if len(failures) != 1 || failures[0].ID != "not-a-handle" {
		t.Fatalf("DeleteMessages failures = %+v", failures)
	}
	if n := count(w, "sqs", "DeleteMessageBatch"); n != 1 {
		t.Errorf("DeleteMessageBatch called %d times, want 1", n)
	}

	w.Clock.RunFor(2 * time.Minute)
	groups, err := c.DescribeGroups(ctx, nil)
	noErr(t, err)
	if len(groups) != 1 || groups[0].DesiredCapacity != 2 || len(inService(groups[0])) != 2 {
		t.Fatalf("after completion: %+v", groups)
	}

	// The scale-in shows in the activity history, newest first.
	acts, err := c.ScalingActivities(ctx, 5)
	noErr(t, err)
	if len(acts) == 0 || acts[0].Group != "demo-asg" || !strings.HasPrefix(acts[0].Description, "Terminating EC2 instance") {
		t.Fatalf("ScalingActivities = %+v, want the termination first", acts)
	}
}

// TestBatchesOfALargeGroup drains twelve instances (two calls of ten),
// protects sixty (two calls of fifty), and lists 150 tasks on one instance
// (two pages, two DescribeTasks).
func TestBatchesOfALargeGroup(t *testing.T) {
	var jobs strings.Builder
	for range 15 {
		jobs.WriteString("  - {cluster: big, taskDefinition: tiny, count: 10, at: 1m}\n")
	}
	w := world(t, `
name: big
clusters: [{name: big}, {name: one}]
taskDefinitions:
  - {family: tiny, memory: 32}
groups:
  - {name: big-asg, cluster: big, instanceType: m5.large, min: 0, max: 100, desired: 60}
  - {name: one-asg, cluster: one, instanceType: m5.4xlarge, min: 0, max: 1, desired: 1}
jobs:
`+strings.ReplaceAll(jobs.String(), "cluster: big", "cluster: one"))
	w.Clock.RunFor(4 * time.Minute)
	c := client(t, w, cloudaws.Options{})
	ctx := ctxT(t)

	groups, err := c.DescribeGroups(ctx, []string{"big-asg"})
	noErr(t, err)
	ids := inService(groups[0])
	if len(ids) != 60 {
		t.Fatalf("%d instances InService, want 60", len(ids))
	}
	noErr(t, c.SetInstanceProtection(ctx, "big-asg", ids, true))
	if n := count(w, "autoscaling", "SetInstanceProtection"); n != 2 {
		t.Errorf("SetInstanceProtection called %d times for 60 instances, want 2", n)
	}
	insts, err := c.DescribeGroupInstances(ctx, ids)
	noErr(t, err)
	if len(insts) != 60 || count(w, "autoscaling", "DescribeAutoScalingInstances") != 2 {
		t.Errorf("DescribeGroupInstances: %d instances in %d calls, want 60 in 2", len(insts), count(w, "autoscaling", "DescribeAutoScalingInstances"))
	}
	for _, i := range insts {
		if !i.ProtectedFromScaleIn {
			t.Errorf("%s not protected", i.InstanceID)
		}
	}
	noErr(t, c.SetInstanceProtection(ctx, "big-asg", ids[:10], false))
	groups, err = c.DescribeGroups(ctx, []string{"big-asg"})
	noErr(t, err)
	protected := 0
	for _, i := range groups[0].Instances {
		if i.ProtectedFromScaleIn {
			protected++
		}
	}
	if protected != 50 {
		t.Errorf("%d protected after clearing 10, want 50", protected)
	}

	cis, err := c.ListContainerInstances(ctx, "big", cloud.ContainerInstanceActive)
	noErr(t, err)
	if len(cis) != 60 {
		t.Fatalf("%d ACTIVE container instances, want 60", len(cis))
	}
	var arns []string
	for _, ci := range cis[:12] {
		arns = append(arns, ci.ARN)
	}
	failures, err := c.DrainContainerInstances(ctx, "big", append(arns, arns[0])) // a repeat costs nothing
	noErr(t, err)
	if len(failures) != 0 {
		t.Fatalf("drain failures %+v", failures)
	}
	if n := count(w, "ecs", "UpdateContainerInstancesState"); n != 2 {
		t.Errorf("UpdateContainerInstancesState called %d times for 12 instances, want 2", n)
	}
	draining, err := c.ListContainerInstances(ctx, "big", cloud.ContainerInstanceDraining)
	noErr(t, err)
	if len(draining) != 12 {
		t.Errorf("%d DRAINING, want 12", len(draining))
	}
	// An unknown container instance is a per-instance failure, not an
	// error of the call.
	failures, err = c.DrainContainerInstances(ctx, "big", []string{"arn:aws:ecs:us-east-1:123456789012:container-instance/big/nope"})
	noErr(t, err)
	if len(failures) != 1 || failures[0].Code != "MISSING" {
		t.Errorf("draining an unknown container instance: failures %+v", failures)
	}

	one, err := c.ListContainerInstances(ctx, "one", "")
	noErr(t, err)
	lt, dt := count(w, "ecs", "ListTasks"), count(w, "ecs", "DescribeTasks")
	tasks, err := c.TasksOn(ctx, "one", one[0].ARN)
	noErr(t, err)
	if len(tasks) != 150 {
		t.Fatalf("%d tasks on the one instance, want 150", len(tasks))
	}
	// RUNNING: two pages; STOPPED: one empty page.
	if got := count(w, "ecs", "ListTasks") - lt; got != 3 {
		t.Errorf("ListTasks called %d times, want 3 (2 pages RUNNING + 1 STOPPED)", got)
	}
	if got := count(w, "ecs", "DescribeTasks") - dt; got != 2 {
		t.Errorf("DescribeTasks called %d times for 150 tasks, want 2", got)
	}
	if classes(tasks)[cloud.TaskStandalone] != 150 {
		t.Errorf("classes %v", classes(tasks))
	}
}

func inService(g cloud.Group) []string {
	var ids []string
	for _, i := range g.Instances {
		if i.LifecycleState == cloud.LifecycleInService {
			ids = append(ids, i.InstanceID)
		}
	}
	return ids
}
