package ecs

import (
	"fmt"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/emulator/core"
)

var start = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// world is a tiny harness: one ECS on a virtual clock.
type world struct {
	t   *testing.T
	c   *clock.Virtual
	env *core.Env
	ecs *Service
	net *fakeNet
	rec *core.Recorder
}

func newWorld(t *testing.T, opts Options) *world {
	t.Helper()
	c := clock.NewVirtual(start)
	env := core.NewEnv(c, core.Options{Seed: 1})
	w := &world{t: t, c: c, env: env, net: &fakeNet{enis: map[string]string{}}, rec: &core.Recorder{}}
	if opts.Network == nil {
		opts.Network = w.net
	}
	if opts.Events == nil {
		opts.Events = w.rec
	}
	w.ecs = New(env, opts)
	w.do(func() {
		if _, err := w.ecs.CreateCluster(CreateClusterInput{ClusterName: "web"}); err != nil {
			t.Fatal(err)
		}
	})
	return w
}

func (w *world) do(f func()) { w.env.Do(f) }

func (w *world) run(d time.Duration) { w.c.RunFor(d) }

// host starts an agent on a new EC2 instance in cluster "web" and waits
// for it to register.
func (w *world) host(id, az string, vcpu, memMiB int) *ContainerInstance {
	w.t.Helper()
	w.do(func() {
		w.ecs.InstanceRunning(HostInfo{EC2InstanceID: id, InstanceType: "m5.xlarge", AZ: az, AMI: "ami-1",
			VCPU: vcpu, MemoryMiB: memMiB, UserData: "#!/bin/bash\necho ECS_CLUSTER=web >> /etc/ecs/ecs.config"})
	})
	w.run(15 * time.Second)
	ci := w.ecs.ContainerInstanceByEC2(id)
	if ci == nil {
		w.t.Fatalf("%s did not register", id)
	}
	return ci
}

func (w *world) taskdef(family string, cpu, mem int, tm Timings) string {
	w.t.Helper()
	var arn string
	w.do(func() {
		out, err := w.ecs.RegisterTaskDefinition(RegisterTaskDefinitionInput{
			Family: family,
			ContainerDefinitions: []ContainerDefinition{{
				Name: "app", Image: "nginx", Cpu: int32(cpu), Memory: i32(int32(mem)),
				PortMappings: []PortMapping{{ContainerPort: i32(80)}},
				DockerLabels: tm.Labels(),
			}},
		})
		if err != nil {
			w.t.Fatal(err)
		}
		arn = out.TaskDefinition.TaskDefinitionArn
	})
	return arn
}

func (w *world) service(in CreateServiceInput) *ECSService {
	w.t.Helper()
	if in.Cluster == "" {
		in.Cluster = "web"
	}
	w.do(func() {
		if _, err := w.ecs.CreateService(in); err != nil {
			w.t.Fatal(err)
		}
	})
	return w.ecs.Service("web", in.ServiceName)
}

func (w *world) drain(cis ...*ContainerInstance) {
	w.t.Helper()
	var arns []string
	for _, ci := range cis {
		arns = append(arns, ci.ContainerInstanceArn)
	}
	w.do(func() {
		out, err := w.ecs.UpdateContainerInstancesState(UpdateContainerInstancesStateInput{Cluster: "web", ContainerInstances: arns, Status: "DRAINING"})
		if err != nil || len(out.Failures) > 0 {
			w.t.Fatalf("drain: %v %+v", err, out)
		}
	})
}

// live returns the tasks on ci whose lastStatus is not STOPPED.
func live(ts []*Task) []*Task {
	var out []*Task
	for _, t := range ts {
		if t.LastStatus != StatusStopped {
			out = append(out, t)
		}
	}
	return out
}

func (w *world) liveOn(ci *ContainerInstance) []*Task {
	return live(w.ecs.TasksOn(ci.ContainerInstanceArn))
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := core.CodeOf(err); got != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
	if e, ok := err.(*core.Error); ok && e.Status != 400 {
		t.Fatalf("status %d, want 400", e.Status)
	}
}

// fakeNet is an in-test Network: ENIs are "in-use" until detached, then
// deleted or left "available".
type fakeNet struct {
	n    int
	enis map[string]string
	fail bool
}

func (f *fakeNet) Attach(ec2ID, desc string) (string, error) {
	if f.fail {
		return "", fmt.Errorf("InsufficientFreeAddressesInSubnet")
	}
	f.n++
	id := fmt.Sprintf("eni-%04d", f.n)
	f.enis[id] = "in-use"
	return id, nil
}

func (f *fakeNet) Detach(id string, leak bool) {
	if leak {
		f.enis[id] = "available"
	} else {
		delete(f.enis, id)
	}
}
