package ecs

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// TestScaleBuild places 100,000 tasks on 10,000 instances (a tenth of that
// under -race or -short) and checks time and memory.
func TestScaleBuild(t *testing.T) {
	instances, perService, services := 10000, 10000, 10
	if raceEnabled || testing.Short() {
		instances, perService = 1000, 1000
	}
	began := time.Now()
	w := newWorld(t, Options{Events: nil})
	w.ecs.events = nil // nobody listens: no snapshots
	w.do(func() {
		for i := range instances {
			w.ecs.InstanceRunning(HostInfo{EC2InstanceID: fmt.Sprintf("i-%05d", i), InstanceType: "m5.2xlarge",
				AZ: "us-east-1" + string(rune('a'+i%3)), VCPU: 8, MemoryMiB: 32768, UserData: "ECS_CLUSTER=web"})
		}
	})
	w.run(15 * time.Second)
	td := w.taskdef("app", 256, 512, Timings{})
	for i := range services {
		w.service(CreateServiceInput{ServiceName: fmt.Sprintf("s%d", i), TaskDefinition: td, DesiredCount: i32(int32(perService))})
	}
	w.run(2 * time.Minute)
	total := 0
	for i := range services {
		total += w.ecs.HealthyCount("web", fmt.Sprintf("s%d", i))
	}
	if total != services*perService {
		t.Fatalf("healthy %d, want %d", total, services*perService)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("%d tasks on %d instances in %v, heap %d MiB", total, instances, time.Since(began), ms.HeapAlloc>>20)
	if ms.HeapAlloc > 2<<30 {
		t.Fatalf("heap %d MiB", ms.HeapAlloc>>20)
	}
	runtime.KeepAlive(w)
}

// TestScaleDayOfChurn runs 24 virtual hours of 1,000 instances whose
// service tasks exit by themselves and are replaced, with drains and host
// replacement every few minutes.
func TestScaleDayOfChurn(t *testing.T) {
	instances, hours := 1000, 24
	if raceEnabled || testing.Short() {
		instances, hours = 100, 3
	}
	began := time.Now()
	w := newWorld(t, Options{})
	w.ecs.events = nil
	next := 0
	addHost := func() {
		w.ecs.InstanceRunning(HostInfo{EC2InstanceID: fmt.Sprintf("i-%05d", next), InstanceType: "m5.2xlarge",
			AZ: "us-east-1" + string(rune('a'+next%3)), VCPU: 8, MemoryMiB: 32768, UserData: "ECS_CLUSTER=web"})
		next++
	}
	w.do(func() {
		for range instances {
			addHost()
		}
	})
	w.run(15 * time.Second)
	daemon := w.taskdef("agent", 64, 128, Timings{})
	w.service(CreateServiceInput{ServiceName: "agent", TaskDefinition: daemon, SchedulingStrategy: "DAEMON"})
	for i := range 10 {
		td := w.taskdef(fmt.Sprintf("app%d", i), 256, 512, Timings{Run: time.Duration(30+i*7) * time.Minute})
		w.service(CreateServiceInput{ServiceName: fmt.Sprintf("s%d", i), TaskDefinition: td, DesiredCount: i32(int32(instances)),
			DeploymentConfiguration: &DeploymentConfiguration{MinimumHealthyPercent: i32(50), MaximumPercent: i32(200)}})
	}
	// Every 5 minutes drain the oldest ACTIVE instance; 10 minutes later
	// its host goes away and a new one comes.
	changes := 0
	w.ecs.OnTaskChange(func(*Task, string, string) { changes++ })
	oldest := 0
	var tick func()
	tick = func() {
		ci := w.ecs.ContainerInstanceByEC2(fmt.Sprintf("i-%05d", oldest))
		oldest++
		if ci != nil && ci.Status == "ACTIVE" {
			w.ecs.UpdateContainerInstancesState(UpdateContainerInstancesStateInput{Cluster: "web", ContainerInstances: []string{ci.id}, Status: "DRAINING"})
			id := ci.Ec2InstanceId
			w.env.After(10*time.Minute, func() { w.ecs.InstanceStopping(id); addHost() })
		}
		w.env.After(5*time.Minute, tick)
	}
	w.env.After(5*time.Minute, tick)
	w.run(time.Duration(hours) * time.Hour)
	healthy := 0
	for i := range 10 {
		healthy += w.ecs.HealthyCount("web", fmt.Sprintf("s%d", i))
	}
	t.Logf("%d virtual hours, %d instances, %d task changes, %d healthy at the end, in %v", hours, instances, changes, healthy, time.Since(began))
	if healthy < 10*instances*9/10 {
		t.Fatalf("only %d healthy of %d", healthy, 10*instances)
	}
}
