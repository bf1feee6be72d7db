package aws_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/cloud"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
)

// demoWorld: three instances behind a group with a termination hook and a
// capacity provider; a web service, a daemon, and three awsvpc standalone
// batch tasks.
const demoWorld = `
name: demo
seed: 7
clusters: [{name: demo}]
queues:
  - name: drainer
    visibilityTimeout: 60s
rules:
  - name: drainer-events
    queue: drainer
    pattern: {source: [drainer]}
taskDefinitions:
  - {family: web, cpu: 256, memory: 512, stopTimeout: 45s, start: 20s, healthy: 30s, stop: 5s}
  - {family: log-agent, memory: 128}
  - {family: batch, memory: 256, networkMode: awsvpc, stopTimeout: 10s}
groups:
  - name: demo-asg
    cluster: demo
    instanceType: m5.large
    min: 1
    max: 6
    desired: 3
    hooks:
      - {name: drain-hook, heartbeatTimeout: 15m, defaultResult: CONTINUE, queue: drainer}
    capacityProvider: {name: demo-cp, managedTerminationProtection: true, managedDraining: true}
services:
  - {name: web, cluster: demo, taskDefinition: web, desired: 6, minHealthyPercent: 50, maxPercent: 200}
  - {name: log-agent, cluster: demo, taskDefinition: log-agent, daemon: true}
jobs:
  - {name: nightly, cluster: demo, taskDefinition: batch, count: 3, at: 3m}
`

func TestECSFindDrainAndTasks(t *testing.T) {
	w := world(t, demoWorld)
	w.Clock.RunFor(4 * time.Minute)
	c := client(t, w, cloudaws.Options{})
	ctx := ctxT(t)

	clusters, err := c.ListClusters(ctx)
	noErr(t, err)
	if !contains(clusters, "demo") {
		t.Fatalf("clusters %v lack demo", clusters)
	}
	cis, err := c.ListContainerInstances(ctx, "demo", "")
	noErr(t, err)
	active, err := c.ListContainerInstances(ctx, "demo", cloud.ContainerInstanceActive)
	noErr(t, err)
	if len(cis) != 3 || len(active) != 3 {
		t.Fatalf("container instances: %d, ACTIVE %d, want 3 and 3", len(cis), len(active))
	}

	// Find the container instance holding the most kinds of tasks.
	var ci cloud.ContainerInstance
	var tasks []cloud.Task
	for _, cand := range cis {
		ts, err := c.TasksOn(ctx, "demo", cand.ARN)
		noErr(t, err)
		if classes(ts)[cloud.TaskStandalone] > 0 && classes(ts)[cloud.TaskService] > 0 {
			ci, tasks = cand, ts
			break
		}
	}
	if ci.ARN == "" {
		t.Fatal("no instance runs both a service task and a standalone task")
	}
	found, err := c.FindContainerInstance(ctx, "demo", ci.EC2InstanceID)
	noErr(t, err)
	anywhere, err := c.FindContainerInstance(ctx, "", ci.EC2InstanceID)
	noErr(t, err)
	if found.ARN != ci.ARN || anywhere.ARN != ci.ARN || found.Status != cloud.ContainerInstanceActive || !found.AgentConnected {
		t.Fatalf("FindContainerInstance = %+v / %+v, want %s ACTIVE", found, anywhere, ci.ARN)
	}
	if found.Attributes["ecs.instance-type"] != "m5.large" {
		t.Errorf("attributes %v lack ecs.instance-type", found.Attributes)
	}
	if _, err := c.FindContainerInstance(ctx, "demo", "i-0000000000000dead"); !errors.Is(err, cloud.ErrNotFound) {
		t.Errorf("unknown EC2 instance: %v, want ErrNotFound", err)
	}
	if _, err := c.FindContainerInstance(ctx, "nope", ci.EC2InstanceID); !errors.Is(err, cloud.ErrNotFound) || apiCode(err) != "ClusterNotFoundException" {
		t.Errorf("unknown cluster: %v, want ErrNotFound wrapping ClusterNotFoundException", err)
	}

	// Each class with its stop timeout; awsvpc tasks carry their ENI.
	for _, task := range tasks {
		switch task.Class {
		case cloud.TaskService:
			if task.Service != "web" || task.StopTimeout != 45*time.Second {
				t.Errorf("service task %+v", task)
			}
		case cloud.TaskDaemon:
			if task.Service != "log-agent" || task.StopTimeout != cloud.DefaultStopTimeout {
				t.Errorf("daemon task %+v", task)
			}
		case cloud.TaskStandalone:
			if task.Service != "" || task.StopTimeout != 10*time.Second || len(task.ENIs) != 1 || task.StartedBy != "nightly" {
				t.Errorf("standalone task %+v", task)
			}
		default:
			t.Errorf("task %s without class", task.ARN)
		}
		if task.LastStatus != cloud.TaskRunning || task.ContainerInstanceARN != ci.ARN {
			t.Errorf("task %s: %s on %s", task.ARN, task.LastStatus, task.ContainerInstanceARN)
		}
	}
	if classes(tasks)[cloud.TaskDaemon] != 1 {
		t.Errorf("classes %v, want one daemon task", classes(tasks))
	}

	// Task definitions and service strategies are asked once.
	tds, svcs := count(w, "ecs", "DescribeTaskDefinition"), count(w, "ecs", "DescribeServices")
	if tds != 3 {
		t.Errorf("DescribeTaskDefinition called %d times, want 3 (one per revision)", tds)
	}
	_, err = c.TasksOn(ctx, "demo", ci.ARN)
	noErr(t, err)
	if count(w, "ecs", "DescribeTaskDefinition") != tds || count(w, "ecs", "DescribeServices") != svcs {
		t.Error("a second TasksOn described task definitions or services again")
	}

	// Drain: ECS moves the service tasks (50/200), leaves the standalone
	// ones, keeps the daemon until the rest has stopped.
	failures, err := c.DrainContainerInstances(ctx, "demo", []string{ci.ARN})
	noErr(t, err)
	if len(failures) != 0 {
		t.Fatalf("drain failures %v", failures)
	}
	w.Clock.RunFor(3 * time.Minute)
	tasks, err = c.TasksOn(ctx, "demo", ci.ARN)
	noErr(t, err)
	for _, task := range tasks {
		stopped := task.Stopped()
		if task.Class == cloud.TaskService && !stopped || task.Class != cloud.TaskService && stopped {
			t.Errorf("after 3m DRAINING: %s task %s", task.Class, task.LastStatus)
		}
	}
	// Stop the standalone tasks; a stopping task is still listed (desired
	// STOPPED) until ECS has it STOPPED.
	for _, task := range tasks {
		if task.Class == cloud.TaskStandalone {
			noErr(t, c.StopTask(ctx, "demo", task.ARN, "drainer: hard deadline"))
		}
	}
	tasks, err = c.TasksOn(ctx, "demo", ci.ARN)
	noErr(t, err)
	for _, task := range tasks {
		if task.Class == cloud.TaskStandalone && (task.DesiredStatus != cloud.TaskStopped || task.Stopped()) {
			t.Errorf("standalone task just asked to stop: desired %s last %s", task.DesiredStatus, task.LastStatus)
		}
	}
	w.Clock.RunFor(2 * time.Minute)
	tasks, err = c.TasksOn(ctx, "demo", ci.ARN)
	noErr(t, err)
	for _, task := range tasks {
		if !task.Stopped() {
			t.Errorf("after the stops: %s task %s still %s", task.Class, task.ARN, task.LastStatus)
		}
		if task.Class == cloud.TaskStandalone && task.StoppedReason != "drainer: hard deadline" {
			t.Errorf("stopped reason %q", task.StoppedReason)
		}
	}
	draining, err := c.ListContainerInstances(ctx, "demo", cloud.ContainerInstanceDraining)
	noErr(t, err)
	if len(draining) != 1 || draining[0].ARN != ci.ARN {
		t.Fatalf("DRAINING instances %v", draining)
	}

	noErr(t, c.DeregisterContainerInstance(ctx, "demo", ci.ARN, true))
	if _, err := c.FindContainerInstance(ctx, "demo", ci.EC2InstanceID); !errors.Is(err, cloud.ErrNotFound) {
		t.Errorf("deregistered instance still found: %v", err)
	}
}

func TestECSAttributesServicesCapacityProviders(t *testing.T) {
	w := world(t, demoWorld)
	w.Clock.RunFor(4 * time.Minute)
	c := client(t, w, cloudaws.Options{})
	ctx := ctxT(t)

	cis, err := c.ListContainerInstances(ctx, "demo", "")
	noErr(t, err)
	ci := cis[0]
	state := map[string]string{
		"drainer.reason":        "scale-in",
		"drainer.startedAt":     "2026-11-22T00:04:00Z",
		"drainer.gracefulUntil": "2026-11-24T00:04:00Z",
		"drainer.hardDeadline":  "2026-11-24T00:04:00Z",
		"drainer.hook":          "drain-hook",
		"drainer.token":         "0f4c1a3e-5a1b-4c2d-9e8f-0123456789ab",
	}
	noErr(t, c.PutAttributes(ctx, "demo", ci.ARN, state))
	got, err := c.DescribeContainerInstances(ctx, "demo", []string{ci.ARN})
	noErr(t, err)
	for k, v := range state {
		if got[0].Attributes[k] != v {
			t.Errorf("attribute %s = %q, want %q", k, got[0].Attributes[k], v)
		}
	}
	targets, err := c.ListAttributeTargets(ctx, "demo", "drainer.reason")
	noErr(t, err)
	if len(targets) != 1 || targets[0].ContainerInstanceARN != ci.ARN || targets[0].Value != "scale-in" {
		t.Fatalf("ListAttributeTargets = %+v", targets)
	}
	before := count(w, "ecs", "PutAttributes")
	if err := c.PutAttributes(ctx, "demo", ci.ARN, map[string]string{"drainer.note": "a,b"}); err == nil {
		t.Error("an attribute ECS would refuse was accepted")
	}
	if count(w, "ecs", "PutAttributes") != before {
		t.Error("an invalid attribute reached ECS")
	}

	// Six there; four more reach ECS's limit of 10 custom attributes, the
	// eleventh is ErrAttributeLimit and writes nothing.
	noErr(t, c.PutAttributes(ctx, "demo", ci.ARN, map[string]string{"team.a": "1", "team.b": "2", "team.c": "3", "team.d": "4"}))
	err = c.PutAttributes(ctx, "demo", ci.ARN, map[string]string{"team.e": "5"})
	if !errors.Is(err, cloud.ErrAttributeLimit) || errors.Is(err, cloud.ErrNotFound) {
		t.Fatalf("the 11th custom attribute: err = %v, want ErrAttributeLimit", err)
	}
	noErr(t, c.PutAttributes(ctx, "demo", ci.ARN, map[string]string{"team.a": "updated"}))
	if targets, _ := c.ListAttributeTargets(ctx, "demo", "team.e"); len(targets) != 0 {
		t.Fatalf("refused attribute written: %+v", targets)
	}

	names := []string{"team.a", "team.b", "team.c", "team.d"}
	for k := range state {
		names = append(names, k)
	}
	noErr(t, c.DeleteAttributes(ctx, "demo", ci.ARN, names))
	targets, err = c.ListAttributeTargets(ctx, "demo", "drainer.reason")
	noErr(t, err)
	if len(targets) != 0 {
		t.Fatalf("after delete, targets %+v", targets)
	}

	svcs, err := c.DescribeServices(ctx, "demo", []string{"web", "log-agent", "missing"})
	noErr(t, err)
	if len(svcs) != 2 {
		t.Fatalf("DescribeServices = %+v", svcs)
	}
	for _, s := range svcs {
		switch s.Name {
		case "web":
			if s.Daemon || s.DesiredCount != 6 || s.MinimumHealthyPercent != 50 || s.MaximumPercent != 200 || s.RunningCount != 6 {
				t.Errorf("web = %+v", s)
			}
		case "log-agent":
			if !s.Daemon || s.RunningCount != 3 {
				t.Errorf("log-agent = %+v", s)
			}
		}
	}

	cps, err := c.CapacityProviders(ctx, "demo")
	noErr(t, err)
	groups, err := c.DescribeGroups(ctx, []string{"demo-asg"})
	noErr(t, err)
	if len(cps) != 1 || cps[0].Name != "demo-cp" || cps[0].AutoScalingGroupARN != groups[0].ARN ||
		!cps[0].ManagedTerminationProtection || !cps[0].ManagedDraining {
		t.Fatalf("CapacityProviders = %+v (group ARN %s)", cps, groups[0].ARN)
	}
	if _, err := c.CapacityProviders(ctx, "nope"); !errors.Is(err, cloud.ErrNotFound) {
		t.Errorf("capacity providers of an unknown cluster: %v", err)
	}
}

func classes(tasks []cloud.Task) map[cloud.TaskClass]int {
	n := map[cloud.TaskClass]int{}
	for _, t := range tasks {
		n[t.Class]++
	}
	return n
}

// TestListAndDescribeTasks: ListTasks by container instance, by cluster
// and by desired status; DescribeTasks by ARN or id, classified, with the
// tasks ECS does not know left out.
func TestListAndDescribeTasks(t *testing.T) {
	w := world(t, demoWorld)
	w.Clock.RunFor(4 * time.Minute)
	c := client(t, w, cloudaws.Options{})
	ctx := ctxT(t)
	cis, err := c.ListContainerInstances(ctx, "demo", "")
	noErr(t, err)
	all, err := c.ListTasks(ctx, "demo", "", "")
	noErr(t, err)
	running, err := c.ListTasks(ctx, "demo", "", cloud.DesiredRunning)
	noErr(t, err)
	var onEach int
	for _, ci := range cis {
		on, err := c.ListTasks(ctx, "demo", ci.ARN, cloud.DesiredRunning)
		noErr(t, err)
		onEach += len(on)
	}
	// 6 web replicas, 3 daemons, 3 batch jobs.
	if len(all) != 12 || len(running) != len(all) || onEach != len(all) {
		t.Fatalf("ListTasks: %d in the cluster, %d RUNNING, %d over the instances; want 12 each", len(all), len(running), onEach)
	}
	stopped, err := c.ListTasks(ctx, "demo", "", cloud.DesiredStopped)
	noErr(t, err)
	if len(stopped) != 0 {
		t.Fatalf("%d tasks desired STOPPED, want none yet", len(stopped))
	}
	ids := []string{awsid.TaskID(all[0]), all[1], all[1]}
	gone := all[2][:strings.LastIndex(all[2], "/")+1] + "00000000000000000000000000000000"
	tasks, err := c.DescribeTasks(ctx, "demo", append(ids, gone))
	noErr(t, err)
	if len(tasks) != 2 || tasks[0].ARN != all[0] || tasks[1].ARN != all[1] {
		t.Fatalf("DescribeTasks(id, ARN, ARN again, unknown) = %+v, want the first two tasks in order", tasks)
	}
	for _, task := range tasks {
		if task.Class == "" || task.StopTimeout == 0 || task.LastStatus != cloud.TaskRunning {
			t.Errorf("task %+v: want classified, with a stop timeout", task)
		}
	}
	if _, err := c.DescribeTasks(ctx, "nope", all[:1]); !errors.Is(err, cloud.ErrNotFound) {
		t.Fatalf("DescribeTasks(unknown cluster) = %v, want ErrNotFound", err)
	}
	if _, err := c.ListTasks(ctx, "nope", "", ""); !errors.Is(err, cloud.ErrNotFound) {
		t.Fatalf("ListTasks(unknown cluster) = %v, want ErrNotFound", err)
	}
}
