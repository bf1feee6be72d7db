package ecs

import (
	"testing"
	"time"
)

func runOne(t *testing.T, w *world, td string) *Task {
	t.Helper()
	var arn string
	w.do(func() {
		out, err := w.ecs.RunTask(RunTaskInput{Cluster: "web", TaskDefinition: td})
		if err != nil || len(out.Tasks) != 1 {
			t.Fatalf("RunTask: %v %+v", err, out)
		}
		arn = out.Tasks[0].TaskArn
	})
	return w.ecs.Task(arn)
}

func TestStatusSequenceAndSIGKILLAtStopTimeout(t *testing.T) {
	w := newWorld(t, Options{})
	ci := w.host("i-a1", "us-east-1a", 2, 4096)
	var arn string
	w.do(func() {
		out, err := w.ecs.RegisterTaskDefinition(RegisterTaskDefinitionInput{Family: "slowstop", ContainerDefinitions: []ContainerDefinition{{
			Name: "app", Image: "nginx", Cpu: 512, MemoryReservation: i32(1000), Memory: i32(2000), StopTimeout: i32(10),
			DockerLabels: Timings{Start: 20 * time.Second, Stop: time.Minute}.Labels()}}})
		if err != nil {
			t.Fatal(err)
		}
		arn = out.TaskDefinition.TaskDefinitionArn
	})
	var seq []string
	w.ecs.OnTaskChange(func(tk *Task, from, _ string) {
		if tk.LastStatus != from {
			seq = append(seq, tk.LastStatus)
		}
	})
	tk := runOne(t, w, arn)
	if ci.RemainingCPU() != 2048-512 || ci.RemainingMemory() != 3840-1000 {
		t.Fatalf("remaining %d CPU %d MiB, want reservation (memoryReservation) held from PROVISIONING", ci.RemainingCPU(), ci.RemainingMemory())
	}
	for _, step := range []struct {
		after time.Duration
		want  string
	}{{4 * time.Second, StatusProvisioning}, {2 * time.Second, StatusPending}, {10 * time.Second, StatusActivating}, {5 * time.Second, StatusRunning}} {
		w.run(step.after)
		if tk.LastStatus != step.want {
			t.Fatalf("at +%v: %s, want %s", w.env.Now().Sub(start), tk.LastStatus, step.want)
		}
	}
	if ci.RunningTasksCount != 1 || ci.PendingTasksCount != 0 {
		t.Fatalf("instance counts running %d pending %d", ci.RunningTasksCount, ci.PendingTasksCount)
	}
	w.do(func() {
		if _, err := w.ecs.StopTask(StopTaskInput{Cluster: "web", Task: tk.TaskArn, Reason: "bye"}); err != nil {
			t.Fatal(err)
		}
	})
	if tk.LastStatus != StatusStopping || tk.StopCode != "UserInitiated" || tk.StoppedReason != "bye" {
		t.Fatalf("after StopTask: %s %s %q", tk.LastStatus, tk.StopCode, tk.StoppedReason)
	}
	w.run(9 * time.Second)
	if tk.LastStatus != StatusStopping {
		t.Fatalf("before stopTimeout: %s", tk.LastStatus)
	}
	w.run(time.Second)
	if tk.LastStatus != StatusStopped || *tk.Containers[0].ExitCode != 137 {
		t.Fatalf("at stopTimeout: %s exit %v, want STOPPED 137 (SIGKILL)", tk.LastStatus, tk.Containers[0].ExitCode)
	}
	want := []string{StatusProvisioning, StatusPending, StatusActivating, StatusRunning, StatusStopping, StatusDeprovisioning, StatusStopped}
	if len(seq) != len(want) {
		t.Fatalf("sequence %v, want %v", seq, want)
	}
	for i := range want {
		if seq[i] != want[i] {
			t.Fatalf("sequence %v, want %v", seq, want)
		}
	}
	if ci.RemainingCPU() != 2048 || ci.RemainingMemory() != 3840 {
		t.Fatalf("resources not released: %d/%d", ci.RemainingCPU(), ci.RemainingMemory())
	}
	if tk.Version != int64(len(want)+1) {
		t.Fatalf("version %d, want one per change (%d)", tk.Version, len(want)+1)
	}
	// Idempotent stop, then retention.
	w.do(func() {
		out, err := w.ecs.StopTask(StopTaskInput{Cluster: "web", Task: tk.id})
		if err != nil || out.Task.LastStatus != StatusStopped || out.Task.StoppedReason != "bye" {
			t.Fatalf("second StopTask: %v %+v", err, out)
		}
	})
	w.run(time.Hour)
	w.do(func() {
		out, _ := w.ecs.DescribeTasks(DescribeTasksInput{Cluster: "web", Tasks: []string{tk.TaskArn}})
		if len(out.Failures) != 1 || out.Failures[0].Reason != "MISSING" {
			t.Fatalf("after retention: %+v", out)
		}
	})
}

func TestLoadBalancedStopDeactivatesFirstAndHealthWaits(t *testing.T) {
	w := newWorld(t, Options{DeregistrationDelay: 45 * time.Second})
	w.host("i-a1", "us-east-1a", 2, 4096)
	td := w.taskdef("web", 256, 512, Timings{Start: 10 * time.Second})
	svc := w.service(CreateServiceInput{ServiceName: "web", TaskDefinition: td, DesiredCount: i32(1),
		LoadBalancers: []LoadBalancer{{TargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1", ContainerName: "app", ContainerPort: i32(80)}}})
	w.run(11 * time.Second)
	if svc.RunningCount != 1 || svc.healthy != 0 {
		t.Fatalf("running %d healthy %d: load-balanced tasks are healthy only after 30s", svc.RunningCount, svc.healthy)
	}
	w.run(30 * time.Second)
	if svc.healthy != 1 {
		t.Fatalf("healthy %d after health delay", svc.healthy)
	}
	tk := svc.live[0]
	w.do(func() { w.ecs.StopTask(StopTaskInput{Cluster: "web", Task: tk.TaskArn}) })
	if tk.LastStatus != StatusDeactivating {
		t.Fatalf("load-balanced stop: %s, want DEACTIVATING", tk.LastStatus)
	}
	w.run(44 * time.Second)
	if tk.LastStatus != StatusDeactivating {
		t.Fatalf("before deregistration delay: %s", tk.LastStatus)
	}
	w.run(time.Second)
	if tk.LastStatus != StatusStopping {
		t.Fatalf("after deregistration delay: %s, want STOPPING", tk.LastStatus)
	}
	w.run(5 * time.Second)
	if tk.LastStatus != StatusStopped || *tk.Containers[0].ExitCode != 0 {
		t.Fatalf("after stop: %s", tk.LastStatus)
	}
	// The user-stopped task was replaced.
	if svc.active != 1 || len(svc.live) != 1 || svc.live[0] == tk {
		t.Fatalf("service did not replace the stopped task")
	}
}

func TestForceDeregistrationOrphansTasks(t *testing.T) {
	w := newWorld(t, Options{})
	a1 := w.host("i-a1", "us-east-1a", 2, 4096)
	w.host("i-b1", "us-east-1b", 2, 4096)
	td := w.taskdef("api", 256, 512, Timings{})
	svc := w.service(CreateServiceInput{ServiceName: "api", TaskDefinition: td, DesiredCount: i32(2)})
	w.run(time.Minute)
	onA := w.liveOn(a1)
	if len(onA) != 1 {
		t.Fatalf("a1 holds %d", len(onA))
	}
	w.do(func() {
		_, err := w.ecs.DeregisterContainerInstance(DeregisterContainerInstanceInput{Cluster: "web", ContainerInstance: a1.id})
		wantCode(t, err, "InvalidParameterException")
		out, err := w.ecs.DeregisterContainerInstance(DeregisterContainerInstanceInput{Cluster: "web", ContainerInstance: a1.ContainerInstanceArn, Force: boolp(true)})
		if err != nil || out.ContainerInstance.Status != "INACTIVE" {
			t.Fatalf("force deregister: %v", err)
		}
	})
	orphan := onA[0]
	if !orphan.Orphaned || orphan.LastStatus != StatusRunning {
		t.Fatalf("orphan: orphaned=%v %s, want orphaned and still RUNNING", orphan.Orphaned, orphan.LastStatus)
	}
	w.run(time.Minute)
	if svc.healthy != 2 || svc.counted != 2 {
		t.Fatalf("service healthy %d counted %d: the orphan must be replaced and not counted", svc.healthy, svc.counted)
	}
	if orphan.LastStatus != StatusRunning {
		t.Fatalf("orphan %s, want still running on its host", orphan.LastStatus)
	}
	w.do(func() { w.ecs.InstanceStopping("i-a1") })
	if orphan.LastStatus != StatusStopped || orphan.StoppedReason != "Host EC2 (instance i-a1) terminated." {
		t.Fatalf("orphan after host stop: %s %q", orphan.LastStatus, orphan.StoppedReason)
	}
}

func TestHostStoppingKillsTasksAndLeaksENIs(t *testing.T) {
	w := newWorld(t, Options{})
	a1 := w.host("i-a1", "us-east-1a", 4, 8192)
	w.host("i-b1", "us-east-1b", 4, 8192)
	var td string
	w.do(func() {
		out, err := w.ecs.RegisterTaskDefinition(RegisterTaskDefinitionInput{Family: "vpc", NetworkMode: "awsvpc", Cpu: "0.25 vcpu", Memory: "512",
			ContainerDefinitions: []ContainerDefinition{{Name: "app", Image: "nginx"}}})
		if err != nil {
			t.Fatal(err)
		}
		td = out.TaskDefinition.TaskDefinitionArn
	})
	nc := &NetworkConfiguration{AwsvpcConfiguration: &AwsVpcConfiguration{Subnets: []string{"subnet-1"}}}
	w.do(func() {
		_, err := w.ecs.CreateService(CreateServiceInput{Cluster: "web", ServiceName: "vpc", TaskDefinition: td, DesiredCount: i32(2)})
		wantCode(t, err, "InvalidParameterException")
	})
	svc := w.service(CreateServiceInput{ServiceName: "vpc", TaskDefinition: td, DesiredCount: i32(2), NetworkConfiguration: nc})
	w.run(time.Minute)
	onA := w.liveOn(a1)
	if len(onA) != 1 || len(onA[0].Attachments) != 1 || onA[0].Attachments[0].Status != "ATTACHED" {
		t.Fatalf("awsvpc task on a1 without an attached ENI: %+v", onA)
	}
	eni := onA[0].eni
	if w.net.enis[eni] != "in-use" || onA[0].Attachments[0].Details[1].Value != eni {
		t.Fatalf("ENI %s state %q", eni, w.net.enis[eni])
	}
	w.do(func() { w.ecs.InstanceStopping("i-a1") })
	tk := onA[0]
	if tk.LastStatus != StatusStopped || tk.StopCode != "TerminationNotice" || tk.StoppedReason != "Host EC2 (instance i-a1) terminated." {
		t.Fatalf("task after host stop: %s %s %q", tk.LastStatus, tk.StopCode, tk.StoppedReason)
	}
	if w.net.enis[eni] != "available" {
		t.Fatalf("ENI %s is %q, want leaked (available)", eni, w.net.enis[eni])
	}
	if a1.Status != "INACTIVE" || a1.AgentConnected {
		t.Fatalf("instance %s connected=%v, want INACTIVE", a1.Status, a1.AgentConnected)
	}
	w.run(time.Minute)
	if svc.healthy != 2 {
		t.Fatalf("service healthy %d, want replacement on b1", svc.healthy)
	}
	// A normal stop deletes the ENI.
	other := svc.live[0]
	e2 := other.eni
	w.do(func() { w.ecs.StopTask(StopTaskInput{Cluster: "web", Task: other.TaskArn}) })
	w.run(10 * time.Second)
	if _, ok := w.net.enis[e2]; ok {
		t.Fatalf("normally stopped task left ENI %s (%s)", e2, w.net.enis[e2])
	}
}

func TestAgentDisconnectStallsStopUntilReconnect(t *testing.T) {
	w := newWorld(t, Options{})
	w.host("i-a1", "us-east-1a", 2, 4096)
	tk := runOne(t, w, w.taskdef("app", 256, 512, Timings{}))
	w.run(time.Minute)
	w.do(func() {
		if err := w.ecs.DisconnectAgent("i-a1"); err != nil {
			t.Fatal(err)
		}
		w.ecs.StopTask(StopTaskInput{Cluster: "web", Task: tk.TaskArn})
	})
	w.run(30 * time.Minute)
	if tk.DesiredStatus != StatusStopped || tk.LastStatus != StatusRunning {
		t.Fatalf("disconnected: %s/%s, want RUNNING/STOPPED", tk.LastStatus, tk.DesiredStatus)
	}
	w.do(func() {
		out, err := w.ecs.RunTask(RunTaskInput{Cluster: "web", TaskDefinition: "app"})
		if err != nil || len(out.Failures) != 1 {
			t.Fatalf("placement on a disconnected agent: %v %+v", err, out)
		}
	})
	w.do(func() { w.ecs.ReconnectAgent("i-a1") })
	w.run(10 * time.Second)
	if tk.LastStatus != StatusStopped {
		t.Fatalf("after reconnect: %s", tk.LastStatus)
	}
}

func TestStuckStoppingUntilHostGoes(t *testing.T) {
	w := newWorld(t, Options{})
	w.host("i-a1", "us-east-1a", 2, 4096)
	tk := runOne(t, w, w.taskdef("app", 256, 512, Timings{}))
	w.run(time.Minute)
	w.do(func() {
		if err := w.ecs.StickInStopping(tk.TaskArn); err != nil {
			t.Fatal(err)
		}
		wantCode(t, w.ecs.StickInStopping("nope"), "InvalidParameterException")
		w.ecs.StopTask(StopTaskInput{Cluster: "web", Task: tk.TaskArn})
	})
	w.run(2 * time.Hour)
	if tk.LastStatus != StatusStopping {
		t.Fatalf("stuck task: %s", tk.LastStatus)
	}
	w.do(func() { w.ecs.InstanceStopping("i-a1") })
	if tk.LastStatus != StatusStopped {
		t.Fatalf("after host stop: %s", tk.LastStatus)
	}
}

func TestFaultRates(t *testing.T) {
	w := newWorld(t, Options{})
	w.host("i-a1", "us-east-1a", 2, 4096)
	w.ecs.SetFaults(Faults{StuckStoppingRate: 1})
	tk := runOne(t, w, w.taskdef("app", 256, 512, Timings{}))
	w.run(time.Minute)
	w.do(func() { w.ecs.StopTask(StopTaskInput{Cluster: "web", Task: tk.TaskArn}) })
	w.run(time.Hour)
	if tk.LastStatus != StatusStopping {
		t.Fatalf("StuckStoppingRate 1: %s", tk.LastStatus)
	}
}
