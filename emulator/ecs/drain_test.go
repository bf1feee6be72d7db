package ecs

import (
	"testing"
	"time"
)

// drainWorld: four instances over three AZs and a service of 6 tasks placed
// by spread(AZ) + binpack(memory), so the two tasks of AZ a share a1.
func drainWorld(t *testing.T, minPct, maxPct int32, lb bool) (*world, *ECSService, *ContainerInstance) {
	w := newWorld(t, Options{})
	a1 := w.host("i-a1", "us-east-1a", 2, 4096)
	w.host("i-a2", "us-east-1a", 2, 4096)
	w.host("i-b1", "us-east-1b", 2, 4096)
	w.host("i-c1", "us-east-1c", 2, 4096)
	td := w.taskdef("api", 256, 512, Timings{Start: 20 * time.Second, Stop: 5 * time.Second})
	in := CreateServiceInput{ServiceName: "api", TaskDefinition: td, DesiredCount: i32(6),
		DeploymentConfiguration: &DeploymentConfiguration{MinimumHealthyPercent: i32(minPct), MaximumPercent: i32(maxPct)}}
	if lb {
		in.LoadBalancers = []LoadBalancer{{TargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/1", ContainerName: "app", ContainerPort: i32(80)}}
	}
	svc := w.service(in)
	w.run(2 * time.Minute)
	if got := w.ecs.HealthyCount("web", "api"); got != 6 {
		t.Fatalf("healthy before drain = %d, want 6", got)
	}
	if n := len(w.liveOn(a1)); n != 2 {
		t.Fatalf("a1 holds %d tasks, want 2 (binpack within AZ a)", n)
	}
	return w, svc, a1
}

// watchMinHealthy fails the test if the service ever drops below its
// minimum healthy count, checked at every task change.
func watchMinHealthy(t *testing.T, w *world, svc *ECSService, min int) *int {
	low := 1 << 30
	w.ecs.OnTaskChange(func(tk *Task, _, _ string) {
		h := svc.healthy
		if h < low {
			low = h
		}
		if h < min {
			t.Errorf("healthy dropped to %d (< %d) when %s went %s/%s", h, min, tk.id, tk.LastStatus, tk.DesiredStatus)
		}
	})
	return &low
}

func TestDrainMovesTasksWithinLimits(t *testing.T) {
	for _, tc := range []struct {
		name           string
		minPct, maxPct int32
		minHealthy     int
		wantLow        int // the lowest healthy count this configuration should reach
	}{
		{"50/200 stops before replacing", 50, 200, 3, 4},
		{"100/200 replaces before stopping", 100, 200, 6, 6},
		{"0/100 stops then replaces", 0, 100, 0, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, svc, a1 := drainWorld(t, tc.minPct, tc.maxPct, false)
			low := watchMinHealthy(t, w, svc, tc.minHealthy)
			w.drain(a1)
			w.run(10 * time.Minute)
			if n := len(w.liveOn(a1)); n != 0 {
				t.Fatalf("%d tasks still not STOPPED on the drained instance", n)
			}
			if got := w.ecs.HealthyCount("web", "api"); got != 6 {
				t.Fatalf("healthy after drain = %d, want 6", got)
			}
			if *low != tc.wantLow {
				t.Fatalf("lowest healthy during drain = %d, want %d", *low, tc.wantLow)
			}
			for _, tk := range w.ecs.TasksOn(a1.ContainerInstanceArn) {
				if tk.StopCode != "ServiceSchedulerInitiated" {
					t.Fatalf("stopCode = %q, want ServiceSchedulerInitiated", tk.StopCode)
				}
			}
			if svc.RunningCount != 6 || svc.PendingCount != 0 {
				t.Fatalf("running/pending = %d/%d, want 6/0", svc.RunningCount, svc.PendingCount)
			}
			if svc.Events[0].Message != "(service api) has reached a steady state." {
				t.Fatalf("newest event %q", svc.Events[0].Message)
			}
		})
	}
}

func TestDrain100Over100IsStuck(t *testing.T) {
	w, svc, a1 := drainWorld(t, 100, 100, false)
	watchMinHealthy(t, w, svc, 6)
	changes := 0
	w.ecs.OnTaskChange(func(*Task, string, string) { changes++ })
	w.drain(a1)
	w.run(30 * time.Minute)
	if changes != 0 {
		t.Fatalf("%d task changes, want none: 100/100 can neither start nor stop", changes)
	}
	if n := len(w.liveOn(a1)); n != 2 {
		t.Fatalf("%d tasks left on a1, want 2", n)
	}
	if len(svc.replace) != 2 {
		t.Fatalf("%d tasks marked for replacement, want 2", len(svc.replace))
	}
}

func TestDrainStopsPendingTasksAtOnce(t *testing.T) {
	w := newWorld(t, Options{})
	a1 := w.host("i-a1", "us-east-1a", 2, 4096)
	w.host("i-b1", "us-east-1b", 2, 4096)
	td := w.taskdef("slow", 256, 512, Timings{Start: 5 * time.Minute})
	w.service(CreateServiceInput{ServiceName: "slow", TaskDefinition: td, DesiredCount: i32(2)})
	w.run(time.Second)
	onA := w.liveOn(a1)
	if len(onA) != 1 || onA[0].LastStatus != StatusProvisioning {
		t.Fatalf("want one provisioning task on a1, got %d", len(onA))
	}
	w.drain(a1)
	w.run(0)
	if onA[0].DesiredStatus != StatusStopped {
		t.Fatalf("pending task on draining instance: desired %s, want STOPPED at once", onA[0].DesiredStatus)
	}
	w.run(time.Second)
	if onA[0].LastStatus != StatusStopped || onA[0].Containers[0].ExitCode != nil {
		t.Fatalf("pending task: last %s exit %v, want STOPPED without exit code", onA[0].LastStatus, onA[0].Containers[0].ExitCode)
	}
}

func TestDaemonTaskStopsLastOnDrainingInstance(t *testing.T) {
	w := newWorld(t, Options{})
	a1 := w.host("i-a1", "us-east-1a", 2, 4096)
	b1 := w.host("i-b1", "us-east-1b", 2, 4096)
	agent := w.taskdef("agent", 128, 128, Timings{Start: 5 * time.Second, Stop: 2 * time.Second})
	w.service(CreateServiceInput{ServiceName: "logs", TaskDefinition: agent, SchedulingStrategy: "DAEMON"})
	api := w.taskdef("api", 256, 512, Timings{Stop: 20 * time.Second})
	w.service(CreateServiceInput{ServiceName: "api", TaskDefinition: api, DesiredCount: i32(4),
		DeploymentConfiguration: &DeploymentConfiguration{MinimumHealthyPercent: i32(50), MaximumPercent: i32(200)}})
	job := w.taskdef("job", 128, 256, Timings{Run: 3 * time.Minute})
	w.do(func() {
		if _, err := w.ecs.StartTask(StartTaskInput{Cluster: "web", TaskDefinition: job, ContainerInstances: []string{a1.ContainerInstanceArn}}); err != nil {
			t.Fatal(err)
		}
	})
	w.run(time.Minute)
	if d := w.ecs.Service("web", "logs"); d.RunningCount != 2 {
		t.Fatalf("daemon running %d, want one per instance", d.RunningCount)
	}
	var order []string
	daemonStopAsked := time.Time{}
	lastOther := time.Time{}
	w.ecs.OnTaskChange(func(tk *Task, fromLast, fromDesired string) {
		if tk.ci != a1 {
			return
		}
		cls := w.ecs.TaskClass(tk)
		if cls == "daemon" && tk.DesiredStatus == StatusStopped && fromDesired == StatusRunning {
			daemonStopAsked = w.env.Now()
			if n := a1.nonDaemonLive; n != 0 {
				t.Errorf("daemon task asked to stop while %d other tasks still run on a1", n)
			}
		}
		if tk.LastStatus == StatusStopped {
			order = append(order, cls)
			if cls != "daemon" {
				lastOther = w.env.Now()
			}
		}
	})
	w.drain(a1)
	w.run(10 * time.Minute)
	if len(order) == 0 || order[len(order)-1] != "daemon" {
		t.Fatalf("stop order %v: daemon must stop last", order)
	}
	if daemonStopAsked.Before(lastOther) {
		t.Fatalf("daemon stop asked at %v before the last other task stopped at %v", daemonStopAsked, lastOther)
	}
	if lastOther.Sub(start) < 3*time.Minute {
		t.Fatalf("standalone job should have kept a1 busy until it finished (~3m), last other stop at +%v", lastOther.Sub(start))
	}
	if n := len(w.liveOn(a1)); n != 0 {
		t.Fatalf("%d tasks left on a1", n)
	}
	if n := len(w.liveOn(b1)); n != 5 {
		t.Fatalf("b1 holds %d tasks, want 4 api + 1 daemon", n)
	}
}

func TestStandaloneTasksIgnoreDrainingAndFinish(t *testing.T) {
	w := newWorld(t, Options{})
	a1 := w.host("i-a1", "us-east-1a", 2, 4096)
	td := w.taskdef("batch", 256, 512, Timings{Start: 10 * time.Second, Run: 20 * time.Minute})
	var arn string
	w.do(func() {
		out, err := w.ecs.RunTask(RunTaskInput{Cluster: "web", TaskDefinition: td, StartedBy: "cron"})
		if err != nil || len(out.Tasks) != 1 {
			t.Fatalf("RunTask: %v %+v", err, out)
		}
		arn = out.Tasks[0].TaskArn
		if out.Tasks[0].Group != "family:batch" {
			t.Fatalf("group %q", out.Tasks[0].Group)
		}
	})
	w.run(time.Minute)
	w.drain(a1)
	w.run(10 * time.Minute)
	tk := w.ecs.Task(arn)
	if tk.LastStatus != StatusRunning || tk.DesiredStatus != StatusRunning {
		t.Fatalf("standalone task on draining instance is %s/%s, want RUNNING", tk.LastStatus, tk.DesiredStatus)
	}
	w.run(15 * time.Minute)
	if tk.LastStatus != StatusStopped || tk.StopCode != "EssentialContainerExited" || *tk.Containers[0].ExitCode != 0 {
		t.Fatalf("standalone task ended %s %s exit %v", tk.LastStatus, tk.StopCode, tk.Containers[0].ExitCode)
	}
	if got := tk.StoppedAt.Sub(start); got != 20*time.Minute+10*time.Second+15*time.Second {
		t.Fatalf("stopped at +%v, want registration 15s + start 10s + run 20m", got)
	}
}

func TestLoadBalancedDrainWaitsForHealthAndDeregistration(t *testing.T) {
	w, svc, a1 := drainWorld(t, 100, 200, true)
	watchMinHealthy(t, w, svc, 6)
	var deactivating int
	drainAt := w.env.Now()
	w.ecs.OnTaskChange(func(tk *Task, from, _ string) {
		if tk.LastStatus == StatusDeactivating && from == StatusRunning {
			deactivating++
			if d := w.env.Now().Sub(drainAt); d != 20*time.Second+30*time.Second {
				t.Errorf("old task deregistered %v after the drain, want start 20s + health 30s", d)
			}
		}
	})
	w.drain(a1)
	w.run(10 * time.Minute)
	if deactivating != 2 || len(w.liveOn(a1)) != 0 || svc.healthy != 6 {
		t.Fatalf("deactivating %d, left on a1 %d, healthy %d", deactivating, len(w.liveOn(a1)), svc.healthy)
	}
}
