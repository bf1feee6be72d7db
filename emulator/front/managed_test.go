package front_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/front"
)

// managedWorld is a cluster prod fed by group web of two instances, with a
// capacity provider on the group (managed scaling and managed termination
// protection on, managed draining left to its default) and a task
// definition "sleep".
func managedWorld(t *testing.T) (*endpoint, *autoscaling.Client, []string) {
	t.Helper()
	w := emulator.New(emulator.Config{Seed: 1})
	h := front.New(w)
	e := clientsFor(w, h, sdkConfig(front.Transport(h)), baseEndpoint)
	asg := autoscaling.NewFromConfig(e.cfg, func(o *autoscaling.Options) { o.BaseEndpoint = aws.String(baseEndpoint) })
	ec := ec2.NewFromConfig(e.cfg, func(o *ec2.Options) { o.BaseEndpoint = aws.String(baseEndpoint) })
	template(t, ec, "ecs", "m5.large")
	_, err := e.ecs.CreateCluster(ctxT(t), &ecs.CreateClusterInput{ClusterName: aws.String("prod")})
	noErr(t, err)
	g := webGroup(t, e, asg, 2)
	cp, err := e.ecs.CreateCapacityProvider(ctxT(t), &ecs.CreateCapacityProviderInput{Name: aws.String("cp"),
		AutoScalingGroupProvider: &ecstypes.AutoScalingGroupProvider{
			AutoScalingGroupArn:          g.AutoScalingGroups[0].AutoScalingGroupARN,
			ManagedScaling:               &ecstypes.ManagedScaling{Status: ecstypes.ManagedScalingStatusEnabled},
			ManagedTerminationProtection: ecstypes.ManagedTerminationProtectionEnabled,
		}})
	noErr(t, err)
	if d := cp.CapacityProvider.AutoScalingGroupProvider.ManagedDraining; d != ecstypes.ManagedDrainingEnabled {
		t.Fatalf("managedDraining = %q, want ENABLED by default", d)
	}
	useProvider(t, e)
	var ids []string
	for _, in := range g.AutoScalingGroups[0].Instances {
		ids = append(ids, aws.ToString(in.InstanceId))
	}
	return e, asg, ids
}

// useProvider puts capacity provider cp on cluster prod and registers the
// task definition "sleep".
func useProvider(t *testing.T, e *endpoint) {
	t.Helper()
	_, err := e.ecs.PutClusterCapacityProviders(ctxT(t), &ecs.PutClusterCapacityProvidersInput{Cluster: aws.String("prod"),
		CapacityProviders: []string{"cp"}, DefaultCapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{}})
	noErr(t, err)
	_, err = e.ecs.RegisterTaskDefinition(ctxT(t), &ecs.RegisterTaskDefinitionInput{Family: aws.String("sleep"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("sleep"), Image: aws.String("busybox"), Memory: aws.Int32(128)}}})
	noErr(t, err)
}

// webGroup creates group web from template ecs with desired instances,
// lets them launch, and describes it.
func webGroup(t *testing.T, e *endpoint, asg *autoscaling.Client, desired int32) *autoscaling.DescribeAutoScalingGroupsOutput {
	t.Helper()
	_, err := asg.CreateAutoScalingGroup(ctxT(t), &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String("web"),
		LaunchTemplate:       &asgtypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("ecs")},
		MinSize:              aws.Int32(0), MaxSize: aws.Int32(4), DesiredCapacity: aws.Int32(desired),
		AvailabilityZones: []string{"us-east-1a"},
	})
	noErr(t, err)
	e.w.Clock.RunFor(time.Minute)
	g, err := asg.DescribeAutoScalingGroups(ctxT(t), &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web"}})
	noErr(t, err)
	return g
}

// terminate terminates an instance through its group, decrementing the
// desired capacity.
func terminate(t *testing.T, asg *autoscaling.Client, id string) {
	t.Helper()
	_, err := asg.TerminateInstanceInAutoScalingGroup(ctxT(t), &autoscaling.TerminateInstanceInAutoScalingGroupInput{
		InstanceId: aws.String(id), ShouldDecrementDesiredCapacity: aws.Bool(true)})
	noErr(t, err)
}

func startOn(t *testing.T, e *endpoint, ec2ID string) string {
	t.Helper()
	ci := e.w.ECS.ContainerInstanceByEC2(ec2ID)
	out, err := e.ecs.StartTask(ctxT(t), &ecs.StartTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("sleep"),
		ContainerInstances: []string{ci.ContainerInstanceArn}})
	noErr(t, err)
	return aws.ToString(out.Tasks[0].TaskArn)
}

func asgInstance(t *testing.T, asg *autoscaling.Client, id string) (state string, protected bool) {
	t.Helper()
	out, err := asg.DescribeAutoScalingInstances(ctxT(t), &autoscaling.DescribeAutoScalingInstancesInput{InstanceIds: []string{id}})
	noErr(t, err)
	if len(out.AutoScalingInstances) == 0 {
		return "gone", false
	}
	return aws.ToString(out.AutoScalingInstances[0].LifecycleState), aws.ToBool(out.AutoScalingInstances[0].ProtectedFromScaleIn)
}

func ciStatus(t *testing.T, e *endpoint, ec2ID string) string {
	t.Helper()
	return e.w.ECS.ContainerInstanceByEC2(ec2ID).Status
}

// ECS puts its termination hook on the group, with its name, heartbeat
// timeout and default result.
func TestManagedDrainingHookOnTheGroup(t *testing.T) {
	_, asg, _ := managedWorld(t)
	out, err := asg.DescribeLifecycleHooks(ctxT(t), &autoscaling.DescribeLifecycleHooksInput{AutoScalingGroupName: aws.String("web")})
	noErr(t, err)
	if len(out.LifecycleHooks) != 1 {
		t.Fatalf("hooks %+v, want ECS's one", out.LifecycleHooks)
	}
	h := out.LifecycleHooks[0]
	if aws.ToString(h.LifecycleHookName) != "ecs-managed-draining-termination-hook" || aws.ToString(h.LifecycleTransition) != "autoscaling:EC2_INSTANCE_TERMINATING" ||
		aws.ToInt32(h.HeartbeatTimeout) != 3600 || aws.ToString(h.DefaultResult) != "CONTINUE" || h.NotificationTargetARN != nil {
		t.Errorf("hook %+v", h)
	}
}

// With managedDraining DISABLED no hook is put on the group.
func TestManagedDrainingDisabledPutsNoHook(t *testing.T) {
	e, asg, ec := asgEndpoint(t)
	template(t, ec, "ecs", "m5.large")
	g := webGroup(t, e, asg, 0)
	_, err := e.ecs.CreateCapacityProvider(ctxT(t), &ecs.CreateCapacityProviderInput{Name: aws.String("cp"),
		AutoScalingGroupProvider: &ecstypes.AutoScalingGroupProvider{AutoScalingGroupArn: g.AutoScalingGroups[0].AutoScalingGroupARN,
			ManagedDraining: ecstypes.ManagedDrainingDisabled}})
	noErr(t, err)
	out, err := asg.DescribeLifecycleHooks(ctxT(t), &autoscaling.DescribeLifecycleHooksInput{AutoScalingGroupName: aws.String("web")})
	noErr(t, err)
	if len(out.LifecycleHooks) != 0 {
		t.Fatalf("hooks %+v, want none", out.LifecycleHooks)
	}
}

// Managed termination protection: an instance is protected while a
// non-daemon task runs there, and unprotected once none does.
func TestManagedTerminationProtectionFollowsTasks(t *testing.T) {
	e, asg, ids := managedWorld(t)
	a := ids[0]
	if _, p := asgInstance(t, asg, a); p {
		t.Fatal("protected before any task")
	}
	task := startOn(t, e, a)
	e.w.Clock.RunFor(time.Minute)
	if _, p := asgInstance(t, asg, a); !p {
		t.Fatal("not protected while a task runs there")
	}
	_, err := e.ecs.StopTask(ctxT(t), &ecs.StopTaskInput{Cluster: aws.String("prod"), Task: aws.String(task)})
	noErr(t, err)
	e.w.Clock.RunFor(2 * time.Minute)
	if _, p := asgInstance(t, asg, a); p {
		t.Fatal("still protected with no task left")
	}
}

// Managed draining: a terminating instance goes DRAINING; ECS holds it,
// heartbeating past the hook's hour, while a standalone task runs, and lets
// it go once the task stops.
func TestManagedDrainingHoldsUntilEmpty(t *testing.T) {
	e, asg, ids := managedWorld(t)
	a := ids[0]
	task := startOn(t, e, a)
	e.w.Clock.RunFor(time.Minute)
	// Managed termination protection must not stop an explicit termination.
	terminate(t, asg, a)
	e.w.Clock.RunFor(time.Second)
	if s, _ := asgInstance(t, asg, a); s != "Terminating:Wait" {
		t.Fatalf("after terminate: %s", s)
	}
	if s := ciStatus(t, e, a); s != "ACTIVE" {
		t.Fatalf("container instance %s before ECS reacts, want ACTIVE", s)
	}
	e.w.Clock.RunFor(10 * time.Second)
	if s := ciStatus(t, e, a); s != "DRAINING" {
		t.Fatalf("container instance %s, want DRAINING", s)
	}
	e.w.Clock.RunFor(3 * time.Hour)
	if s, _ := asgInstance(t, asg, a); s != "Terminating:Wait" {
		t.Fatalf("3 h later with a standalone task running: %s, want Terminating:Wait", s)
	}
	_, err := e.ecs.StopTask(ctxT(t), &ecs.StopTaskInput{Cluster: aws.String("prod"), Task: aws.String(task)})
	noErr(t, err)
	e.w.Clock.RunFor(5 * time.Minute)
	if s, _ := asgInstance(t, asg, a); s != "gone" && s != "Terminated" {
		t.Fatalf("after the task stopped: %s, want terminated", s)
	}
}

// An instance whose tasks never stop is held until the action's 48 h
// global timeout, then terminated (the hook's default result CONTINUE).
func TestManagedDrainingEndsAt48Hours(t *testing.T) {
	e, asg, ids := managedWorld(t)
	a := ids[0]
	startOn(t, e, a)
	e.w.Clock.RunFor(time.Minute)
	terminate(t, asg, a)
	e.w.Clock.RunFor(47*time.Hour + 59*time.Minute)
	if s, _ := asgInstance(t, asg, a); s != "Terminating:Wait" {
		t.Fatalf("just before 48 h: %s", s)
	}
	e.w.Clock.RunFor(10 * time.Minute)
	if s, _ := asgInstance(t, asg, a); s != "gone" && s != "Terminated" {
		t.Fatalf("after 48 h: %s, want terminated", s)
	}
}

// An empty instance is let go at once after ECS reacts.
func TestManagedDrainingEmptyInstance(t *testing.T) {
	e, asg, ids := managedWorld(t)
	b := ids[1]
	terminate(t, asg, b)
	e.w.Clock.RunFor(time.Second)
	if s, _ := asgInstance(t, asg, b); s != "Terminating:Wait" {
		t.Fatalf("after terminate: %s", s)
	}
	e.w.Clock.RunFor(2 * time.Minute)
	if s, _ := asgInstance(t, asg, b); s != "gone" && s != "Terminated" {
		t.Fatalf("empty instance: %s, want terminated", s)
	}
}

// UpdateCapacityProvider: turning managed termination protection on makes
// ECS protect the instances already running tasks at once, and leaves the
// empty ones unprotected; turning managed draining off lets go of ECS's
// termination hook; a setting left out keeps its value.
func TestUpdateCapacityProviderActsOnItsSettings(t *testing.T) {
	e, asg, ec := asgEndpoint(t)
	template(t, ec, "ecs", "m5.large")
	_, err := e.ecs.CreateCluster(ctxT(t), &ecs.CreateClusterInput{ClusterName: aws.String("prod")})
	noErr(t, err)
	g := webGroup(t, e, asg, 2)
	_, err = e.ecs.CreateCapacityProvider(ctxT(t), &ecs.CreateCapacityProviderInput{Name: aws.String("cp"),
		AutoScalingGroupProvider: &ecstypes.AutoScalingGroupProvider{AutoScalingGroupArn: g.AutoScalingGroups[0].AutoScalingGroupARN}})
	noErr(t, err)
	useProvider(t, e)
	busy, empty := aws.ToString(g.AutoScalingGroups[0].Instances[0].InstanceId), aws.ToString(g.AutoScalingGroups[0].Instances[1].InstanceId)
	startOn(t, e, busy)
	e.w.Clock.RunFor(time.Minute)
	if _, p := asgInstance(t, asg, busy); p {
		t.Fatal("protected while the provider's managed termination protection is off")
	}

	// Managed termination protection needs managed scaling.
	_, err = e.ecs.UpdateCapacityProvider(ctxT(t), &ecs.UpdateCapacityProviderInput{Name: aws.String("cp"),
		AutoScalingGroupProvider: &ecstypes.AutoScalingGroupProviderUpdate{ManagedTerminationProtection: ecstypes.ManagedTerminationProtectionEnabled}})
	if err == nil {
		t.Fatal("managed termination protection without managed scaling accepted")
	}
	out, err := e.ecs.UpdateCapacityProvider(ctxT(t), &ecs.UpdateCapacityProviderInput{Name: aws.String("cp"),
		AutoScalingGroupProvider: &ecstypes.AutoScalingGroupProviderUpdate{
			ManagedScaling:               &ecstypes.ManagedScaling{Status: ecstypes.ManagedScalingStatusEnabled, TargetCapacity: aws.Int32(90)},
			ManagedTerminationProtection: ecstypes.ManagedTerminationProtectionEnabled}})
	noErr(t, err)
	p := out.CapacityProvider.AutoScalingGroupProvider
	if p.ManagedTerminationProtection != ecstypes.ManagedTerminationProtectionEnabled || p.ManagedDraining != ecstypes.ManagedDrainingEnabled ||
		aws.ToInt32(p.ManagedScaling.TargetCapacity) != 90 || aws.ToInt32(p.ManagedScaling.MinimumScalingStepSize) != 1 ||
		out.CapacityProvider.UpdateStatus != ecstypes.CapacityProviderUpdateStatusUpdateComplete {
		t.Errorf("updated provider %+v, managed scaling %+v", out.CapacityProvider, p.ManagedScaling)
	}
	e.w.Clock.RunFor(time.Second)
	if _, p := asgInstance(t, asg, busy); !p {
		t.Error("instance with a task not protected once managed termination protection is on")
	}
	if _, p := asgInstance(t, asg, empty); p {
		t.Error("empty instance protected")
	}

	_, err = e.ecs.UpdateCapacityProvider(ctxT(t), &ecs.UpdateCapacityProviderInput{Name: aws.String("cp"),
		AutoScalingGroupProvider: &ecstypes.AutoScalingGroupProviderUpdate{ManagedDraining: ecstypes.ManagedDrainingDisabled}})
	noErr(t, err)
	hooks, err := asg.DescribeLifecycleHooks(ctxT(t), &autoscaling.DescribeLifecycleHooksInput{AutoScalingGroupName: aws.String("web")})
	noErr(t, err)
	if len(hooks.LifecycleHooks) != 0 {
		t.Errorf("hooks after managed draining turned off: %+v, want none", hooks.LifecycleHooks)
	}

	_, err = e.ecs.UpdateCapacityProvider(ctxT(t), &ecs.UpdateCapacityProviderInput{Name: aws.String("nope"),
		AutoScalingGroupProvider: &ecstypes.AutoScalingGroupProviderUpdate{ManagedDraining: ecstypes.ManagedDrainingEnabled}})
	var ae smithy.APIError
	if !asAPIError(err, &ae) || ae.ErrorCode() != "ClientException" {
		t.Errorf("unknown provider: %v, want ClientException", err)
	}
}
