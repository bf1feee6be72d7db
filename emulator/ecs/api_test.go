package ecs

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

func TestUnknownClusterEverywhere(t *testing.T) {
	w := newWorld(t, Options{})
	ops := map[string]func() error{
		"ListContainerInstances": func() error {
			_, err := w.ecs.ListContainerInstances(ListContainerInstancesInput{Cluster: "nope"})
			return err
		},
		"DescribeContainerInstances": func() error {
			_, err := w.ecs.DescribeContainerInstances(DescribeContainerInstancesInput{Cluster: "nope"})
			return err
		},
		"UpdateContainerInstances": func() error {
			_, err := w.ecs.UpdateContainerInstancesState(UpdateContainerInstancesStateInput{Cluster: "nope"})
			return err
		},
		"DeregisterContainerInstance": func() error {
			_, err := w.ecs.DeregisterContainerInstance(DeregisterContainerInstanceInput{Cluster: "nope"})
			return err
		},
		"PutAttributes":  func() error { _, err := w.ecs.PutAttributes(PutAttributesInput{Cluster: "nope"}); return err },
		"ListAttributes": func() error { _, err := w.ecs.ListAttributes(ListAttributesInput{Cluster: "nope"}); return err },
		"RunTask":        func() error { _, err := w.ecs.RunTask(RunTaskInput{Cluster: "nope"}); return err },
		"StopTask":       func() error { _, err := w.ecs.StopTask(StopTaskInput{Cluster: "nope"}); return err },
		"ListTasks":      func() error { _, err := w.ecs.ListTasks(ListTasksInput{}); return err }, // "default" does not exist
		"DescribeTasks": func() error {
			_, err := w.ecs.DescribeTasks(DescribeTasksInput{Cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/nope"})
			return err
		},
		"CreateService":    func() error { _, err := w.ecs.CreateService(CreateServiceInput{Cluster: "nope"}); return err },
		"DescribeServices": func() error { _, err := w.ecs.DescribeServices(DescribeServicesInput{Cluster: "nope"}); return err },
		"ListServices":     func() error { _, err := w.ecs.ListServices(ListServicesInput{Cluster: "nope"}); return err },
		"PutClusterCapacityProviders": func() error {
			_, err := w.ecs.PutClusterCapacityProviders(PutClusterCapacityProvidersInput{Cluster: "nope"})
			return err
		},
	}
	for name, op := range ops {
		var err error
		w.do(func() { err = op() })
		wantCode(t, err, "ClusterNotFoundException")
		if err.(*core.Error).Message != "Cluster not found." {
			t.Fatalf("%s: message %q", name, err.(*core.Error).Message)
		}
	}
}

func TestClusters(t *testing.T) {
	w := newWorld(t, Options{})
	w.host("i-a1", "us-east-1a", 2, 4096)
	w.do(func() {
		again, err := w.ecs.CreateCluster(CreateClusterInput{ClusterName: "web"})
		if err != nil || again.Cluster.RegisteredContainerInstancesCount != 1 {
			t.Fatalf("idempotent CreateCluster: %v %+v", err, again)
		}
		_, err = w.ecs.CreateCluster(CreateClusterInput{ClusterName: "bad name"})
		wantCode(t, err, "InvalidParameterException")
		def, _ := w.ecs.CreateCluster(CreateClusterInput{})
		if def.Cluster.ClusterName != "default" {
			t.Fatalf("default name %q", def.Cluster.ClusterName)
		}
		out, _ := w.ecs.DescribeClusters(DescribeClustersInput{Clusters: []string{"web", "ghost"}})
		if len(out.Clusters) != 1 || len(out.Failures) != 1 || out.Failures[0].Reason != "MISSING" ||
			out.Failures[0].Arn != "arn:aws:ecs:us-east-1:123456789012:cluster/ghost" {
			t.Fatalf("DescribeClusters %+v", out)
		}
		l1, _ := w.ecs.ListClusters(ListClustersInput{MaxResults: i32(1)})
		l2, _ := w.ecs.ListClusters(ListClustersInput{MaxResults: i32(1), NextToken: l1.NextToken})
		if len(l1.ClusterArns) != 1 || l1.NextToken == "" || len(l2.ClusterArns) != 1 || l2.NextToken != "" || l2.ClusterArns[0] != def.Cluster.ClusterArn {
			t.Fatalf("pagination %+v %+v", l1, l2)
		}
		_, err = w.ecs.ListClusters(ListClustersInput{NextToken: "garbage"})
		wantCode(t, err, "InvalidParameterException")
	})
	td := w.taskdef("app", 256, 512, Timings{})
	runOne(t, w, td)
	w.run(time.Second)
	w.do(func() {
		out, _ := w.ecs.DescribeClusters(DescribeClustersInput{Clusters: []string{"web"}})
		if c := out.Clusters[0]; c.PendingTasksCount != 1 || c.RunningTasksCount != 0 {
			t.Fatalf("counts %+v", c)
		}
	})
	w.run(time.Minute)
	w.do(func() {
		out, _ := w.ecs.DescribeClusters(DescribeClustersInput{Clusters: []string{"web"}})
		if c := out.Clusters[0]; c.PendingTasksCount != 0 || c.RunningTasksCount != 1 {
			t.Fatalf("counts %+v", c)
		}
	})
}

func TestContainerInstanceAPIErrorsAndFilters(t *testing.T) {
	w := newWorld(t, Options{})
	a1 := w.host("i-a1", "us-east-1a", 2, 4096)
	b1 := w.host("i-b1", "us-east-1b", 2, 4096)
	w.do(func() {
		many := make([]string, 11)
		for i := range many {
			many[i] = a1.id
		}
		_, err := w.ecs.UpdateContainerInstancesState(UpdateContainerInstancesStateInput{Cluster: "web", ContainerInstances: many, Status: "DRAINING"})
		wantCode(t, err, "InvalidParameterException")
		_, err = w.ecs.UpdateContainerInstancesState(UpdateContainerInstancesStateInput{Cluster: "web", ContainerInstances: []string{a1.id}, Status: "INACTIVE"})
		wantCode(t, err, "InvalidParameterException")
		_, err = w.ecs.UpdateContainerInstancesState(UpdateContainerInstancesStateInput{Cluster: "web", Status: "DRAINING"})
		wantCode(t, err, "InvalidParameterException")

		out, err := w.ecs.UpdateContainerInstancesState(UpdateContainerInstancesStateInput{Cluster: "web", ContainerInstances: []string{a1.id, "0123456789abcdef0123456789abcdef"}, Status: "DRAINING"})
		if err != nil || len(out.ContainerInstances) != 1 || out.ContainerInstances[0].Status != "DRAINING" ||
			len(out.Failures) != 1 || out.Failures[0].Reason != "MISSING" || !strings.HasSuffix(out.Failures[0].Arn, "container-instance/web/0123456789abcdef0123456789abcdef") {
			t.Fatalf("UpdateContainerInstancesState %v %+v", err, out)
		}
		w.ecs.DeregisterContainerInstance(DeregisterContainerInstanceInput{Cluster: "web", ContainerInstance: b1.id})
		out, _ = w.ecs.UpdateContainerInstancesState(UpdateContainerInstancesStateInput{Cluster: "web", ContainerInstances: []string{b1.ContainerInstanceArn}, Status: "DRAINING"})
		if len(out.Failures) != 1 || out.Failures[0].Reason != "INACTIVE" {
			t.Fatalf("INACTIVE instance: %+v", out)
		}

		_, err = w.ecs.DeregisterContainerInstance(DeregisterContainerInstanceInput{Cluster: "web", ContainerInstance: "ffff"})
		wantCode(t, err, "InvalidParameterException")

		ls, _ := w.ecs.ListContainerInstances(ListContainerInstancesInput{Cluster: "web", Filter: "ec2InstanceId == i-a1"})
		if len(ls.ContainerInstanceArns) != 1 || ls.ContainerInstanceArns[0] != a1.ContainerInstanceArn {
			t.Fatalf("filter by ec2InstanceId: %+v", ls)
		}
		ls, _ = w.ecs.ListContainerInstances(ListContainerInstancesInput{Cluster: "web"})
		if len(ls.ContainerInstanceArns) != 1 {
			t.Fatalf("default list excludes INACTIVE: %+v", ls)
		}
		ls, _ = w.ecs.ListContainerInstances(ListContainerInstancesInput{Cluster: "web", Status: "INACTIVE"})
		if len(ls.ContainerInstanceArns) != 1 || ls.ContainerInstanceArns[0] != b1.ContainerInstanceArn {
			t.Fatalf("INACTIVE list: %+v", ls)
		}
		ls, _ = w.ecs.ListContainerInstances(ListContainerInstancesInput{Cluster: "web", Filter: "attribute:ecs.availability-zone == us-east-1a and runningTasksCount == 0"})
		if len(ls.ContainerInstanceArns) != 1 {
			t.Fatalf("attribute filter: %+v", ls)
		}
		for _, bad := range []string{"task:groups == x", "ec2InstanceId ~= i-a1", "attribute:x"} {
			_, err = w.ecs.ListContainerInstances(ListContainerInstancesInput{Cluster: "web", Filter: bad})
			wantCode(t, err, "InvalidParameterException")
		}
		_, err = w.ecs.ListContainerInstances(ListContainerInstancesInput{Cluster: "web", MaxResults: i32(101)})
		wantCode(t, err, "InvalidParameterException")
		_, err = w.ecs.ListContainerInstances(ListContainerInstancesInput{Cluster: "web", Status: "BOGUS"})
		wantCode(t, err, "InvalidParameterException")

		many = make([]string, 101)
		_, err = w.ecs.DescribeContainerInstances(DescribeContainerInstancesInput{Cluster: "web", ContainerInstances: many})
		wantCode(t, err, "InvalidParameterException")
		d, _ := w.ecs.DescribeContainerInstances(DescribeContainerInstancesInput{Cluster: "web", ContainerInstances: []string{a1.id, "nope"}})
		if len(d.ContainerInstances) != 1 || d.Failures[0].Reason != "MISSING" || d.ContainerInstances[0].Ec2InstanceId != "i-a1" {
			t.Fatalf("describe %+v", d)
		}
		// Back to ACTIVE.
		out, _ = w.ecs.UpdateContainerInstancesState(UpdateContainerInstancesStateInput{Cluster: "web", ContainerInstances: []string{a1.id}, Status: "ACTIVE"})
		if out.ContainerInstances[0].Status != "ACTIVE" || !a1.inPool {
			t.Fatalf("reactivated %+v", out)
		}
	})
}

func TestAttributes(t *testing.T) {
	w := newWorld(t, Options{})
	a1 := w.host("i-a1", "us-east-1a", 2, 4096)
	put := func(attrs ...Attribute) error {
		var err error
		w.do(func() { _, err = w.ecs.PutAttributes(PutAttributesInput{Cluster: "web", Attributes: attrs}) })
		return err
	}
	at := func(name, value string) Attribute {
		return Attribute{Name: name, Value: str(value), TargetType: "container-instance", TargetId: a1.id}
	}
	if err := put(at("drainer.state", "draining"), at("drainer.deadline", "2026-11-22T12:00:00Z")); err != nil {
		t.Fatal(err)
	}
	if err := put(at("drainer.state", "released")); err != nil {
		t.Fatal(err)
	}
	if v, _ := a1.attr("drainer.state"); v != "released" {
		t.Fatalf("update in place: %q", v)
	}
	for _, tc := range []struct {
		name  string
		attrs []Attribute
		code  string
	}{
		{"bad name", []Attribute{at("bad name!", "x")}, "InvalidParameterException"},
		{"long value", []Attribute{at("x", strings.Repeat("v", 129))}, "InvalidParameterException"},
		{"value edge space", []Attribute{at("x", " v")}, "InvalidParameterException"},
		{"bad target type", []Attribute{{Name: "x", TargetType: "task", TargetId: a1.id}}, "InvalidParameterException"},
		{"unknown target", []Attribute{{Name: "x", TargetType: "container-instance", TargetId: "ffff"}}, "TargetNotFoundException"},
		{"empty", nil, "InvalidParameterException"},
		{"eleven in a call", func() []Attribute {
			var a []Attribute
			for i := range 11 {
				a = append(a, at(fmt.Sprintf("k%d", i), "v"))
			}
			return a
		}(), "AttributeLimitExceededException"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, put(tc.attrs...), tc.code) })
	}
	if err := put(at("ok", strings.Repeat("v", 128))); err != nil {
		t.Fatalf("128-character value: %v", err)
	}
	// 3 custom so far; 7 more fit, the 11th does not.
	for i := range 7 {
		if err := put(at(fmt.Sprintf("k%d", i), "v")); err != nil {
			t.Fatalf("custom attribute %d: %v", i+4, err)
		}
	}
	wantCode(t, put(at("one-too-many", "v")), "AttributeLimitExceededException")
	if err := put(at("k0", "updated")); err != nil {
		t.Fatalf("updating at the limit: %v", err)
	}
	w.do(func() {
		l, err := w.ecs.ListAttributes(ListAttributesInput{Cluster: "web", TargetType: "container-instance", AttributeName: "drainer.state", AttributeValue: "released"})
		if err != nil || len(l.Attributes) != 1 || l.Attributes[0].TargetId != a1.ContainerInstanceArn {
			t.Fatalf("ListAttributes %v %+v", err, l)
		}
		p1, _ := w.ecs.ListAttributes(ListAttributesInput{Cluster: "web", TargetType: "container-instance", MaxResults: i32(10)})
		p2, _ := w.ecs.ListAttributes(ListAttributesInput{Cluster: "web", TargetType: "container-instance", MaxResults: i32(10), NextToken: p1.NextToken})
		if len(p1.Attributes) != 10 || len(p2.Attributes) != 5 || p2.NextToken != "" {
			t.Fatalf("pages %d + %d (next %q), want 15 attributes (5 agent + 10 custom)", len(p1.Attributes), len(p2.Attributes), p2.NextToken)
		}
		_, err = w.ecs.ListAttributes(ListAttributesInput{Cluster: "web", TargetType: "container-instance", AttributeValue: "x"})
		wantCode(t, err, "InvalidParameterException")
		_, err = w.ecs.ListAttributes(ListAttributesInput{Cluster: "web"})
		wantCode(t, err, "InvalidParameterException")
		d, err := w.ecs.DeleteAttributes(DeleteAttributesInput{Cluster: "web", Attributes: []Attribute{{Name: "drainer.state", TargetId: a1.ContainerInstanceArn}}})
		if err != nil || len(d.Attributes) != 1 {
			t.Fatalf("DeleteAttributes %v", err)
		}
		_, err = w.ecs.DeleteAttributes(DeleteAttributesInput{Cluster: "web", Attributes: []Attribute{{Name: "x", TargetType: "container-instance", TargetId: "nope"}}})
		wantCode(t, err, "TargetNotFoundException")
	})
	if _, ok := a1.attr("drainer.state"); ok {
		t.Fatal("attribute not deleted")
	}
	if err := put(at("room-again", "v")); err != nil {
		t.Fatalf("after delete there is room: %v", err)
	}
}

func TestTaskDefinitionValidation(t *testing.T) {
	w := newWorld(t, Options{})
	c := func(mod func(*ContainerDefinition)) []ContainerDefinition {
		cd := ContainerDefinition{Name: "app", Image: "nginx", Memory: i32(128)}
		mod(&cd)
		return []ContainerDefinition{cd}
	}
	for _, tc := range []struct {
		name string
		in   RegisterTaskDefinitionInput
		code string
	}{
		{"no family", RegisterTaskDefinitionInput{ContainerDefinitions: c(func(*ContainerDefinition) {})}, "ClientException"},
		{"bad family", RegisterTaskDefinitionInput{Family: "a b", ContainerDefinitions: c(func(*ContainerDefinition) {})}, "ClientException"},
		{"no containers", RegisterTaskDefinitionInput{Family: "f"}, "ClientException"},
		{"no memory", RegisterTaskDefinitionInput{Family: "f", ContainerDefinitions: c(func(cd *ContainerDefinition) { cd.Memory = nil })}, "ClientException"},
		{"reservation above memory", RegisterTaskDefinitionInput{Family: "f", ContainerDefinitions: c(func(cd *ContainerDefinition) { cd.MemoryReservation = i32(256) })}, "ClientException"},
		{"stopTimeout 121", RegisterTaskDefinitionInput{Family: "f", ContainerDefinitions: c(func(cd *ContainerDefinition) { cd.StopTimeout = i32(121) })}, "ClientException"},
		{"no image", RegisterTaskDefinitionInput{Family: "f", ContainerDefinitions: c(func(cd *ContainerDefinition) { cd.Image = "" })}, "ClientException"},
		{"no name", RegisterTaskDefinitionInput{Family: "f", ContainerDefinitions: c(func(cd *ContainerDefinition) { cd.Name = "" })}, "ClientException"},
		{"bad network mode", RegisterTaskDefinitionInput{Family: "f", NetworkMode: "nat", ContainerDefinitions: c(func(*ContainerDefinition) {})}, "InvalidParameterException"},
		{"bad label", RegisterTaskDefinitionInput{Family: "f", ContainerDefinitions: c(func(cd *ContainerDefinition) { cd.DockerLabels = map[string]string{LabelStart: "soon"} })}, "InvalidParameterException"},
		{"bad task cpu", RegisterTaskDefinitionInput{Family: "f", Cpu: "lots", ContainerDefinitions: c(func(*ContainerDefinition) {})}, "ClientException"},
		{"none essential", RegisterTaskDefinitionInput{Family: "f", ContainerDefinitions: c(func(cd *ContainerDefinition) { cd.Essential = boolp(false) })}, "ClientException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			w.do(func() { _, err = w.ecs.RegisterTaskDefinition(tc.in) })
			wantCode(t, err, tc.code)
		})
	}
	w.do(func() {
		for rev := 1; rev <= 2; rev++ {
			out, err := w.ecs.RegisterTaskDefinition(RegisterTaskDefinitionInput{Family: "f", Memory: "1 GB", ContainerDefinitions: c(func(cd *ContainerDefinition) { cd.Memory = nil })})
			if err != nil || out.TaskDefinition.Revision != int32(rev) || !strings.HasSuffix(out.TaskDefinition.TaskDefinitionArn, fmt.Sprintf("task-definition/f:%d", rev)) {
				t.Fatalf("revision %d: %v %+v", rev, err, out)
			}
			if out.TaskDefinition.mem != 1024 {
				t.Fatalf("task memory %d", out.TaskDefinition.mem)
			}
		}
		for _, ref := range []string{"f", "f:2", "arn:aws:ecs:us-east-1:123456789012:task-definition/f:2"} {
			out, err := w.ecs.DescribeTaskDefinition(DescribeTaskDefinitionInput{TaskDefinition: ref})
			if err != nil || out.TaskDefinition.Revision != 2 {
				t.Fatalf("describe %s: %v", ref, err)
			}
		}
		_, err := w.ecs.DescribeTaskDefinition(DescribeTaskDefinitionInput{TaskDefinition: "f:3"})
		wantCode(t, err, "ClientException")
	})
}

func TestTaskAndServiceAPIErrors(t *testing.T) {
	w := newWorld(t, Options{})
	a1 := w.host("i-a1", "us-east-1a", 2, 4096)
	td := w.taskdef("app", 256, 512, Timings{})
	w.service(CreateServiceInput{ServiceName: "api", TaskDefinition: td, DesiredCount: i32(1)})
	w.run(time.Minute)
	w.do(func() {
		_, err := w.ecs.DescribeTasks(DescribeTasksInput{Cluster: "web", Tasks: make([]string, 101)})
		wantCode(t, err, "InvalidParameterException")
		_, err = w.ecs.DescribeTasks(DescribeTasksInput{Cluster: "web"})
		wantCode(t, err, "InvalidParameterException")
		_, err = w.ecs.StopTask(StopTaskInput{Cluster: "web", Task: "0123"})
		wantCode(t, err, "InvalidParameterException")
		if err.(*core.Error).Message != "The referenced task was not found." {
			t.Fatalf("message %q", err.(*core.Error).Message)
		}
		for _, n := range []int32{0, 11} {
			_, err = w.ecs.RunTask(RunTaskInput{Cluster: "web", TaskDefinition: td, Count: i32(n)})
			wantCode(t, err, "InvalidParameterException")
		}
		_, err = w.ecs.RunTask(RunTaskInput{Cluster: "web", TaskDefinition: "ghost"})
		wantCode(t, err, "InvalidParameterException")
		_, err = w.ecs.CreateService(CreateServiceInput{Cluster: "web", ServiceName: "api", TaskDefinition: td, DesiredCount: i32(1)})
		wantCode(t, err, "InvalidParameterException")
		if err.(*core.Error).Message != "Creation of service was not idempotent." {
			t.Fatalf("message %q", err.(*core.Error).Message)
		}
		for _, bad := range []CreateServiceInput{
			{Cluster: "web", ServiceName: "x", TaskDefinition: td, DesiredCount: i32(-1)},
			{Cluster: "web", ServiceName: "x", TaskDefinition: td, LaunchType: "EC2", CapacityProviderStrategy: []CapacityProviderStrategyItem{{CapacityProvider: "cp"}}},
			{Cluster: "web", ServiceName: "x", TaskDefinition: td, DeploymentConfiguration: &DeploymentConfiguration{MinimumHealthyPercent: i32(101)}},
			{Cluster: "web", ServiceName: "x", TaskDefinition: td, DeploymentConfiguration: &DeploymentConfiguration{MaximumPercent: i32(50)}},
			{Cluster: "web", ServiceName: "x", TaskDefinition: td, PlacementStrategy: []PlacementStrategy{{Type: "binpack", Field: "disk"}}},
			{Cluster: "web", ServiceName: "x", TaskDefinition: td, SchedulingStrategy: "DAEMON", PlacementStrategy: []PlacementStrategy{{Type: "random"}}},
			{Cluster: "web", ServiceName: "x", TaskDefinition: td, LoadBalancers: []LoadBalancer{{TargetGroupArn: "tg", ContainerName: "nope", ContainerPort: i32(80)}}},
			{Cluster: "web", ServiceName: "x"},
		} {
			_, err = w.ecs.CreateService(bad)
			wantCode(t, err, "InvalidParameterException")
		}
		_, err = w.ecs.UpdateService(UpdateServiceInput{Cluster: "web", Service: "ghost"})
		wantCode(t, err, "ServiceNotFoundException")
		_, err = w.ecs.DescribeServices(DescribeServicesInput{Cluster: "web", Services: make([]string, 11)})
		wantCode(t, err, "InvalidParameterException")
		ds, _ := w.ecs.DescribeServices(DescribeServicesInput{Cluster: "web", Services: []string{"api", "ghost"}})
		if len(ds.Services) != 1 || ds.Failures[0].Reason != "MISSING" || ds.Services[0].RunningCount != 1 {
			t.Fatalf("DescribeServices %+v", ds)
		}
		if msg := ds.Services[0].Events[len(ds.Services[0].Events)-1].Message; !strings.HasPrefix(msg, "(service api) has started 1 tasks: (task ") {
			t.Fatalf("oldest event %q", msg)
		}
		ls, _ := w.ecs.ListServices(ListServicesInput{Cluster: "web"})
		if len(ls.ServiceArns) != 1 || ls.ServiceArns[0] != "arn:aws:ecs:us-east-1:123456789012:service/web/api" {
			t.Fatalf("ListServices %+v", ls)
		}
		_, err = w.ecs.ListTasks(ListTasksInput{Cluster: "web", DesiredStatus: "DEAD"})
		wantCode(t, err, "InvalidParameterException")
		_, err = w.ecs.ListTasks(ListTasksInput{Cluster: "web", ServiceName: "ghost"})
		wantCode(t, err, "ServiceNotFoundException")
		_, err = w.ecs.StartTask(StartTaskInput{Cluster: "web", TaskDefinition: td, ContainerInstances: make([]string, 11)})
		wantCode(t, err, "InvalidParameterException")
		st, _ := w.ecs.StartTask(StartTaskInput{Cluster: "web", TaskDefinition: td, ContainerInstances: []string{a1.id, "ghost"}})
		if len(st.Tasks) != 1 || st.Failures[0].Reason != "MISSING" {
			t.Fatalf("StartTask %+v", st)
		}
	})
}

func TestListTasksShowsStoppingOnlyUnderStopped(t *testing.T) {
	w := newWorld(t, Options{})
	a1 := w.host("i-a1", "us-east-1a", 2, 4096)
	td := w.taskdef("app", 256, 512, Timings{Stop: time.Minute})
	var tasks []*Task
	for range 3 {
		tasks = append(tasks, runOne(t, w, td))
	}
	w.run(time.Minute)
	w.do(func() { w.ecs.StopTask(StopTaskInput{Cluster: "web", Task: tasks[0].TaskArn}) })
	w.run(10 * time.Second)
	w.do(func() {
		run, _ := w.ecs.ListTasks(ListTasksInput{Cluster: "web", ContainerInstance: a1.id})
		stop, _ := w.ecs.ListTasks(ListTasksInput{Cluster: "web", ContainerInstance: a1.ContainerInstanceArn, DesiredStatus: "STOPPED"})
		if len(run.TaskArns) != 2 || len(stop.TaskArns) != 1 || stop.TaskArns[0] != tasks[0].TaskArn {
			t.Fatalf("RUNNING %v STOPPED %v", run.TaskArns, stop.TaskArns)
		}
		if tasks[0].LastStatus != StatusStopping {
			t.Fatalf("stopping task is %s", tasks[0].LastStatus)
		}
		p1, _ := w.ecs.ListTasks(ListTasksInput{Cluster: "web", MaxResults: i32(1), Family: "app"})
		p2, _ := w.ecs.ListTasks(ListTasksInput{Cluster: "web", MaxResults: i32(1), Family: "app", NextToken: p1.NextToken})
		if p1.TaskArns[0] != tasks[1].TaskArn || p2.TaskArns[0] != tasks[2].TaskArn || p2.NextToken != "" {
			t.Fatalf("pages %v %v", p1, p2)
		}
	})
}

func TestCapacityProviders(t *testing.T) {
	w := newWorld(t, Options{})
	asg := "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0f1e:autoScalingGroupName/web-asg"
	w.do(func() {
		out, err := w.ecs.CreateCapacityProvider(CreateCapacityProviderInput{Name: "web-cp", AutoScalingGroupProvider: &AutoScalingGroupProvider{
			AutoScalingGroupArn: asg, ManagedTerminationProtection: "ENABLED", ManagedScaling: &ManagedScaling{Status: "ENABLED", TargetCapacity: i32(90)}}})
		if err != nil || out.CapacityProvider.AutoScalingGroupProvider.ManagedDraining != "ENABLED" {
			t.Fatalf("create: %v %+v", err, out)
		}
		_, err = w.ecs.CreateCapacityProvider(CreateCapacityProviderInput{Name: "web-cp", AutoScalingGroupProvider: &AutoScalingGroupProvider{AutoScalingGroupArn: asg}})
		wantCode(t, err, "ClientException")
		_, err = w.ecs.CreateCapacityProvider(CreateCapacityProviderInput{Name: "ecs-x", AutoScalingGroupProvider: &AutoScalingGroupProvider{AutoScalingGroupArn: asg}})
		wantCode(t, err, "InvalidParameterException")
		_, err = w.ecs.CreateCapacityProvider(CreateCapacityProviderInput{Name: "other", AutoScalingGroupProvider: &AutoScalingGroupProvider{AutoScalingGroupArn: asg + "x", ManagedTerminationProtection: "ENABLED"}})
		wantCode(t, err, "InvalidParameterException") // protection needs managed scaling
		_, err = w.ecs.PutClusterCapacityProviders(PutClusterCapacityProvidersInput{Cluster: "web", CapacityProviders: []string{"ghost"}})
		wantCode(t, err, "InvalidParameterException")
		if _, err = w.ecs.PutClusterCapacityProviders(PutClusterCapacityProvidersInput{Cluster: "web", CapacityProviders: []string{"web-cp"},
			DefaultCapacityProviderStrategy: []CapacityProviderStrategyItem{{CapacityProvider: "web-cp", Weight: 1}}}); err != nil {
			t.Fatal(err)
		}
		d, _ := w.ecs.DescribeCapacityProviders(DescribeCapacityProvidersInput{CapacityProviders: []string{"web-cp", "ghost"}})
		if len(d.CapacityProviders) != 1 || d.Failures[0].Reason != "MISSING" {
			t.Fatalf("describe %+v", d)
		}
		w.ecs.InstanceRunning(HostInfo{EC2InstanceID: "i-in", InstanceType: "m5.large", AZ: "us-east-1a", VCPU: 2, MemoryMiB: 4096, UserData: "ECS_CLUSTER=web", AutoScalingGroupARN: asg})
		w.ecs.InstanceRunning(HostInfo{EC2InstanceID: "i-out", InstanceType: "m5.large", AZ: "us-east-1a", VCPU: 2, MemoryMiB: 4096, UserData: "ECS_CLUSTER=web"})
	})
	w.run(time.Minute)
	in, out := w.ecs.ContainerInstanceByEC2("i-in"), w.ecs.ContainerInstanceByEC2("i-out")
	if in.CapacityProviderName != "web-cp" || out.CapacityProviderName != "" {
		t.Fatalf("capacityProviderName %q / %q", in.CapacityProviderName, out.CapacityProviderName)
	}
	// A service on the default strategy lands only on the provider's instances.
	td := w.taskdef("app", 256, 512, Timings{})
	svc := w.service(CreateServiceInput{ServiceName: "cp", TaskDefinition: td, DesiredCount: i32(3)})
	w.run(time.Minute)
	if len(w.liveOn(in)) != 3 || svc.LaunchType != "" || svc.CapacityProviderStrategy[0].CapacityProvider != "web-cp" {
		t.Fatalf("on provider %d, launchType %q", len(w.liveOn(in)), svc.LaunchType)
	}
	w.do(func() {
		_, err := w.ecs.PutClusterCapacityProviders(PutClusterCapacityProvidersInput{Cluster: "web", CapacityProviders: []string{}})
		wantCode(t, err, "ResourceInUseException")
	})
}

func TestWireShapes(t *testing.T) {
	w := newWorld(t, Options{})
	w.host("i-a1", "us-east-1a", 2, 4096)
	tk := runOne(t, w, w.taskdef("app", 256, 512, Timings{}))
	w.run(time.Minute)
	b, err := json.Marshal(tk.snapshot())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	for _, k := range []string{"taskArn", "lastStatus", "desiredStatus", "containerInstanceArn", "startedAt", "createdAt", "version", "containers", "group", "availabilityZone"} {
		if _, ok := m[k]; !ok {
			t.Fatalf("task JSON lacks %q: %s", k, b)
		}
	}
	if _, ok := m["Orphaned"]; ok {
		t.Fatal("ground truth leaked onto the wire")
	}
	if sa, ok := m["startedAt"].(float64); !ok || int64(sa) != start.Add(35*time.Second).Unix() {
		t.Fatalf("startedAt %v, want epoch seconds", m["startedAt"])
	}
	var in UpdateContainerInstancesStateInput
	if err := json.Unmarshal([]byte(`{"cluster":"web","containerInstances":["a"],"status":"DRAINING"}`), &in); err != nil || in.Status != "DRAINING" || in.ContainerInstances[0] != "a" {
		t.Fatalf("decode: %v %+v", err, in)
	}
	// Events carry the task as DescribeTasks shows it.
	var last core.Event
	for _, e := range w.rec.Events {
		if e.DetailType == "ECS Task State Change" {
			last = e
		}
	}
	if d, ok := last.Detail.(Task); !ok || d.LastStatus != StatusRunning || last.Source != "aws.ecs" || last.Resources[0] != tk.TaskArn {
		t.Fatalf("last task event %+v", last)
	}
}

func TestSameSeedSameRun(t *testing.T) {
	trace := func() string {
		w := newWorld(t, Options{})
		var sb strings.Builder
		w.ecs.OnTaskChange(func(tk *Task, _, _ string) {
			fmt.Fprintf(&sb, "%s %s %s %s\n", w.env.Now().Format(time.TimeOnly), tk.id, tk.LastStatus, tk.ci.Ec2InstanceId)
		})
		for i, az := range []string{"a", "b", "c", "a"} {
			w.host(fmt.Sprintf("i-%d", i), "us-east-1"+az, 2, 4096)
		}
		td := w.taskdef("app", 256, 512, Timings{Run: 7 * time.Minute})
		w.service(CreateServiceInput{ServiceName: "api", TaskDefinition: td, DesiredCount: i32(7)})
		w.run(20 * time.Minute)
		return sb.String()
	}
	a, b := trace(), trace()
	if a != b || len(a) == 0 {
		t.Fatal("same seed gave different runs")
	}
}
