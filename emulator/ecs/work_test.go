package ecs

import (
	"testing"
	"time"
)

// TaskWork's Healthy is the wait the scheduler plays: 40 s after RUNNING
// for a service task without a load balancer or health check, a health
// check's interval, the label when given, nothing for a standalone task.
func TestTaskWorkHealthIsWhatTheSchedulerWaits(t *testing.T) {
	w := newWorld(t, Options{})
	w.host("i-a1", "us-east-1a", 4, 16384)
	plain := w.taskdef("plain", 128, 128, Timings{Start: 20 * time.Second})
	labelled := w.taskdef("labelled", 128, 128, Timings{Start: 20 * time.Second, Healthy: 7 * time.Second})
	w.do(func() {
		_, err := w.ecs.RegisterTaskDefinition(RegisterTaskDefinitionInput{Family: "checked", ContainerDefinitions: []ContainerDefinition{{
			Name: "app", Image: "app", Memory: i32(128), HealthCheck: &HealthCheck{Command: []string{"CMD", "true"}, Interval: i32(15)}}}})
		if err != nil {
			t.Fatal(err)
		}
	})
	tests := []struct {
		td   string
		want time.Duration
	}{{plain, 40 * time.Second}, {labelled, 7 * time.Second}, {"checked", 15 * time.Second}}
	for i, tt := range tests {
		name := string(rune('a' + i))
		svc := w.service(CreateServiceInput{ServiceName: name, TaskDefinition: tt.td, DesiredCount: i32(1)})
		w.run(20 * time.Second) // RUNNING now
		var task *Task
		w.do(func() { task = svc.Live()[0] })
		if task.LastStatus != StatusRunning {
			t.Fatalf("%s: %s after its start time", name, task.LastStatus)
		}
		if got := w.ecs.TaskWork(task).Healthy; got != tt.want {
			t.Fatalf("%s: TaskWork healthy %v, want %v", name, got, tt.want)
		}
		w.run(tt.want - time.Second)
		if task.Healthy() {
			t.Fatalf("%s: healthy a second early", name)
		}
		w.run(time.Second)
		if !task.Healthy() || w.ecs.HealthyCount("web", name) != 1 {
			t.Fatalf("%s: not healthy at %v", name, tt.want)
		}
	}
	var standalone *Task
	w.do(func() {
		out, err := w.ecs.RunTask(RunTaskInput{Cluster: "web", TaskDefinition: plain})
		if err != nil || len(out.Tasks) != 1 {
			t.Fatalf("RunTask %v %+v", err, out)
		}
		standalone = w.ecs.Task(out.Tasks[0].TaskArn)
	})
	if got := w.ecs.TaskWork(standalone).Healthy; got != 0 {
		t.Fatalf("standalone TaskWork healthy %v, want 0", got)
	}
}
