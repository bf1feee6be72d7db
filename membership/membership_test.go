package membership_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/membership"
	"github.com/drainer-dev/drainer/sim"
)

// worldYAML: web-asg joins web through its capacity provider and its
// launch template's user data; api-asg through its launch template's user
// data; other-asg joins other, a cluster not asked about. newWorld adds
// api2-asg, launching from api-asg's template, and lc-asg, whose launch
// configuration's user data names api.
const worldYAML = `
name: membership
clusters: [{name: web}, {name: api}, {name: other}]
groups:
  - {name: web-asg, cluster: web, min: 0, max: 2, desired: 1, capacityProvider: {name: web-cp, managedDraining: true}}
  - {name: api-asg, cluster: api, min: 0, max: 2, desired: 1}
  - {name: other-asg, cluster: other, min: 0, max: 2, desired: 1}
`

func newWorld(t *testing.T) (*emulator.World, *cloudaws.Client) {
	t.Helper()
	sc, err := scenario.ParseYAML([]byte(worldYAML))
	if err != nil {
		t.Fatal(err)
	}
	run, err := scenario.NewWorld(sc, emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if errs := run.Errors(); len(errs) > 0 {
		t.Fatalf("scenario: %v", errs)
	}
	w := run.World
	ptr := func(n int32) *int32 { return &n }
	if _, err := emulator.Invoke(w, "test", w.AutoScaling.CreateLaunchConfiguration, autoscaling.CreateLaunchConfigurationInput{
		LaunchConfigurationName: "api-lc", ImageId: scenario.DefaultImageID, InstanceType: scenario.DefaultInstanceType,
		UserData: base64.StdEncoding.EncodeToString([]byte(scenario.UserData("api", false, 0))),
	}); err != nil {
		t.Fatal(err)
	}
	for _, in := range []autoscaling.CreateAutoScalingGroupInput{
		{AutoScalingGroupName: "lc-asg", LaunchConfigurationName: "api-lc"},
		{AutoScalingGroupName: "api2-asg", LaunchTemplate: &autoscaling.LaunchTemplateSpecification{LaunchTemplateName: "api-asg-template", Version: "$Latest"}},
	} {
		in.MinSize, in.MaxSize, in.DesiredCapacity, in.AvailabilityZones = ptr(0), ptr(1), ptr(0), []string{"us-east-1a"}
		if _, err := emulator.Invoke(w, "test", w.AutoScaling.CreateAutoScalingGroup, in); err != nil {
			t.Fatal(err)
		}
	}
	return w, cloudaws.NewFromConfig(sim.ClientOptions(w, sim.Caller, 1))
}

// find runs membership.Find as a goroutine of the world's clock.
func find(t *testing.T, w *emulator.World, c *cloudaws.Client, clusters ...string) (m membership.Membership, err error) {
	t.Helper()
	if !w.Clock.Call(t.Context(), w.Now().Add(time.Hour), func(ctx context.Context) {
		m, err = membership.Find(ctx, c, clusters)
	}) {
		t.Fatal("membership.Find did not return within a virtual hour")
	}
	return m, err
}

// joins renders m's joins one a line: "GROUP: REASON".
func joins(m membership.Membership) string {
	var b strings.Builder
	for _, j := range m.Joins {
		fmt.Fprintf(&b, "%s: %s\n", j.Group, j)
	}
	return b.String()
}

// TestFindEmulator finds the groups of web and api through the SDK, before
// any instance registered (user data and capacity providers only) and
// after; other's group is not theirs.
func TestFindEmulator(t *testing.T) {
	w, c := newWorld(t)
	var templateReads int
	w.Do(func() {
		w.Calls.OnCall(func(call emulator.Call) {
			if call.Caller == sim.Caller && call.Operation == "DescribeLaunchTemplateVersions" {
				templateReads++
			}
		})
	})
	m, err := find(t, w, c, "web", "api")
	if err != nil {
		t.Fatal(err)
	}
	want := `api-asg: the user data of launch template api-asg-template version $Latest names cluster api
api2-asg: the user data of launch template api-asg-template version $Latest names cluster api
lc-asg: the user data of launch configuration api-lc names cluster api
web-asg: capacity provider web-cp of cluster web
web-asg: the user data of launch template web-asg-template version $Latest names cluster web
`
	if got := joins(m); got != want {
		t.Errorf("before registration, joins:\n%s\nwant:\n%s", got, want)
	}
	if j := m.JoinsOf("web-asg")[0]; j.Via != membership.ViaCapacityProvider || j.Source != "web-cp" || !j.ManagedDraining || j.Cluster != "web" {
		t.Errorf("web-asg's capacity provider join %+v", j)
	}
	if templateReads != 3 {
		t.Errorf("%d DescribeLaunchTemplateVersions, want 3 (one per template version: api2-asg shares api-asg's)", templateReads)
	}
	if got := m.GroupsOf("api"); strings.Join(got, " ") != "api-asg api2-asg lc-asg" {
		t.Errorf("GroupsOf(api) = %v", got)
	}
	var joining []string
	for _, g := range m.Joining() {
		joining = append(joining, g.Name)
	}
	if strings.Join(joining, " ") != "api-asg api2-asg lc-asg web-asg" || len(m.Groups) != 5 {
		t.Errorf("Joining() = %v of %d groups; want every group but other-asg, of 5", joining, len(m.Groups))
	}
	if len(m.Registered["web"])+len(m.Registered["api"]) != 0 {
		t.Errorf("container instances before any booted: %v", m.Registered)
	}

	w.Clock.RunFor(5 * time.Minute) // the instances boot and register
	if m, err = find(t, w, c, "web", "api"); err != nil {
		t.Fatal(err)
	}
	got := joins(m)
	for _, want := range []string{"api-asg: its instances are registered in cluster api\n", "web-asg: its instances are registered in cluster web\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("after registration, no %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "other") || len(m.Registered["api"]) != 1 || len(m.Registered["web"]) != 1 {
		t.Errorf("after registration: joins\n%s\nregistered %v", got, m.Registered)
	}
}

// TestFindEmulatorUnknownCluster: a cluster ECS does not know is an error
// naming it, with nothing found.
func TestFindEmulatorUnknownCluster(t *testing.T) {
	w, c := newWorld(t)
	m, err := find(t, w, c, "web", "nope")
	if err == nil || !strings.Contains(err.Error(), "cluster nope: capacity providers") || m.Joins != nil {
		t.Errorf("Find(web, nope) = %+v, %v; want nothing and cluster nope's error", m, err)
	}
	if m, err := find(t, w, c); err != nil || len(m.Joins) != 0 {
		t.Errorf("Find() = %+v, %v; want nothing", m, err)
	}
}

// userData is a Reader of groups and user data alone: no cluster has a
// capacity provider or a container instance. A template or configuration
// missing from it does not exist; one in failing cannot be read.
type userData struct {
	groups  []cloud.Group
	data    map[string]string
	failing map[string]bool
}

func (u userData) CapacityProviders(context.Context, string) ([]cloud.CapacityProvider, error) {
	return nil, nil
}

func (u userData) ListContainerInstances(context.Context, string, cloud.ContainerInstanceStatus) ([]cloud.ContainerInstance, error) {
	return nil, nil
}

func (u userData) DescribeGroups(context.Context, []string) ([]cloud.Group, error) {
	return u.groups, nil
}

func (u userData) DescribeGroupInstances(context.Context, []string) ([]cloud.GroupInstance, error) {
	return nil, nil
}

func (u userData) LaunchTemplateUserData(_ context.Context, t cloud.LaunchTemplateRef) (string, error) {
	return u.read(t.Name + t.ID)
}

func (u userData) LaunchConfigurationUserData(_ context.Context, name string) (string, error) {
	return u.read(name)
}

func (u userData) read(name string) (string, error) {
	if u.failing[name] {
		return "", errors.New("throttled for good")
	}
	d, ok := u.data[name]
	if !ok {
		return "", fmt.Errorf("%s: %w", name, cloud.ErrNotFound)
	}
	return d, nil
}

// TestFindUserData: what user data says, when it says nothing, names a
// cluster by ARN, or belongs to a template gone since; and an error
// reading it.
func TestFindUserData(t *testing.T) {
	r := userData{
		groups: []cloud.Group{
			{Name: "gone", LaunchConfiguration: "deleted-lc"},
			{Name: "silent", LaunchTemplates: []cloud.LaunchTemplateRef{{ID: "lt-0silent", Version: "$Default"}}},
			{Name: "by-arn", LaunchTemplates: []cloud.LaunchTemplateRef{{Name: "arn-lt", Version: "3"}}},
			{Name: "elsewhere", LaunchConfiguration: "other-lc"},
		},
		data: map[string]string{
			"lt-0silent": "#!/bin/bash\necho hello\n",
			"arn-lt":     "#!/bin/bash\necho ECS_CLUSTER=arn:aws:ecs:us-east-1:123456789012:cluster/web >> /etc/ecs/ecs.config\n",
			"other-lc":   "#!/bin/bash\necho ECS_CLUSTER=other >> /etc/ecs/ecs.config\n",
		},
	}
	m, err := membership.Find(t.Context(), r, []string{"web"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := joins(m), "by-arn: the user data of launch template arn-lt version 3 names cluster web\n"; got != want {
		t.Errorf("joins:\n%s\nwant:\n%s", got, want)
	}
	r.failing = map[string]bool{"lt-0silent": true}
	_, err = membership.Find(t.Context(), r, []string{"web"})
	if err == nil || !strings.Contains(err.Error(), "group silent: user data of launch template lt-0silent: throttled for good") {
		t.Errorf("error %v, want group silent's, naming its template", err)
	}
}

// The cluster user data joins is compared by name, whether ECS_CLUSTER or
// the served clusters give a name or an ARN; the served cluster comes back
// as given; user data naming none, or another cluster, joins none.
func TestJoinedCluster(t *testing.T) {
	const webARN = "arn:aws:ecs:us-east-1:123456789012:cluster/web"
	byName := []string{"api", "web"}
	byARN := []string{"arn:aws:ecs:us-east-1:123456789012:cluster/api", webARN}
	tests := []struct {
		name     string
		userData string
		clusters []string
		want     string
		ok       bool
	}{
		{"name, served by name", "echo ECS_CLUSTER=web >> /etc/ecs/ecs.config", byName, "web", true},
		{"ARN, served by name", "echo ECS_CLUSTER=" + webARN + " >> /etc/ecs/ecs.config", byName, "web", true},
		{"name, served by ARN", "echo ECS_CLUSTER=web >> /etc/ecs/ecs.config", byARN, webARN, true},
		{"ARN, served by ARN", "ECS_CLUSTER=" + webARN, byARN, webARN, true},
		{"the last assignment wins", "ECS_CLUSTER=web\nECS_CLUSTER=batch", byName, "", false},
		{"another cluster", "ECS_CLUSTER=batch", byName, "", false},
		{"a name that only ends like one", "ECS_CLUSTER=xweb", byName, "", false},
		{"no ECS_CLUSTER: not assumed to be default", "#!/bin/bash\nyum install -y nginx", []string{"default"}, "", false},
		{"an empty value", "ECS_CLUSTER=", byName, "", false},
		{"no served cluster", "ECS_CLUSTER=web", nil, "", false},
	}
	for _, tt := range tests {
		got, ok := membership.JoinedCluster(tt.userData, tt.clusters)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: JoinedCluster = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// TestUserDataJoins: one group's joins through its user data, each
// template version and its configuration, for clusters given by ARN (as
// drainer run lists them when it serves every cluster); a template gone
// since is passed over; an error names the group.
func TestUserDataJoins(t *testing.T) {
	const apiARN = "arn:aws:ecs:us-east-1:123456789012:cluster/api"
	r := userData{data: map[string]string{
		"api-lt":  "#!/bin/bash\necho ECS_CLUSTER=api >> /etc/ecs/ecs.config\n",
		"api-lc":  "#!/bin/bash\necho ECS_CLUSTER=" + apiARN + " >> /etc/ecs/ecs.config\n",
		"web-lt":  "#!/bin/bash\necho ECS_CLUSTER=web >> /etc/ecs/ecs.config\n",
		"bare-lt": "#!/bin/bash\necho hello\n",
	}}
	g := cloud.Group{Name: "api-asg", LaunchConfiguration: "api-lc", LaunchTemplates: []cloud.LaunchTemplateRef{
		{Name: "bare-lt", Version: "$Default"}, {Name: "gone-lt"}, {Name: "web-lt", Version: "$Latest"}, {Name: "api-lt", Version: "4"},
	}}
	got, err := membership.UserDataJoins(t.Context(), r, g, []string{apiARN, "arn:aws:ecs:us-east-1:123456789012:cluster/batch"})
	if err != nil {
		t.Fatal(err)
	}
	want := []membership.Join{
		{Group: "api-asg", Cluster: apiARN, Via: membership.ViaLaunchTemplate, Source: "api-lt version 4"},
		{Group: "api-asg", Cluster: apiARN, Via: membership.ViaLaunchConfiguration, Source: "api-lc"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("UserDataJoins = %+v\nwant %+v", got, want)
	}
	if got, err := membership.UserDataJoins(t.Context(), r, g, []string{"batch"}); err != nil || len(got) != 0 {
		t.Errorf("for batch: %+v, %v; want none", got, err)
	}
	r.failing = map[string]bool{"api-lc": true}
	if _, err := membership.UserDataJoins(t.Context(), r, g, []string{"api"}); err == nil || !strings.Contains(err.Error(), "group api-asg: user data of launch configuration api-lc: throttled for good") {
		t.Errorf("error %v, want api-asg's, naming its configuration", err)
	}
}
