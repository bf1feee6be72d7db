package ecs

import (
	"strings"
	"testing"
	"time"
)

func TestPlacementSpreadsAZsBinpacksAndSkipsDraining(t *testing.T) {
	w := newWorld(t, Options{})
	a1 := w.host("i-a1", "us-east-1a", 2, 4096)
	a2 := w.host("i-a2", "us-east-1a", 2, 8192)
	b1 := w.host("i-b1", "us-east-1b", 2, 4096)
	c1 := w.host("i-c1", "us-east-1c", 2, 4096)
	w.drain(c1)
	td := w.taskdef("api", 256, 1024, Timings{})
	svc := w.service(CreateServiceInput{ServiceName: "api", TaskDefinition: td, DesiredCount: i32(4)})
	w.run(time.Minute)
	if n := len(w.liveOn(c1)); n != 0 {
		t.Fatalf("%d tasks placed on a DRAINING instance", n)
	}
	if svc.azCount["us-east-1a"] != 2 || svc.azCount["us-east-1b"] != 2 {
		t.Fatalf("AZ spread %v, want 2/2 over the AZs with ACTIVE instances", svc.azCount)
	}
	if len(w.liveOn(a1)) != 2 || len(w.liveOn(a2)) != 0 || len(w.liveOn(b1)) != 2 {
		t.Fatalf("binpack: a1 %d a2 %d b1 %d, want tightest fit a1", len(w.liveOn(a1)), len(w.liveOn(a2)), len(w.liveOn(b1)))
	}
	if a1.RemainingMemory() != 3840-2048 || a1.RemainingCPU() != 2048-512 {
		t.Fatalf("a1 remaining %d/%d", a1.RemainingCPU(), a1.RemainingMemory())
	}
	if got := a1.RemainingResources[1].IntegerValue; got != int32(3840-2048) {
		t.Fatalf("wire remainingResources MEMORY %d", got)
	}
}

func TestPlacementWaitsWhenNothingFits(t *testing.T) {
	w := newWorld(t, Options{})
	w.host("i-a1", "us-east-1a", 1, 2048) // 1024 CPU, 1920 MiB
	td := w.taskdef("big", 512, 1024, Timings{})
	svc := w.service(CreateServiceInput{ServiceName: "big", TaskDefinition: td, DesiredCount: i32(3)})
	w.run(time.Minute)
	if svc.counted != 1 {
		t.Fatalf("placed %d, want 1 (memory)", svc.counted)
	}
	found := false
	for _, e := range svc.Events {
		if strings.Contains(e.Message, "was unable to place a task because no container instance met all of its requirements") &&
			strings.Contains(e.Message, "insufficient memory") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no placement failure event: %+v", svc.Events)
	}
	events := len(svc.Events)
	w.run(10 * time.Minute)
	if len(svc.Events) != events {
		t.Fatalf("events kept growing while blocked: %d → %d", events, len(svc.Events))
	}
	w.host("i-b1", "us-east-1b", 4, 4096)
	w.run(time.Minute)
	if svc.healthy != 3 {
		t.Fatalf("healthy %d after capacity arrived, want 3", svc.healthy)
	}
	w.do(func() {
		out, err := w.ecs.RunTask(RunTaskInput{Cluster: "web", TaskDefinition: "big", Count: i32(10)})
		if err != nil {
			t.Fatal(err)
		}
		// b1 (3840 MiB) holds two service tasks and one more; a1 is full.
		if len(out.Tasks) != 1 || len(out.Failures) != 9 || out.Failures[0].Reason != "RESOURCE:MEMORY" {
			t.Fatalf("RunTask beyond capacity: %d tasks, failures %+v", len(out.Tasks), out.Failures)
		}
	})
	// CPU-bound: memory fits, CPU does not.
	cpu := w.taskdef("cpu", 3000, 16, Timings{})
	w.do(func() {
		out, _ := w.ecs.RunTask(RunTaskInput{Cluster: "web", TaskDefinition: cpu})
		if len(out.Failures) != 1 || out.Failures[0].Reason != "RESOURCE:CPU" {
			t.Fatalf("want RESOURCE:CPU, got %+v", out.Failures)
		}
	})
}

func TestRollingDeploymentKeepsMinimumHealthy(t *testing.T) {
	w := newWorld(t, Options{})
	for _, h := range []struct{ id, az string }{{"i-a1", "us-east-1a"}, {"i-b1", "us-east-1b"}, {"i-c1", "us-east-1c"}} {
		w.host(h.id, h.az, 4, 8192)
	}
	v1 := w.taskdef("api", 256, 512, Timings{})
	svc := w.service(CreateServiceInput{ServiceName: "api", TaskDefinition: v1, DesiredCount: i32(6),
		DeploymentConfiguration: &DeploymentConfiguration{MinimumHealthyPercent: i32(50), MaximumPercent: i32(150)}})
	w.run(time.Minute)
	watchMinHealthy(t, w, svc, 3)
	// maximumPercent limits the tasks RUNNING or PENDING; tasks already
	// stopping no longer count (they still hold their resources).
	maxCounted := 0
	w.ecs.OnTaskChange(func(*Task, string, string) { maxCounted = max(maxCounted, svc.upOrStarting) })
	v2 := w.taskdef("api", 256, 512, Timings{})
	w.do(func() {
		out, err := w.ecs.UpdateService(UpdateServiceInput{Cluster: "web", Service: "api", TaskDefinition: v2})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Service.Deployments) != 2 || out.Service.Deployments[0].Status != "PRIMARY" || out.Service.Deployments[1].Status != "ACTIVE" {
			t.Fatalf("deployments %+v", out.Service.Deployments)
		}
	})
	w.run(10 * time.Minute)
	if maxCounted > 9 {
		t.Fatalf("%d tasks RUNNING or PENDING at once, above maximumPercent 150%% of 6", maxCounted)
	}
	if len(svc.Deployments) != 1 || svc.primary().RolloutState != "COMPLETED" || svc.primary().RunningCount != 6 {
		t.Fatalf("after rollout: %d deployments, %s, running %d", len(svc.Deployments), svc.primary().RolloutState, svc.primary().RunningCount)
	}
	for _, tk := range svc.live {
		if tk.TaskDefinitionArn != v2 || !strings.HasPrefix(tk.StartedBy, "ecs-svc/") || len(tk.StartedBy) != len("ecs-svc/")+19 {
			t.Fatalf("task %s on %s startedBy %q", tk.id, tk.TaskDefinitionArn, tk.StartedBy)
		}
	}
}

func TestScaleDownAndDeleteService(t *testing.T) {
	w := newWorld(t, Options{})
	w.host("i-a1", "us-east-1a", 4, 8192)
	td := w.taskdef("api", 256, 512, Timings{})
	svc := w.service(CreateServiceInput{ServiceName: "api", TaskDefinition: td, DesiredCount: i32(4)})
	w.run(time.Minute)
	w.do(func() {
		_, err := w.ecs.DeleteService(DeleteServiceInput{Cluster: "web", Service: "api"})
		wantCode(t, err, "InvalidParameterException")
		if _, err := w.ecs.UpdateService(UpdateServiceInput{Cluster: "web", Service: "api", DesiredCount: i32(1)}); err != nil {
			t.Fatal(err)
		}
	})
	w.run(time.Minute)
	if svc.RunningCount != 1 {
		t.Fatalf("after scale-down running %d", svc.RunningCount)
	}
	w.do(func() {
		out, err := w.ecs.DeleteService(DeleteServiceInput{Cluster: "web", Service: "api", Force: boolp(true)})
		if err != nil || out.Service.Status != "DRAINING" {
			t.Fatalf("delete: %v", err)
		}
	})
	w.run(time.Minute)
	if svc.Status != "INACTIVE" || svc.counted != 0 {
		t.Fatalf("after delete: %s, %d tasks", svc.Status, svc.counted)
	}
	w.do(func() {
		_, err := w.ecs.UpdateService(UpdateServiceInput{Cluster: "web", Service: "api", DesiredCount: i32(1)})
		wantCode(t, err, "ServiceNotActiveException")
		_, err = w.ecs.DeleteService(DeleteServiceInput{Cluster: "web", Service: "api"})
		wantCode(t, err, "ServiceNotActiveException")
		// The name is free again once INACTIVE.
		if _, err := w.ecs.CreateService(CreateServiceInput{Cluster: "web", ServiceName: "api", TaskDefinition: td, DesiredCount: i32(1)}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSpotInterruptionDrainsWhenEnabled(t *testing.T) {
	w := newWorld(t, Options{})
	for _, h := range []struct {
		id    string
		drain bool
	}{{"i-s1", true}, {"i-s2", false}} {
		ud := "ECS_CLUSTER=web\n"
		if h.drain {
			ud += "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true\n"
		}
		w.do(func() {
			w.ecs.InstanceRunning(HostInfo{EC2InstanceID: h.id, InstanceType: "c7g.large", AZ: "us-east-1a", VCPU: 2, MemoryMiB: 4096, UserData: ud, Spot: true})
		})
	}
	w.run(15 * time.Second)
	w.do(func() {
		w.ecs.SpotInterruption("i-s1")
		w.ecs.SpotInterruption("i-s2")
	})
	if s1, s2 := w.ecs.ContainerInstanceByEC2("i-s1"), w.ecs.ContainerInstanceByEC2("i-s2"); s1.Status != "DRAINING" || s2.Status != "ACTIVE" {
		t.Fatalf("spot draining: %s/%s, want DRAINING/ACTIVE", s1.Status, s2.Status)
	}
	if v, _ := w.ecs.ContainerInstanceByEC2("i-s1").attr("ecs.cpu-architecture"); v != "arm64" {
		t.Fatalf("c7g architecture %q", v)
	}
}

func TestAgentWaitsForItsCluster(t *testing.T) {
	w := newWorld(t, Options{})
	w.do(func() {
		w.ecs.InstanceRunning(HostInfo{EC2InstanceID: "i-x", InstanceType: "m5.large", AZ: "us-east-1a", VCPU: 2, MemoryMiB: 8192, UserData: "ECS_CLUSTER=later"})
	})
	w.run(5 * time.Minute)
	if w.ecs.ContainerInstanceByEC2("i-x") != nil {
		t.Fatal("registered without a cluster")
	}
	w.do(func() { w.ecs.CreateCluster(CreateClusterInput{ClusterName: "later"}) })
	w.run(time.Minute)
	ci := w.ecs.ContainerInstanceByEC2("i-x")
	if ci == nil || ci.Status != "ACTIVE" {
		t.Fatal("did not register once the cluster existed")
	}
	if ci.RegisteredResources[0].IntegerValue != 2048 || ci.RegisteredResources[1].IntegerValue != 8192-512 {
		t.Fatalf("registered %+v", ci.RegisteredResources)
	}
}

func TestDaemonCoversNewInstancesBeforeReplicas(t *testing.T) {
	w := newWorld(t, Options{})
	a1 := w.host("i-a1", "us-east-1a", 1, 1024) // 1024 CPU, 960 MiB
	big := w.taskdef("big", 256, 850, Timings{})
	svc := w.service(CreateServiceInput{ServiceName: "big", TaskDefinition: big, DesiredCount: i32(2)})
	w.run(time.Minute)
	agent := w.taskdef("agent", 64, 128, Timings{})
	d := w.service(CreateServiceInput{ServiceName: "agent", TaskDefinition: agent, SchedulingStrategy: "DAEMON"})
	w.run(time.Minute)
	if len(w.liveOn(a1)) != 1 || svc.counted != 1 {
		t.Fatalf("a1: %d tasks, service %d: a1 fits one big task and nothing else", len(w.liveOn(a1)), svc.counted)
	}
	// A new instance that fits either one big task or the daemon gets the
	// daemon first, although the replica service has been waiting longer.
	w.do(func() {
		w.ecs.InstanceRunning(HostInfo{EC2InstanceID: "i-b1", InstanceType: "m5.large", AZ: "us-east-1b", VCPU: 1, MemoryMiB: 1024, UserData: "ECS_CLUSTER=web"})
	})
	w.run(time.Minute)
	b1 := w.ecs.ContainerInstanceByEC2("i-b1")
	on := w.liveOn(b1)
	if len(on) != 1 || w.ecs.TaskClass(on[0]) != "daemon" {
		t.Fatalf("b1 got %d tasks (first %v), want only the daemon", len(on), on)
	}
	if svc.counted != 1 || d.RunningCount != 1 {
		t.Fatalf("replica %d daemon %d", svc.counted, d.RunningCount)
	}
	if snap := d.snapshot(false); snap.DesiredCount != 2 || d.DesiredCount != 2 {
		t.Fatalf("daemon desiredCount %d, want one per ACTIVE instance", snap.DesiredCount)
	}
}
