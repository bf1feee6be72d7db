package aws_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
)

// TestEC2InstancesTerminationAndLeakedENIs: describe the hosts, kill one
// with awsvpc tasks on it directly (its ENIs leak), clean the leak up, and
// terminate another through Auto Scaling with and without decrement.
func TestEC2InstancesTerminationAndLeakedENIs(t *testing.T) {
	w := world(t, demoWorld)
	w.Clock.RunFor(4 * time.Minute)
	c := client(t, w, cloudaws.Options{})
	ctx := ctxT(t)

	groups, err := c.DescribeGroups(ctx, []string{"demo-asg"})
	noErr(t, err)
	ids := inService(groups[0])
	insts, err := c.DescribeInstances(ctx, ids)
	noErr(t, err)
	if len(insts) != 3 {
		t.Fatalf("DescribeInstances = %+v", insts)
	}
	for _, i := range insts {
		if i.State != cloud.InstanceRunning || i.InstanceType != "m5.large" || i.AvailabilityZone == "" ||
			i.LaunchTime.IsZero() || i.AutoScalingGroup() != "demo-asg" || i.Spot {
			t.Errorf("instance %+v", i)
		}
	}
	if _, err := c.DescribeInstances(ctx, []string{"i-0000000000000dead"}); !errors.Is(err, cloud.ErrNotFound) {
		t.Errorf("unknown instance: %v, want ErrNotFound", err)
	}

	// The host of awsvpc batch tasks dies without a drain.
	var victim string
	var enis []string
	for _, id := range ids {
		ci, err := c.FindContainerInstance(ctx, "demo", id)
		noErr(t, err)
		tasks, err := c.TasksOn(ctx, "demo", ci.ARN)
		noErr(t, err)
		for _, task := range tasks {
			enis = append(enis, task.ENIs...)
		}
		if len(enis) > 0 {
			victim = id
			break
		}
	}
	if victim == "" {
		t.Fatal("no instance runs awsvpc tasks")
	}
	noErr(t, c.TerminateInstances(ctx, []string{victim}))
	w.Clock.RunFor(time.Minute)
	leaked, err := c.AvailableNetworkInterfaces(ctx, cloud.NetworkInterfaceQuery{IDs: enis})
	noErr(t, err)
	if len(leaked) != len(enis) {
		t.Fatalf("available ENIs %+v, want %v", leaked, enis)
	}
	all, err := c.AvailableNetworkInterfaces(ctx, cloud.NetworkInterfaceQuery{Filters: map[string][]string{"availability-zone": {leaked[0].AvailabilityZone}}})
	noErr(t, err)
	if len(all) < 1 {
		t.Fatalf("filter by AZ found %+v", all)
	}
	for _, eni := range leaked {
		if eni.Status != "available" {
			t.Errorf("ENI %+v", eni)
		}
		noErr(t, c.DeleteNetworkInterface(ctx, eni.ID))
	}
	if err := c.DeleteNetworkInterface(ctx, leaked[0].ID); !errors.Is(err, cloud.ErrNotFound) {
		t.Errorf("deleting a deleted ENI: %v, want ErrNotFound", err)
	}
	left, err := c.AvailableNetworkInterfaces(ctx, cloud.NetworkInterfaceQuery{})
	noErr(t, err)
	if len(left) != 0 {
		t.Errorf("ENIs left %+v", left)
	}

	// Through Auto Scaling: the hook holds the instance; with decrement
	// the group does not replace it.
	var other string
	for _, id := range ids {
		if id != victim {
			other = id
			break
		}
	}
	noErr(t, c.TerminateGroupInstance(ctx, other, true))
	insts2, err := c.DescribeGroupInstances(ctx, []string{other})
	noErr(t, err)
	groups, err = c.DescribeGroups(ctx, []string{"demo-asg"})
	noErr(t, err)
	if len(insts2) != 1 || insts2[0].LifecycleState != cloud.LifecycleTerminatingWait || groups[0].DesiredCapacity != 2 {
		t.Fatalf("after TerminateGroupInstance: %+v, desired %d", insts2, groups[0].DesiredCapacity)
	}
	if err := c.TerminateGroupInstance(ctx, "i-0000000000000dead", false); err == nil {
		t.Error("terminating an unknown instance through Auto Scaling succeeded")
	}
}

// TestUserData: an instance's user data comes back decoded, with the ECS
// agent's configuration its launch template wrote; an unknown instance is
// ErrNotFound.
func TestUserData(t *testing.T) {
	w := world(t, demoWorld)
	w.Clock.RunFor(4 * time.Minute)
	c := client(t, w, cloudaws.Options{})
	ctx := ctxT(t)
	groups, err := c.DescribeGroups(ctx, []string{"demo-asg"})
	noErr(t, err)
	ud, err := c.UserData(ctx, inService(groups[0])[0])
	noErr(t, err)
	if !strings.Contains(ud, "ECS_CLUSTER=") {
		t.Errorf("user data %q, want the ECS agent's configuration", ud)
	}
	if _, err := c.UserData(ctx, "i-0000000000000dead"); !errors.Is(err, cloud.ErrNotFound) {
		t.Errorf("unknown instance: %v, want ErrNotFound", err)
	}
}
