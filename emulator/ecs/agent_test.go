package ecs

import (
	"testing"
	"time"
)

// A host's agent gives its containers without a stopTimeout its own stop
// timeout; a container's stopTimeout still wins, and the floor reports the
// same stop.
func TestAgentStopTimeoutAppliesToContainersWithoutTheirOwn(t *testing.T) {
	w := newWorld(t, Options{})
	w.do(func() {
		w.ecs.InstanceRunning(HostInfo{EC2InstanceID: "i-slow", InstanceType: "m5.xlarge", AZ: "us-east-1a", VCPU: 4, MemoryMiB: 16384,
			UserData: "echo ECS_CLUSTER=web >> /etc/ecs/ecs.config\necho ECS_CONTAINER_STOP_TIMEOUT=3m >> /etc/ecs/ecs.config"})
	})
	w.run(15 * time.Second)
	ci := w.ecs.ContainerInstanceByEC2("i-slow")
	if ci == nil || ci.AgentStopTimeout() != 3*time.Minute {
		t.Fatalf("container instance %v, agent stop timeout want 3m", ci)
	}
	stubborn := w.taskdef("stubborn", 128, 128, Timings{Stop: time.Hour})
	var own string
	w.do(func() {
		out, err := w.ecs.RegisterTaskDefinition(RegisterTaskDefinitionInput{Family: "own", ContainerDefinitions: []ContainerDefinition{{
			Name: "app", Image: "app", Memory: i32(128), StopTimeout: i32(10), DockerLabels: Timings{Stop: time.Hour}.Labels()}}})
		if err != nil {
			t.Fatal(err)
		}
		own = out.TaskDefinition.TaskDefinitionArn
	})
	stopAfter := func(td string) (time.Duration, Work) {
		t.Helper()
		var task *Task
		w.do(func() {
			out, err := w.ecs.StartTask(StartTaskInput{Cluster: "web", TaskDefinition: td, ContainerInstances: []string{ci.ContainerInstanceArn}})
			if err != nil || len(out.Tasks) != 1 {
				t.Fatalf("StartTask: %v %+v", err, out)
			}
			task = w.ecs.Task(out.Tasks[0].TaskArn)
		})
		w.run(time.Minute)
		var work Work
		w.do(func() {
			work = w.ecs.TaskWork(task)
			if _, err := w.ecs.StopTask(StopTaskInput{Cluster: "web", Task: task.TaskArn}); err != nil {
				t.Fatal(err)
			}
		})
		w.run(10 * time.Minute)
		if task.LastStatus != StatusStopped || task.Containers[0].ExitCode == nil || *task.Containers[0].ExitCode != 137 {
			t.Fatalf("%s: %s exit %v, want STOPPED by SIGKILL", td, task.LastStatus, task.Containers[0].ExitCode)
		}
		return task.ExecutionStoppedAt.Sub(task.StoppingAt.Time), work
	}
	if d, work := stopAfter(stubborn); d != 3*time.Minute || work.Stop != 3*time.Minute {
		t.Fatalf("without a stopTimeout: killed after %v (work says %v), want the agent's 3m", d, work.Stop)
	}
	if d, work := stopAfter(own); d != 10*time.Second || work.Stop != 10*time.Second {
		t.Fatalf("with stopTimeout 10: killed after %v (work says %v), want 10s", d, work.Stop)
	}
}
