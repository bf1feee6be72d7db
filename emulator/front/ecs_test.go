package front_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// TestECSThroughTheSDK drives every ECS operation the emulator serves
// through the real SDK client: a cluster with three registered instances,
// a service placed on them, standalone tasks, attributes, draining,
// capacity providers and deregistration.
func TestECSThroughTheSDK(t *testing.T) {
	e := newClusterEndpoint(t)
	ctx := ctxT(t)
	c := e.ecs

	// Clusters.
	_, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("extra")})
	noErr(t, err)
	dc, err := c.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"demo", "nope"}})
	noErr(t, err)
	if len(dc.Clusters) != 1 || aws.ToString(dc.Clusters[0].ClusterName) != "demo" || dc.Clusters[0].RegisteredContainerInstancesCount != 3 ||
		len(dc.Failures) != 1 || aws.ToString(dc.Failures[0].Reason) != "MISSING" {
		t.Fatalf("DescribeClusters = %+v / %+v", dc.Clusters, dc.Failures)
	}
	var clusters []string
	for p := ecs.NewListClustersPaginator(c, &ecs.ListClustersInput{MaxResults: aws.Int32(1)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		noErr(t, err)
		clusters = append(clusters, page.ClusterArns...)
	}
	if len(clusters) != 2 {
		t.Fatalf("ListClusters pages gave %v", clusters)
	}

	// Task definitions, with the emulator's timings as Docker labels.
	td, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("web"),
		ContainerDefinitions: []types.ContainerDefinition{{
			Name: aws.String("web"), Image: aws.String("nginx"), Memory: aws.Int32(256), Essential: aws.Bool(true),
			DockerLabels: map[string]string{"emulator.start": "10s", "emulator.stop": "2s"},
		}},
	})
	noErr(t, err)
	if td.TaskDefinition.Revision != 1 || td.TaskDefinition.Status != types.TaskDefinitionStatusActive {
		t.Fatalf("RegisterTaskDefinition = %+v", td.TaskDefinition)
	}
	dtd, err := c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("web:1")})
	noErr(t, err)
	if got := dtd.TaskDefinition.ContainerDefinitions[0].DockerLabels["emulator.start"]; got != "10s" {
		t.Fatalf("DescribeTaskDefinition lost the labels: %v", dtd.TaskDefinition.ContainerDefinitions[0].DockerLabels)
	}

	// A service, placed by the scheduler as the clock runs.
	_, err = c.CreateService(ctx, &ecs.CreateServiceInput{
		Cluster: aws.String("demo"), ServiceName: aws.String("web"), TaskDefinition: aws.String("web"), DesiredCount: aws.Int32(4),
		DeploymentConfiguration: &types.DeploymentConfiguration{MinimumHealthyPercent: aws.Int32(50), MaximumPercent: aws.Int32(200)},
	})
	noErr(t, err)
	e.w.Clock.RunFor(time.Minute)
	ds, err := c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("demo"), Services: []string{"web", "ghost"}})
	noErr(t, err)
	if len(ds.Services) != 1 || ds.Services[0].RunningCount != 4 || len(ds.Failures) != 1 {
		t.Fatalf("DescribeServices = %+v / %+v", ds.Services, ds.Failures)
	}
	ls, err := c.ListServices(ctx, &ecs.ListServicesInput{Cluster: aws.String("demo")})
	noErr(t, err)
	if len(ls.ServiceArns) != 1 {
		t.Fatalf("ListServices = %v", ls.ServiceArns)
	}
	var taskArns []string
	pages := 0
	for p := ecs.NewListTasksPaginator(c, &ecs.ListTasksInput{Cluster: aws.String("demo"), ServiceName: aws.String("web"), MaxResults: aws.Int32(3)}); p.HasMorePages(); pages++ {
		page, err := p.NextPage(ctx)
		noErr(t, err)
		taskArns = append(taskArns, page.TaskArns...)
	}
	if len(taskArns) != 4 || pages != 2 {
		t.Fatalf("ListTasks gave %d tasks in %d pages", len(taskArns), pages)
	}
	dt, err := c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("demo"), Tasks: taskArns})
	noErr(t, err)
	for _, task := range dt.Tasks {
		if aws.ToString(task.LastStatus) != "RUNNING" || task.StartedAt == nil || task.StartedAt.Before(e.w.Now().Add(-2*time.Minute)) {
			t.Fatalf("task %s: last status %s started %v", aws.ToString(task.TaskArn), aws.ToString(task.LastStatus), task.StartedAt)
		}
	}

	// Container instances: the ec2InstanceId filter, describe, attributes.
	lci, err := c.ListContainerInstances(ctx, &ecs.ListContainerInstancesInput{Cluster: aws.String("demo")})
	noErr(t, err)
	if len(lci.ContainerInstanceArns) != 3 {
		t.Fatalf("ListContainerInstances = %v", lci.ContainerInstanceArns)
	}
	dci, err := c.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{Cluster: aws.String("demo"), ContainerInstances: lci.ContainerInstanceArns[:1]})
	noErr(t, err)
	ci := dci.ContainerInstances[0]
	if !ci.AgentConnected || aws.ToString(ci.Status) != "ACTIVE" || len(ci.RegisteredResources) == 0 {
		t.Fatalf("DescribeContainerInstances = %+v", ci)
	}
	byEC2, err := c.ListContainerInstances(ctx, &ecs.ListContainerInstancesInput{Cluster: aws.String("demo"),
		Filter: aws.String("ec2InstanceId == " + aws.ToString(ci.Ec2InstanceId))})
	noErr(t, err)
	if len(byEC2.ContainerInstanceArns) != 1 || byEC2.ContainerInstanceArns[0] != aws.ToString(ci.ContainerInstanceArn) {
		t.Fatalf("filter by ec2InstanceId = %v", byEC2.ContainerInstanceArns)
	}
	attr := types.Attribute{Name: aws.String("drainer.state"), Value: aws.String("draining"), TargetId: ci.ContainerInstanceArn}
	_, err = c.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String("demo"), Attributes: []types.Attribute{attr}})
	noErr(t, err)
	la, err := c.ListAttributes(ctx, &ecs.ListAttributesInput{Cluster: aws.String("demo"), TargetType: types.TargetTypeContainerInstance, AttributeName: aws.String("drainer.state")})
	noErr(t, err)
	if len(la.Attributes) != 1 || aws.ToString(la.Attributes[0].Value) != "draining" {
		t.Fatalf("ListAttributes = %+v", la.Attributes)
	}
	_, err = c.DeleteAttributes(ctx, &ecs.DeleteAttributesInput{Cluster: aws.String("demo"), Attributes: []types.Attribute{attr}})
	noErr(t, err)

	// Draining moves the service's tasks off the instance.
	up, err := c.UpdateContainerInstancesState(ctx, &ecs.UpdateContainerInstancesStateInput{Cluster: aws.String("demo"),
		ContainerInstances: []string{aws.ToString(ci.ContainerInstanceArn)}, Status: types.ContainerInstanceStatusDraining})
	noErr(t, err)
	if aws.ToString(up.ContainerInstances[0].Status) != "DRAINING" {
		t.Fatalf("UpdateContainerInstancesState = %+v", up.ContainerInstances)
	}
	e.w.Clock.RunFor(2 * time.Minute)
	dci, err = c.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{Cluster: aws.String("demo"), ContainerInstances: []string{aws.ToString(ci.ContainerInstanceArn)}})
	noErr(t, err)
	if n := dci.ContainerInstances[0].RunningTasksCount; n != 0 {
		t.Fatalf("a drained instance still runs %d tasks", n)
	}

	// Standalone tasks: RunTask, StartTask on a chosen instance, StopTask.
	rt, err := c.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("demo"), TaskDefinition: aws.String("web:1"), Count: aws.Int32(1), StartedBy: aws.String("test")})
	noErr(t, err)
	if len(rt.Tasks) != 1 {
		t.Fatalf("RunTask = %+v / %+v", rt.Tasks, rt.Failures)
	}
	st, err := c.StartTask(ctx, &ecs.StartTaskInput{Cluster: aws.String("demo"), TaskDefinition: aws.String("web:1"), ContainerInstances: lci.ContainerInstanceArns[1:2]})
	noErr(t, err)
	if len(st.Tasks) != 1 {
		t.Fatalf("StartTask = %+v / %+v", st.Tasks, st.Failures)
	}
	stop, err := c.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String("demo"), Task: rt.Tasks[0].TaskArn, Reason: aws.String("test over")})
	noErr(t, err)
	if aws.ToString(stop.Task.DesiredStatus) != "STOPPED" {
		t.Fatalf("StopTask = %+v", stop.Task)
	}

	// Services change and go.
	_, err = c.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("demo"), Service: aws.String("web"), DesiredCount: aws.Int32(0)})
	noErr(t, err)
	del, err := c.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String("demo"), Service: aws.String("web")})
	noErr(t, err)
	if s := aws.ToString(del.Service.Status); s != "DRAINING" && s != "INACTIVE" {
		t.Fatalf("DeleteService left status %s", s)
	}

	// Capacity providers.
	groupARN := fmt.Sprintf("arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:%s:autoScalingGroupName/demo-asg", "0000")
	_, err = c.CreateCapacityProvider(ctx, &ecs.CreateCapacityProviderInput{Name: aws.String("demo-cp"),
		AutoScalingGroupProvider: &types.AutoScalingGroupProvider{AutoScalingGroupArn: aws.String(groupARN),
			ManagedTerminationProtection: types.ManagedTerminationProtectionDisabled, ManagedDraining: types.ManagedDrainingEnabled}})
	noErr(t, err)
	dcp, err := c.DescribeCapacityProviders(ctx, &ecs.DescribeCapacityProvidersInput{CapacityProviders: []string{"demo-cp"}})
	noErr(t, err)
	if len(dcp.CapacityProviders) != 1 || dcp.CapacityProviders[0].AutoScalingGroupProvider.ManagedDraining != types.ManagedDrainingEnabled {
		t.Fatalf("DescribeCapacityProviders = %+v", dcp.CapacityProviders)
	}
	pcp, err := c.PutClusterCapacityProviders(ctx, &ecs.PutClusterCapacityProvidersInput{Cluster: aws.String("extra"),
		CapacityProviders:               []string{"demo-cp"},
		DefaultCapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("demo-cp"), Weight: 1}}})
	noErr(t, err)
	if len(pcp.Cluster.CapacityProviders) != 1 {
		t.Fatalf("PutClusterCapacityProviders = %+v", pcp.Cluster)
	}

	// Deregistration with force.
	dr, err := c.DeregisterContainerInstance(ctx, &ecs.DeregisterContainerInstanceInput{Cluster: aws.String("demo"),
		ContainerInstance: aws.String(lci.ContainerInstanceArns[2]), Force: aws.Bool(true)})
	noErr(t, err)
	if aws.ToString(dr.ContainerInstance.Status) != "INACTIVE" {
		t.Fatalf("DeregisterContainerInstance left %s", aws.ToString(dr.ContainerInstance.Status))
	}

	if n := e.w.Calls.Count("ecs", "DescribeTasks", "OK"); n != 1 {
		t.Fatalf("call log has %d DescribeTasks calls, want 1", n)
	}
	for _, call := range e.w.Calls.All() {
		if call.Caller != "scenario" && call.Caller != "AKIDTEST" {
			t.Fatalf("call %+v: caller is not the access key id", call)
		}
	}
}

// TestECSErrorsThroughTheSDK checks each documented ECS error reaches the
// SDK as its modelled error type.
func TestECSErrorsThroughTheSDK(t *testing.T) {
	e := newClusterEndpoint(t)
	ctx := ctxT(t)
	c := e.ecs
	_, err := c.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{Cluster: aws.String("demo"), ContainerInstances: []string{"x"}})
	noErr(t, err)
	tests := []struct {
		name string
		call func() error
		as   func(error) bool
		code string
	}{
		{"unknown cluster", func() error {
			_, err := c.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("nope")})
			return err
		}, isA[*types.ClusterNotFoundException], "ClusterNotFoundException"},
		{"unknown service", func() error {
			_, err := c.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("demo"), Service: aws.String("ghost"), DesiredCount: aws.Int32(1)})
			return err
		}, isA[*types.ServiceNotFoundException], "ServiceNotFoundException"},
		{"DRAINING to INACTIVE", func() error {
			_, err := c.UpdateContainerInstancesState(ctx, &ecs.UpdateContainerInstancesStateInput{Cluster: aws.String("demo"), ContainerInstances: []string{"x"}, Status: "INACTIVE"})
			return err
		}, isA[*types.InvalidParameterException], "InvalidParameterException"},
		{"more than ten instances", func() error {
			ids := make([]string, 11)
			for i := range ids {
				ids[i] = fmt.Sprintf("%032x", i)
			}
			_, err := c.UpdateContainerInstancesState(ctx, &ecs.UpdateContainerInstancesStateInput{Cluster: aws.String("demo"), ContainerInstances: ids, Status: types.ContainerInstanceStatusDraining})
			return err
		}, isA[*types.InvalidParameterException], "InvalidParameterException"},
		{"attribute on an unknown target", func() error {
			_, err := c.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String("demo"), Attributes: []types.Attribute{{Name: aws.String("a"),
				TargetId: aws.String("arn:aws:ecs:us-east-1:123456789012:container-instance/demo/0123456789abcdef0123456789abcdef")}}})
			return err
		}, isA[*types.TargetNotFoundException], "TargetNotFoundException"},
		{"unknown task definition", func() error {
			_, err := c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("nope:3")})
			return err
		}, isA[*types.ClientException], "ClientException"},
		{"bad page token", func() error {
			_, err := c.ListClusters(ctx, &ecs.ListClustersInput{NextToken: aws.String("garbage")})
			return err
		}, isA[*types.InvalidParameterException], "InvalidParameterException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !tt.as(err) || apiCode(err) != tt.code {
				t.Fatalf("err = %v (code %q), want a %s", err, apiCode(err), tt.code)
			}
		})
	}
}

// isA reports whether err is (wraps) an error of type E.
func isA[E error](err error) bool {
	var target E
	return errors.As(err, &target)
}
