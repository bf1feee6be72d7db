package front_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/front"
)

// wireLog keeps the last response body of each operation, so tests can
// check what the SDK's types cannot tell apart (a member absent, or 0).
type wireLog struct {
	rt     http.RoundTripper
	mu     sync.Mutex
	bodies map[string][]byte
}

func (l *wireLog) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.rt.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	_, op, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	l.mu.Lock()
	l.bodies[op] = b
	l.mu.Unlock()
	return resp, nil
}

// last returns the last response of op, decoded as generic JSON.
func (l *wireLog) last(t *testing.T, op string) map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var m map[string]any
	if err := json.Unmarshal(l.bodies[op], &m); err != nil {
		t.Fatalf("%s response %q: %v", op, l.bodies[op], err)
	}
	return m
}

func (l *wireLog) raw(op string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.bodies[op])
}

// newWireEndpoint is newClusterEndpoint (cluster demo, three m5.large
// instances, one a zone) with every response body kept.
func newWireEndpoint(t *testing.T) (*endpoint, *wireLog) {
	t.Helper()
	w := clusterWorld(t)
	h := front.New(w)
	log := &wireLog{rt: front.Transport(h), bodies: map[string][]byte{}}
	return clientsFor(w, h, sdkConfig(log), baseEndpoint), log
}

// member walks a decoded JSON document by keys and indexes.
func member(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%v: not an object at %q", path, k)
			}
			if v, ok = m[k]; !ok {
				t.Fatalf("%v: no member %q in %v", path, k, m)
			}
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("%v: no element %d", path, k)
			}
			v = l[k]
		}
	}
	return v
}

// emptyList fails unless v is a JSON array with nothing in it.
func emptyList(t *testing.T, what string, v any) {
	t.Helper()
	if l, ok := v.([]any); !ok || len(l) != 0 {
		t.Fatalf("%s = %#v, want []", what, v)
	}
}

func instances(t *testing.T, e *endpoint) []types.ContainerInstance {
	t.Helper()
	ctx := ctxT(t)
	l, err := e.ecs.ListContainerInstances(ctx, &ecs.ListContainerInstancesInput{Cluster: aws.String("demo")})
	noErr(t, err)
	d, err := e.ecs.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{Cluster: aws.String("demo"), ContainerInstances: l.ContainerInstanceArns})
	noErr(t, err)
	return d.ContainerInstances
}

func attr(ci types.ContainerInstance, name string) string {
	for _, a := range ci.Attributes {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}

// The cluster query language as ECS accepts it: the drain Lambda's
// "ec2InstanceId==i-…" without spaces, and the other documented forms.
func TestECSFilterSpacingThroughTheSDK(t *testing.T) {
	e, _ := newWireEndpoint(t)
	ctx := ctxT(t)
	cis := instances(t, e)
	if len(cis) != 3 {
		t.Fatalf("%d container instances, want 3", len(cis))
	}
	id, zone := aws.ToString(cis[0].Ec2InstanceId), attr(cis[0], "ecs.availability-zone")
	tests := []struct {
		filter string
		want   int
	}{
		{"ec2InstanceId==" + id, 1},
		{"ec2InstanceId == " + id, 1},
		{"ec2InstanceId=='" + id + "'", 1},
		{"ec2InstanceId in ['" + id + "', 'i-0000']", 1},
		{"not(ec2InstanceId==" + id + ")", 2},
		{"attribute:ecs.instance-type==m5.large&&agentConnected==true", 3},
		{"attribute:ecs.availability-zone!=" + zone + " and attribute:ecs.instance-type =~ m5.*", 2},
		{"(runningTasksCount>0 or attribute:ecs.availability-zone==" + zone + ")", 1},
		{"agentVersion>=1.0.0", 3},
		{"registeredAt<2000-01-01", 0},
	}
	for _, tt := range tests {
		out, err := e.ecs.ListContainerInstances(ctx, &ecs.ListContainerInstancesInput{Cluster: aws.String("demo"), Filter: aws.String(tt.filter)})
		if err != nil {
			t.Errorf("filter %q refused: %v", tt.filter, err)
			continue
		}
		if len(out.ContainerInstanceArns) != tt.want {
			t.Errorf("filter %q listed %d, want %d", tt.filter, len(out.ContainerInstanceArns), tt.want)
		}
	}
	_, err := e.ecs.ListContainerInstances(ctx, &ecs.ListContainerInstancesInput{Cluster: aws.String("demo"), Filter: aws.String("ec2InstanceId=")})
	if !isA[*types.InvalidParameterException](err) {
		t.Fatalf("a filter without its argument: %v, want InvalidParameterException", err)
	}
}

// DescribeClusters shows tags, settings and statistics only when include
// asks for them; the calls that change a cluster show tags and settings;
// base 0 of a capacity provider strategy item is on the wire.
func TestECSClusterWireShapesThroughTheSDK(t *testing.T) {
	e, wire := newWireEndpoint(t)
	ctx := ctxT(t)
	c := e.ecs
	cr, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("tagged"),
		Tags:     []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}},
		Settings: []types.ClusterSetting{{Name: types.ClusterSettingNameContainerInsights, Value: aws.String("enabled")}}})
	noErr(t, err)
	if len(cr.Cluster.Tags) != 1 || len(cr.Cluster.Settings) != 1 || aws.ToString(cr.Cluster.Settings[0].Value) != "enabled" {
		t.Fatalf("CreateCluster shows tags %+v settings %+v", cr.Cluster.Tags, cr.Cluster.Settings)
	}
	emptyList(t, "CreateCluster statistics", member(t, wire.last(t, "CreateCluster"), "cluster", "statistics"))

	dc, err := c.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"tagged"}})
	noErr(t, err)
	if body := wire.raw("DescribeClusters"); strings.Contains(body, `"tags"`) || strings.Contains(body, `"settings"`) || strings.Contains(body, `"statistics"`) ||
		len(dc.Clusters[0].Tags) != 0 {
		t.Fatalf("DescribeClusters without include shows %s", body)
	}
	dc, err = c.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"tagged", "demo"},
		Include: []types.ClusterField{types.ClusterFieldTags, types.ClusterFieldSettings, types.ClusterFieldStatistics}})
	noErr(t, err)
	tagged, demo := dc.Clusters[0], dc.Clusters[1]
	if len(tagged.Tags) != 1 || aws.ToString(tagged.Tags[0].Value) != "core" || aws.ToString(tagged.Settings[0].Value) != "enabled" {
		t.Fatalf("include TAGS, SETTINGS: %+v %+v", tagged.Tags, tagged.Settings)
	}
	emptyList(t, "demo's tags with include TAGS", member(t, wire.last(t, "DescribeClusters"), "clusters", 1, "tags"))
	if len(demo.Settings) != 1 || aws.ToString(demo.Settings[0].Value) != "disabled" {
		t.Fatalf("a cluster without settings shows %+v, want containerInsights disabled", demo.Settings)
	}
	stats := map[string]string{}
	for _, kv := range demo.Statistics {
		stats[aws.ToString(kv.Name)] = aws.ToString(kv.Value)
	}
	if stats["runningEC2TasksCount"] != "0" || stats["activeEC2ServiceCount"] != "0" || len(stats) != 8 {
		t.Fatalf("statistics %v", stats)
	}
	up, err := c.UpdateClusterSettings(ctx, &ecs.UpdateClusterSettingsInput{Cluster: aws.String("tagged"),
		Settings: []types.ClusterSetting{{Name: types.ClusterSettingNameContainerInsights, Value: aws.String("enhanced")}}})
	noErr(t, err)
	if len(up.Cluster.Settings) != 1 || aws.ToString(up.Cluster.Settings[0].Value) != "enhanced" {
		t.Fatalf("UpdateClusterSettings shows %+v", up.Cluster.Settings)
	}
	_, err = c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("bad"),
		Settings: []types.ClusterSetting{{Name: types.ClusterSettingNameContainerInsights, Value: aws.String("maybe")}}})
	if !isA[*types.InvalidParameterException](err) {
		t.Fatalf("containerInsights=maybe: %v, want InvalidParameterException", err)
	}

	// base 0 (and weight) on the wire, where the SDK's int32 cannot tell.
	_, err = c.CreateCapacityProvider(ctx, &ecs.CreateCapacityProviderInput{Name: aws.String("demo-cp"),
		AutoScalingGroupProvider: &types.AutoScalingGroupProvider{
			AutoScalingGroupArn: aws.String("arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0000:autoScalingGroupName/demo-asg")}})
	noErr(t, err)
	_, err = c.PutClusterCapacityProviders(ctx, &ecs.PutClusterCapacityProvidersInput{Cluster: aws.String("demo"), CapacityProviders: []string{"demo-cp"},
		DefaultCapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("demo-cp"), Weight: 1}}})
	noErr(t, err)
	item := member(t, wire.last(t, "PutClusterCapacityProviders"), "cluster", "defaultCapacityProviderStrategy", 0).(map[string]any)
	if item["base"] != float64(0) || item["weight"] != float64(1) {
		t.Fatalf("strategy item on the wire: %v, want base 0 and weight 1", item)
	}
	_, err = c.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"demo"}})
	noErr(t, err)
	if item := member(t, wire.last(t, "DescribeClusters"), "clusters", 0, "defaultCapacityProviderStrategy", 0).(map[string]any); item["base"] != float64(0) {
		t.Fatalf("DescribeClusters strategy item: %v, want base 0", item)
	}
}

// Task definitions show the empty lists ECS shows, and keep what they are
// given: volumes, mount points, health checks, placement constraints, tags
// (with include TAGS), and members the emulator does not model.
func TestECSTaskDefinitionWireShapesThroughTheSDK(t *testing.T) {
	e, wire := newWireEndpoint(t)
	ctx := ctxT(t)
	c := e.ecs
	_, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("sleep"),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("sleep"), Image: aws.String("busybox"), Memory: aws.Int32(10)}}})
	noErr(t, err)
	body := wire.last(t, "RegisterTaskDefinition")
	td := member(t, body, "taskDefinition")
	emptyList(t, "volumes", member(t, td, "volumes"))
	emptyList(t, "placementConstraints", member(t, td, "placementConstraints"))
	for _, list := range []string{"portMappings", "environment", "mountPoints", "volumesFrom"} {
		emptyList(t, list, member(t, td, "containerDefinitions", 0, list))
	}
	if cpu := member(t, td, "containerDefinitions", 0, "cpu"); cpu != float64(0) {
		t.Fatalf("cpu = %v, want 0", cpu)
	}

	reg, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"),
		Tags:                 []types.Tag{{Key: aws.String("owner"), Value: aws.String("web-team")}},
		Volumes:              []types.Volume{{Name: aws.String("data"), Host: &types.HostVolumeProperties{SourcePath: aws.String("/ecs/data")}}},
		PlacementConstraints: []types.TaskDefinitionPlacementConstraint{{Type: types.TaskDefinitionPlacementConstraintTypeMemberOf, Expression: aws.String("attribute:ecs.instance-type =~ m5.*")}},
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("nginx"), Memory: aws.Int32(128),
			MountPoints:      []types.MountPoint{{SourceVolume: aws.String("data"), ContainerPath: aws.String("/data")}},
			HealthCheck:      &types.HealthCheck{Command: []string{"CMD-SHELL", "true"}, Interval: aws.Int32(10)},
			LogConfiguration: &types.LogConfiguration{LogDriver: types.LogDriverAwslogs, Options: map[string]string{"awslogs-group": "/ecs/web"}},
			Ulimits:          []types.Ulimit{{Name: types.UlimitNameNofile, SoftLimit: 1024, HardLimit: 4096}},
		}},
		PidMode: types.PidModeHost,
	})
	noErr(t, err)
	if len(reg.Tags) != 1 {
		t.Fatalf("RegisterTaskDefinition tags %+v", reg.Tags)
	}
	d, err := c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("web")})
	noErr(t, err)
	if len(d.Tags) != 0 || strings.Contains(wire.raw("DescribeTaskDefinition"), `"tags"`) {
		t.Fatalf("DescribeTaskDefinition without include shows tags: %s", wire.raw("DescribeTaskDefinition"))
	}
	cd := d.TaskDefinition.ContainerDefinitions[0]
	if len(d.TaskDefinition.Volumes) != 1 || len(cd.MountPoints) != 1 || cd.HealthCheck == nil || aws.ToInt32(cd.HealthCheck.Interval) != 10 ||
		len(d.TaskDefinition.PlacementConstraints) != 1 {
		t.Fatalf("stored members lost: volumes %+v mountPoints %+v healthCheck %+v constraints %+v",
			d.TaskDefinition.Volumes, cd.MountPoints, cd.HealthCheck, d.TaskDefinition.PlacementConstraints)
	}
	if cd.LogConfiguration == nil || cd.LogConfiguration.Options["awslogs-group"] != "/ecs/web" || len(cd.Ulimits) != 1 || d.TaskDefinition.PidMode != types.PidModeHost {
		t.Fatalf("members the emulator does not model were dropped: log %+v ulimits %+v pidMode %q", cd.LogConfiguration, cd.Ulimits, d.TaskDefinition.PidMode)
	}
	d, err = c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("web"), Include: []types.TaskDefinitionField{types.TaskDefinitionFieldTags}})
	noErr(t, err)
	if len(d.Tags) != 1 || aws.ToString(d.Tags[0].Value) != "web-team" {
		t.Fatalf("include TAGS: %+v", d.Tags)
	}
	for name, in := range map[string]*ecs.RegisterTaskDefinitionInput{
		"a mount point of no volume": {Family: aws.String("bad"), ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("a"), Image: aws.String("x"), Memory: aws.Int32(8),
			MountPoints: []types.MountPoint{{SourceVolume: aws.String("nope"), ContainerPath: aws.String("/x")}}}}},
		"a reserved tag key": {Family: aws.String("bad"), Tags: []types.Tag{{Key: aws.String("aws:owner"), Value: aws.String("x")}},
			ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("a"), Image: aws.String("x"), Memory: aws.Int32(8)}}},
		"a distinctInstance task definition constraint": {Family: aws.String("bad"),
			PlacementConstraints: []types.TaskDefinitionPlacementConstraint{{Type: "distinctInstance"}},
			ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("a"), Image: aws.String("x"), Memory: aws.Int32(8)}}},
	} {
		if _, err := c.RegisterTaskDefinition(ctx, in); err == nil {
			t.Errorf("%s was accepted", name)
		}
	}
}

// Accepted service parameters are stored and shown, or refused: the role
// (with a load balancer only), placement constraints (evaluated), tags
// (shown with include TAGS); RunTask's constraints and tags too.
func TestECSServiceParametersStoredOrRefusedThroughTheSDK(t *testing.T) {
	e, _ := newWireEndpoint(t)
	ctx := ctxT(t)
	c := e.ecs
	cis := instances(t, e)
	zone := attr(cis[0], "ecs.availability-zone")
	_, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("app"),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx"), Memory: aws.Int32(128),
			PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(80)}}}}})
	noErr(t, err)
	lb := []types.LoadBalancer{{TargetGroupArn: aws.String("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/app/0123"), ContainerName: aws.String("app"), ContainerPort: aws.Int32(80)}}

	// The role needs a load balancer.
	_, err = c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("demo"), ServiceName: aws.String("norole"), TaskDefinition: aws.String("app"),
		DesiredCount: aws.Int32(1), Role: aws.String("ecsServiceRole")})
	if !isA[*types.InvalidParameterException](err) {
		t.Fatalf("a role without a load balancer: %v, want InvalidParameterException", err)
	}
	cs, err := c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("demo"), ServiceName: aws.String("front"), TaskDefinition: aws.String("app"),
		DesiredCount: aws.Int32(2), Role: aws.String("ecsServiceRole"), LoadBalancers: lb,
		Tags:                 []types.Tag{{Key: aws.String("tier"), Value: aws.String("front")}},
		PlacementConstraints: []types.PlacementConstraint{{Type: types.PlacementConstraintTypeMemberOf, Expression: aws.String("attribute:ecs.availability-zone==" + zone)}}})
	noErr(t, err)
	if got := aws.ToString(cs.Service.RoleArn); got != "arn:aws:iam::123456789012:role/ecsServiceRole" {
		t.Fatalf("roleArn %q", got)
	}
	_, err = c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("demo"), ServiceName: aws.String("spread"), TaskDefinition: aws.String("app"),
		DesiredCount: aws.Int32(3), PlacementConstraints: []types.PlacementConstraint{{Type: types.PlacementConstraintTypeDistinctInstance}}})
	noErr(t, err)
	e.w.Clock.RunFor(time.Minute)

	ds, err := c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("demo"), Services: []string{"front", "spread"}})
	noErr(t, err)
	front, spread := ds.Services[0], ds.Services[1]
	if len(front.Tags) != 0 || len(front.PlacementConstraints) != 1 || aws.ToString(front.RoleArn) == "" || len(spread.PlacementConstraints) != 1 {
		t.Fatalf("DescribeServices: tags %+v constraints %+v role %q", front.Tags, front.PlacementConstraints, aws.ToString(front.RoleArn))
	}
	ds, err = c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("demo"), Services: []string{"front"}, Include: []types.ServiceField{types.ServiceFieldTags}})
	noErr(t, err)
	if len(ds.Services[0].Tags) != 1 {
		t.Fatalf("include TAGS: %+v", ds.Services[0].Tags)
	}
	// memberOf keeps front in one zone; distinctInstance puts one spread
	// task on each instance.
	perInstance := map[string]int{}
	for _, svc := range []string{"front", "spread"} {
		lt, err := c.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("demo"), ServiceName: aws.String(svc)})
		noErr(t, err)
		dt, err := c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("demo"), Tasks: lt.TaskArns})
		noErr(t, err)
		for _, task := range dt.Tasks {
			if svc == "front" && aws.ToString(task.AvailabilityZone) != zone {
				t.Fatalf("front task in %s, want only %s", aws.ToString(task.AvailabilityZone), zone)
			}
			if svc == "spread" {
				perInstance[aws.ToString(task.ContainerInstanceArn)]++
			}
		}
	}
	if len(perInstance) != 3 {
		t.Fatalf("distinctInstance: spread tasks per instance %v", perInstance)
	}
	// A fourth spread task has nowhere to go; an empty list removes the
	// constraint.
	_, err = c.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("demo"), Service: aws.String("spread"), DesiredCount: aws.Int32(4)})
	noErr(t, err)
	e.w.Clock.RunFor(time.Minute)
	ds, err = c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("demo"), Services: []string{"spread"}})
	noErr(t, err)
	if ds.Services[0].RunningCount != 3 || !strings.Contains(aws.ToString(ds.Services[0].Events[0].Message), "DistinctInstance placement constraint unsatisfied") {
		t.Fatalf("spread at 4: running %d, last event %q", ds.Services[0].RunningCount, aws.ToString(ds.Services[0].Events[0].Message))
	}
	_, err = c.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("demo"), Service: aws.String("spread"), PlacementConstraints: []types.PlacementConstraint{}})
	noErr(t, err)
	e.w.Clock.RunFor(time.Minute)
	ds, err = c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("demo"), Services: []string{"spread"}})
	noErr(t, err)
	if ds.Services[0].RunningCount != 4 || len(ds.Services[0].PlacementConstraints) != 0 {
		t.Fatalf("constraints removed: running %d constraints %+v", ds.Services[0].RunningCount, ds.Services[0].PlacementConstraints)
	}

	rt, err := c.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("demo"), TaskDefinition: aws.String("app"),
		PlacementConstraints: []types.PlacementConstraint{{Type: types.PlacementConstraintTypeMemberOf, Expression: aws.String("attribute:ecs.instance-type == c5.large")}}})
	noErr(t, err)
	if len(rt.Tasks) != 0 || len(rt.Failures) != 1 || aws.ToString(rt.Failures[0].Reason) != "MemberOf placement constraint unsatisfied." {
		t.Fatalf("RunTask memberOf nothing: %+v %+v", rt.Tasks, rt.Failures)
	}
	rt, err = c.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("demo"), TaskDefinition: aws.String("app"), Tags: []types.Tag{{Key: aws.String("job"), Value: aws.String("1")}}})
	noErr(t, err)
	if len(rt.Tasks) != 1 || len(rt.Tasks[0].Tags) != 1 {
		t.Fatalf("RunTask tags: %+v", rt.Tasks)
	}
	dt, err := c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("demo"), Tasks: []string{aws.ToString(rt.Tasks[0].TaskArn)}})
	noErr(t, err)
	if len(dt.Tasks[0].Tags) != 0 {
		t.Fatalf("DescribeTasks without include shows tags %+v", dt.Tasks[0].Tags)
	}
	dt, err = c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("demo"), Tasks: []string{aws.ToString(rt.Tasks[0].TaskArn)}, Include: []types.TaskField{types.TaskFieldTags}})
	noErr(t, err)
	if len(dt.Tasks[0].Tags) != 1 {
		t.Fatalf("DescribeTasks include TAGS: %+v", dt.Tasks[0].Tags)
	}
}

// A daemon service's desiredCount is the number of instances it runs on.
func TestECSDaemonDesiredCountThroughTheSDK(t *testing.T) {
	e, _ := newWireEndpoint(t)
	ctx := ctxT(t)
	c := e.ecs
	_, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("agent"),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("agent"), Image: aws.String("agent"), Memory: aws.Int32(64)}}})
	noErr(t, err)
	cr, err := c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("demo"), ServiceName: aws.String("agent"), TaskDefinition: aws.String("agent"),
		SchedulingStrategy: types.SchedulingStrategyDaemon})
	noErr(t, err)
	if cr.Service.DesiredCount != 3 {
		t.Fatalf("CreateService desiredCount %d, want 3", cr.Service.DesiredCount)
	}
	e.w.Clock.RunFor(time.Minute)
	cis := instances(t, e)
	_, err = c.UpdateContainerInstancesState(ctx, &ecs.UpdateContainerInstancesStateInput{Cluster: aws.String("demo"),
		ContainerInstances: []string{aws.ToString(cis[0].ContainerInstanceArn)}, Status: types.ContainerInstanceStatusDraining})
	noErr(t, err)
	e.w.Clock.RunFor(time.Minute)
	ds, err := c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("demo"), Services: []string{"agent"}})
	noErr(t, err)
	if svc := ds.Services[0]; svc.DesiredCount != 2 || svc.RunningCount != 2 || svc.Deployments[0].DesiredCount != 2 {
		t.Fatalf("daemon with one instance draining: desired %d running %d deployment %d", svc.DesiredCount, svc.RunningCount, svc.Deployments[0].DesiredCount)
	}
	// A daemon kept to one zone runs on, and desires, one instance.
	zone := attr(cis[1], "ecs.availability-zone")
	_, err = c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("demo"), ServiceName: aws.String("zonal"), TaskDefinition: aws.String("agent"),
		SchedulingStrategy:   types.SchedulingStrategyDaemon,
		PlacementConstraints: []types.PlacementConstraint{{Type: types.PlacementConstraintTypeMemberOf, Expression: aws.String("attribute:ecs.availability-zone==" + zone)}}})
	noErr(t, err)
	e.w.Clock.RunFor(time.Minute)
	ds, err = c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("demo"), Services: []string{"zonal"}})
	noErr(t, err)
	if svc := ds.Services[0]; svc.DesiredCount != 1 || svc.RunningCount != 1 {
		t.Fatalf("a daemon kept to %s: desired %d running %d, want 1 and 1", zone, svc.DesiredCount, svc.RunningCount)
	}
	// The emulator's own view (the admin snapshot) agrees.
	status, snap := admin(t, e.h, "GET", "/_emulator/snapshot", "")
	var view struct {
		Clusters []struct {
			Name     string
			Services []struct {
				Name    string
				Desired int
			}
		}
	}
	remarshal(t, snap, &view)
	desired := map[string]int{}
	for _, cl := range view.Clusters {
		for _, svc := range cl.Services {
			desired[svc.Name] = svc.Desired
		}
	}
	if status != 200 || desired["agent"] != 2 || desired["zonal"] != 1 {
		t.Fatalf("admin snapshot desired counts %v (status %d)", desired, status)
	}
}

// drainReplacement drains the instance of a one-task service (100/200) and
// returns how long after its replacement reached RUNNING the old task was
// asked to stop: the time ECS takes to count the replacement healthy.
func drainReplacement(t *testing.T, e *endpoint, family string, cd types.ContainerDefinition) time.Duration {
	t.Helper()
	ctx := ctxT(t)
	c := e.ecs
	_, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String(family), ContainerDefinitions: []types.ContainerDefinition{cd}})
	noErr(t, err)
	_, err = c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("demo"), ServiceName: aws.String(family), TaskDefinition: aws.String(family),
		DesiredCount: aws.Int32(1), DeploymentConfiguration: &types.DeploymentConfiguration{MinimumHealthyPercent: aws.Int32(100), MaximumPercent: aws.Int32(200)}})
	noErr(t, err)
	e.w.Clock.RunFor(2 * time.Minute)
	lt, err := c.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("demo"), ServiceName: aws.String(family)})
	noErr(t, err)
	old, err := c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("demo"), Tasks: lt.TaskArns})
	noErr(t, err)
	_, err = c.UpdateContainerInstancesState(ctx, &ecs.UpdateContainerInstancesStateInput{Cluster: aws.String("demo"),
		ContainerInstances: []string{aws.ToString(old.Tasks[0].ContainerInstanceArn)}, Status: types.ContainerInstanceStatusDraining})
	noErr(t, err)
	e.w.Clock.RunFor(3 * time.Minute)
	lt, err = c.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("demo"), ServiceName: aws.String(family)})
	noErr(t, err)
	repl, err := c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("demo"), Tasks: lt.TaskArns})
	noErr(t, err)
	was, err := c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("demo"), Tasks: []string{aws.ToString(old.Tasks[0].TaskArn)}})
	noErr(t, err)
	if len(repl.Tasks) != 1 || repl.Tasks[0].StartedAt == nil || was.Tasks[0].StoppingAt == nil {
		t.Fatalf("no replacement, or the old task was not stopped: %+v / %+v", repl.Tasks, was.Tasks)
	}
	return was.Tasks[0].StoppingAt.Sub(*repl.Tasks[0].StartedAt)
}

// Without a load balancer or a health check, ECS counts a task toward
// minimumHealthyPercent 40 s after it reached RUNNING; with a health
// check, when it passes (one interval).
func TestECSHealthWithoutLoadBalancerThroughTheSDK(t *testing.T) {
	e, _ := newWireEndpoint(t)
	plain := types.ContainerDefinition{Name: aws.String("app"), Image: aws.String("app"), Memory: aws.Int32(64)}
	if d := drainReplacement(t, e, "plain", plain); d != 40*time.Second {
		t.Fatalf("no health check: the old task stopped %v after its replacement ran, want 40s", d)
	}
	checked := plain
	checked.HealthCheck = &types.HealthCheck{Command: []string{"CMD", "true"}, Interval: aws.Int32(10)}
	e2, _ := newWireEndpoint(t)
	if d := drainReplacement(t, e2, "checked", checked); d != 10*time.Second {
		t.Fatalf("a 10 s health check: the old task stopped %v after its replacement ran, want 10s", d)
	}
	lt, err := e2.ecs.ListTasks(ctxT(t), &ecs.ListTasksInput{Cluster: aws.String("demo"), ServiceName: aws.String("checked")})
	noErr(t, err)
	dt, err := e2.ecs.DescribeTasks(ctxT(t), &ecs.DescribeTasksInput{Cluster: aws.String("demo"), Tasks: lt.TaskArns})
	noErr(t, err)
	if dt.Tasks[0].HealthStatus != types.HealthStatusHealthy || dt.Tasks[0].Containers[0].HealthStatus != types.HealthStatusHealthy {
		t.Fatalf("health %s / %s, want HEALTHY", dt.Tasks[0].HealthStatus, dt.Tasks[0].Containers[0].HealthStatus)
	}
}

// ECS_CONTAINER_STOP_TIMEOUT in an instance's user data is its agent's
// stop timeout for containers without one of their own.
func TestECSAgentStopTimeoutThroughTheSDK(t *testing.T) {
	e, _ := newWireEndpoint(t)
	ctx := ctxT(t)
	c := e.ecs
	userData := "#!/bin/bash\necho ECS_CLUSTER=demo >> /etc/ecs/ecs.config\necho ECS_CONTAINER_STOP_TIMEOUT=2m >> /etc/ecs/ecs.config\n"
	var slowID string
	e.w.Do(func() {
		_, err := e.w.EC2.CreateLaunchTemplate(ec2.CreateLaunchTemplateInput{LaunchTemplateName: "patient",
			LaunchTemplateData: &ec2.RequestLaunchTemplateData{ImageId: "ami-0123", InstanceType: "m5.large", UserData: base64.StdEncoding.EncodeToString([]byte(userData))}})
		noErr(t, err)
		inst, err := e.w.EC2.Launch(ec2.LaunchSpec{LaunchTemplateName: "patient", AZ: "us-east-1a"})
		noErr(t, err)
		slowID = inst.ID
	})
	e.w.Clock.RunFor(2 * time.Minute)
	_, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("stubborn"),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("app"), Memory: aws.Int32(64),
			DockerLabels: map[string]string{"emulator.stop": "10m"}}}})
	noErr(t, err)
	stopAfter := func(ec2ID string) time.Duration {
		t.Helper()
		l, err := c.ListContainerInstances(ctx, &ecs.ListContainerInstancesInput{Cluster: aws.String("demo"), Filter: aws.String("ec2InstanceId==" + ec2ID)})
		noErr(t, err)
		if len(l.ContainerInstanceArns) != 1 {
			t.Fatalf("%s is not registered", ec2ID)
		}
		st, err := c.StartTask(ctx, &ecs.StartTaskInput{Cluster: aws.String("demo"), TaskDefinition: aws.String("stubborn"), ContainerInstances: l.ContainerInstanceArns})
		noErr(t, err)
		arn := st.Tasks[0].TaskArn
		e.w.Clock.RunFor(time.Minute)
		_, err = c.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String("demo"), Task: arn})
		noErr(t, err)
		e.w.Clock.RunFor(5 * time.Minute)
		dt, err := c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("demo"), Tasks: []string{aws.ToString(arn)}})
		noErr(t, err)
		task := dt.Tasks[0]
		if aws.ToString(task.LastStatus) != "STOPPED" || aws.ToInt32(task.Containers[0].ExitCode) != 137 {
			t.Fatalf("task on %s: %s, exit %v, want STOPPED by SIGKILL", ec2ID, aws.ToString(task.LastStatus), task.Containers[0].ExitCode)
		}
		return task.ExecutionStoppedAt.Sub(*task.StoppingAt)
	}
	if d := stopAfter(slowID); d != 2*time.Minute {
		t.Fatalf("with ECS_CONTAINER_STOP_TIMEOUT=2m the container was killed %v after the stop, want 2m", d)
	}
	if d := stopAfter(aws.ToString(instances(t, e)[0].Ec2InstanceId)); d != 30*time.Second {
		t.Fatalf("without it the container was killed %v after the stop, want the default 30s", d)
	}
}

// RegisterContainerInstance as the agent calls it: a first registration,
// a re-registration with its ARN, none for an instance deregistered.
func TestECSRegisterContainerInstanceThroughTheSDK(t *testing.T) {
	e, _ := newWireEndpoint(t)
	ctx := ctxT(t)
	c := e.ecs
	ci := instances(t, e)[0]
	doc := func(id string) *string {
		b, _ := json.Marshal(map[string]string{"instanceId": id, "instanceType": "m5.large", "availabilityZone": attr(ci, "ecs.availability-zone"), "region": "us-east-1", "architecture": "x86_64"})
		return aws.String(string(b))
	}
	_, err := c.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String("demo"), Attributes: []types.Attribute{{Name: aws.String("stack"), Value: aws.String("blue"), TargetId: ci.ContainerInstanceArn}}})
	noErr(t, err)
	// The agent restarts and registers again with its ARN and new resources.
	re, err := c.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String("demo"),
		ContainerInstanceArn: ci.ContainerInstanceArn, InstanceIdentityDocument: doc(aws.ToString(ci.Ec2InstanceId)), InstanceIdentityDocumentSignature: aws.String("sig"),
		TotalResources: []types.Resource{{Name: aws.String("CPU"), Type: aws.String("INTEGER"), IntegerValue: 2048}, {Name: aws.String("MEMORY"), Type: aws.String("INTEGER"), IntegerValue: 7000}},
		VersionInfo:    &types.VersionInfo{AgentVersion: aws.String("1.90.0")},
		Attributes:     []types.Attribute{{Name: aws.String("ecs.capability.task-eni")}}})
	noErr(t, err)
	got := re.ContainerInstance
	if aws.ToString(got.ContainerInstanceArn) != aws.ToString(ci.ContainerInstanceArn) || aws.ToString(got.VersionInfo.AgentVersion) != "1.90.0" ||
		got.RegisteredResources[1].IntegerValue != 7000 || attr(*got, "stack") != "blue" || attr(*got, "ecs.instance-type") != "m5.large" || !got.AgentConnected {
		t.Fatalf("re-registration: %+v", got)
	}
	if _, ok := func() (string, bool) {
		for _, a := range got.Attributes {
			if aws.ToString(a.Name) == "ecs.capability.task-eni" {
				return "", true
			}
		}
		return "", false
	}(); !ok {
		t.Fatalf("the agent's capability was not registered: %+v", got.Attributes)
	}
	_, err = c.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String("demo"), InstanceIdentityDocument: doc("i-00000000000000000")})
	if !isA[*types.ClientException](err) {
		t.Fatalf("an instance that is not running: %v, want ClientException", err)
	}
	// Deregistration is final: the agent's re-registration is refused.
	_, err = c.DeregisterContainerInstance(ctx, &ecs.DeregisterContainerInstanceInput{Cluster: aws.String("demo"), ContainerInstance: ci.ContainerInstanceArn})
	noErr(t, err)
	_, err = c.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String("demo"),
		ContainerInstanceArn: ci.ContainerInstanceArn, InstanceIdentityDocument: doc(aws.ToString(ci.Ec2InstanceId))})
	if !isA[*types.ClientException](err) || !strings.Contains(err.Error(), "is inactive") {
		t.Fatalf("re-registering a deregistered instance: %v, want ClientException … is inactive", err)
	}
	// Without its ARN the agent registers a new container instance.
	fresh, err := c.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String("demo"), InstanceIdentityDocument: doc(aws.ToString(ci.Ec2InstanceId))})
	noErr(t, err)
	if aws.ToString(fresh.ContainerInstance.ContainerInstanceArn) == aws.ToString(ci.ContainerInstanceArn) || aws.ToString(fresh.ContainerInstance.Status) != "ACTIVE" {
		t.Fatalf("a new registration: %+v", fresh.ContainerInstance)
	}
	l, err := c.ListContainerInstances(ctx, &ecs.ListContainerInstancesInput{Cluster: aws.String("demo"), Filter: aws.String("ec2InstanceId==" + aws.ToString(ci.Ec2InstanceId))})
	noErr(t, err)
	if len(l.ContainerInstanceArns) != 1 || l.ContainerInstanceArns[0] != aws.ToString(fresh.ContainerInstance.ContainerInstanceArn) {
		t.Fatalf("the EC2 instance lists %v", l.ContainerInstanceArns)
	}
}

// Task scale-in protection: the API's shapes, limits and failures; a
// protected task survives scale-in and deployments until its protection
// goes, and is drained like any other.
func TestECSTaskProtectionThroughTheSDK(t *testing.T) {
	e, _ := newWireEndpoint(t)
	ctx := ctxT(t)
	c := e.ecs
	_, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("game"),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("game"), Image: aws.String("game"), Memory: aws.Int32(64)}}})
	noErr(t, err)
	_, err = c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("demo"), ServiceName: aws.String("game"), TaskDefinition: aws.String("game"), DesiredCount: aws.Int32(3)})
	noErr(t, err)
	e.w.Clock.RunFor(2 * time.Minute)
	tasksOf := func() []types.Task {
		t.Helper()
		lt, err := c.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("demo"), ServiceName: aws.String("game")})
		noErr(t, err)
		if len(lt.TaskArns) == 0 {
			return nil
		}
		dt, err := c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("demo"), Tasks: lt.TaskArns})
		noErr(t, err)
		return dt.Tasks
	}
	tasks := tasksOf()
	a, b := aws.ToString(tasks[0].TaskArn), aws.ToString(tasks[1].TaskArn)
	now := e.w.Now()
	up, err := c.UpdateTaskProtection(ctx, &ecs.UpdateTaskProtectionInput{Cluster: aws.String("demo"), Tasks: []string{a, b, "0123456789abcdef0123456789abcdef"}, ProtectionEnabled: true})
	noErr(t, err)
	if len(up.ProtectedTasks) != 2 || !up.ProtectedTasks[0].ProtectionEnabled || !up.ProtectedTasks[0].ExpirationDate.Equal(now.Add(2*time.Hour)) ||
		len(up.Failures) != 1 || aws.ToString(up.Failures[0].Reason) != "MISSING" {
		t.Fatalf("UpdateTaskProtection default: %+v %+v", up.ProtectedTasks, up.Failures)
	}
	_, err = c.UpdateTaskProtection(ctx, &ecs.UpdateTaskProtectionInput{Cluster: aws.String("demo"), Tasks: []string{a}, ProtectionEnabled: true, ExpiresInMinutes: aws.Int32(2881)})
	if !isA[*types.InvalidParameterException](err) {
		t.Fatalf("expiresInMinutes 2881: %v, want InvalidParameterException", err)
	}
	rt, err := c.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("demo"), TaskDefinition: aws.String("game")})
	noErr(t, err)
	up, err = c.UpdateTaskProtection(ctx, &ecs.UpdateTaskProtectionInput{Cluster: aws.String("demo"), Tasks: []string{aws.ToString(rt.Tasks[0].TaskArn)}, ProtectionEnabled: true})
	noErr(t, err)
	if len(up.Failures) != 1 || aws.ToString(up.Failures[0].Reason) != "TASK_NOT_VALID" {
		t.Fatalf("protecting a standalone task: %+v", up.Failures)
	}

	// Scale-in to 1 stops only the unprotected task.
	_, err = c.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("demo"), Service: aws.String("game"), DesiredCount: aws.Int32(1)})
	noErr(t, err)
	e.w.Clock.RunFor(time.Minute)
	if left := tasksOf(); len(left) != 2 {
		t.Fatalf("after scale-in to 1, %d tasks run, want the 2 protected", len(left))
	}
	ds, err := c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("demo"), Services: []string{"game"}})
	noErr(t, err)
	if !strings.Contains(aws.ToString(ds.Services[0].Events[0].Message), "protected from scale-in") {
		t.Fatalf("no service event on the protected tasks: %q", aws.ToString(ds.Services[0].Events[0].Message))
	}
	// Protecting beyond the desired count is refused per task.
	up, err = c.UpdateTaskProtection(ctx, &ecs.UpdateTaskProtectionInput{Cluster: aws.String("demo"), Tasks: []string{a}, ProtectionEnabled: false})
	noErr(t, err)
	if len(up.ProtectedTasks) != 1 || up.ProtectedTasks[0].ProtectionEnabled || up.ProtectedTasks[0].ExpirationDate != nil {
		t.Fatalf("unprotect: %+v", up.ProtectedTasks)
	}
	e.w.Clock.RunFor(time.Minute)
	if left := tasksOf(); len(left) != 1 || aws.ToString(left[0].TaskArn) != b {
		t.Fatalf("after unprotecting one, tasks %d, want only %s", len(left), b)
	}
	_, err = c.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("demo"), Service: aws.String("game"), ForceNewDeployment: true})
	noErr(t, err)
	e.w.Clock.RunFor(time.Minute)
	var fresh string
	for _, task := range tasksOf() {
		if aws.ToString(task.TaskArn) != b {
			fresh = aws.ToString(task.TaskArn)
		}
	}
	if fresh == "" {
		t.Fatalf("the deployment started no task beside the protected one: %d tasks", len(tasksOf()))
	}
	up, err = c.UpdateTaskProtection(ctx, &ecs.UpdateTaskProtectionInput{Cluster: aws.String("demo"), Tasks: []string{fresh}, ProtectionEnabled: true})
	noErr(t, err)
	if len(up.Failures) != 1 || aws.ToString(up.Failures[0].Reason) != "DEPLOYMENT_BLOCKED" {
		t.Fatalf("protecting a second task of a service desiring 1: %+v", up.Failures)
	}
	// The old deployment's protected task stays until its protection
	// expires (restarted here for 1 minute).
	up, err = c.UpdateTaskProtection(ctx, &ecs.UpdateTaskProtectionInput{Cluster: aws.String("demo"), Tasks: []string{b}, ProtectionEnabled: true, ExpiresInMinutes: aws.Int32(1)})
	noErr(t, err)
	gp, err := c.GetTaskProtection(ctx, &ecs.GetTaskProtectionInput{Cluster: aws.String("demo"), Tasks: []string{b, fresh}})
	noErr(t, err)
	if len(gp.ProtectedTasks) != 2 || !gp.ProtectedTasks[0].ProtectionEnabled || gp.ProtectedTasks[1].ProtectionEnabled ||
		!gp.ProtectedTasks[0].ExpirationDate.Equal(e.w.Now().Add(time.Minute)) {
		t.Fatalf("GetTaskProtection: %+v", gp.ProtectedTasks)
	}
	e.w.Clock.RunFor(50 * time.Second)
	if len(tasksOf()) != 2 {
		t.Fatalf("the protected old task went before its protection expired")
	}
	e.w.Clock.RunFor(time.Minute)
	if left := tasksOf(); len(left) != 1 || aws.ToString(left[0].TaskArn) != fresh {
		t.Fatalf("after the protection expired: %d tasks", len(left))
	}

	// Draining does not spare a protected task.
	_, err = c.UpdateTaskProtection(ctx, &ecs.UpdateTaskProtectionInput{Cluster: aws.String("demo"), Tasks: []string{fresh}, ProtectionEnabled: true})
	noErr(t, err)
	left := tasksOf()
	_, err = c.UpdateContainerInstancesState(ctx, &ecs.UpdateContainerInstancesStateInput{Cluster: aws.String("demo"),
		ContainerInstances: []string{aws.ToString(left[0].ContainerInstanceArn)}, Status: types.ContainerInstanceStatusDraining})
	noErr(t, err)
	e.w.Clock.RunFor(3 * time.Minute)
	left = tasksOf()
	if len(left) != 1 || aws.ToString(left[0].TaskArn) == fresh {
		t.Fatalf("a protected task on a DRAINING instance was not replaced: %d tasks", len(left))
	}
}
