package ecs

import (
	"sort"
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

// Options configure the emulated ECS.
type Options struct {
	AgentRegisterDelay   time.Duration  // EC2 running → container instance registered; default 15s
	DeregistrationDelay  time.Duration  // load balancer deregistration before SIGTERM, for services with loadBalancers; default 30s
	StoppedTaskRetention time.Duration  // STOPPED tasks stay visible; default 1h
	Events               core.EventSink // nil → core.Discard
	Network              Network        // ENIs for awsvpc tasks; nil → tasks get no ENI
	// Groups lets capacity providers' managed draining and managed
	// termination protection act on Auto Scaling (managed.go); nil → they
	// are stored only.
	Groups Groups
}

// Network provides elastic network interfaces for awsvpc tasks (the EC2
// emulator in a wired world).
type Network interface {
	Attach(ec2InstanceID, description string) (eniID string, err error)
	Detach(eniID string, leak bool) // leak: leave it "available" instead of deleting it
}

// HostInfo describes the EC2 instance an agent runs on.
type HostInfo struct {
	EC2InstanceID, InstanceType, AZ, AMI string
	VCPU, MemoryMiB                      int
	// UserData is plain text; ECS_CLUSTER=name (default "default"),
	// ECS_ENABLE_SPOT_INSTANCE_DRAINING=true and
	// ECS_CONTAINER_STOP_TIMEOUT (see AgentStopTimeout) are read wherever
	// they appear.
	UserData string
	Spot     bool
	// AutoScalingGroupARN is "" when not in a group; it is matched against
	// the cluster's capacity providers.
	AutoScalingGroupARN string
}

// Faults are injected failure rates.
type Faults struct {
	StuckStoppingRate float64 // a stopping task hangs in STOPPING until its host goes away
	LeakENIRate       float64 // a normally stopped task's ENI is detached with leak=true
}

// Service is the emulated ECS of one account and region.
type Service struct {
	env    *core.Env
	opts   Options
	events core.EventSink // nil when nobody listens: snapshots are not built
	faults Faults

	clusters     []*cluster
	clusterByKey map[string]*cluster
	hosts        map[string]*host // by EC2 instance id
	ciByID       map[string]*ContainerInstance
	taskByID     map[string]*Task
	families     map[string][]*TaskDefinition
	cps          []*CapacityProvider
	cpByName     map[string]*CapacityProvider

	seq          int64
	dirty        []*ECSService
	flushPending bool
	flushing     bool

	taskObs []func(t *Task, fromLastStatus, fromDesiredStatus string)
	ciObs   []func(ci *ContainerInstance)
}

// New returns an empty ECS (no clusters) living in env.
func New(env *core.Env, opts Options) *Service {
	if opts.AgentRegisterDelay == 0 {
		opts.AgentRegisterDelay = 15 * time.Second
	}
	if opts.DeregistrationDelay == 0 {
		opts.DeregistrationDelay = 30 * time.Second
	}
	if opts.StoppedTaskRetention == 0 {
		opts.StoppedTaskRetention = time.Hour
	}
	s := &Service{
		env:          env,
		opts:         opts,
		events:       opts.Events,
		clusterByKey: map[string]*cluster{},
		hosts:        map[string]*host{},
		ciByID:       map[string]*ContainerInstance{},
		taskByID:     map[string]*Task{},
		families:     map[string][]*TaskDefinition{},
		cpByName:     map[string]*CapacityProvider{},
	}
	return s
}

// SetFaults sets the injected failure rates.
func (s *Service) SetFaults(f Faults) { s.faults = f }

// OnTaskChange registers fn to be called, synchronously and in registration
// order, after every lastStatus or desiredStatus change of a task and when a
// task becomes healthy (then both "from" values are its current ones).
func (s *Service) OnTaskChange(fn func(t *Task, fromLastStatus, fromDesiredStatus string)) {
	s.taskObs = append(s.taskObs, fn)
}

// OnContainerInstanceChange registers fn to be called after a container
// instance registers or changes status or agent connection.
func (s *Service) OnContainerInstanceChange(fn func(ci *ContainerInstance)) {
	s.ciObs = append(s.ciObs, fn)
}

func (s *Service) nextSeq() int64 { s.seq++; return s.seq }

// ClusterNames returns the cluster names in creation order.
func (s *Service) ClusterNames() []string {
	out := make([]string, len(s.clusters))
	for i, c := range s.clusters {
		out[i] = c.name
	}
	return out
}

// Tasks returns the cluster's tasks still visible (STOPPED ones until their
// retention ends), in creation order. Ground truth: do not modify.
func (s *Service) Tasks(clusterName string) []*Task {
	c := s.clusterByKey[clusterName]
	if c == nil {
		return nil
	}
	out := make([]*Task, 0, len(c.tasks)-c.removed)
	for _, t := range c.tasks {
		if !t.removed {
			out = append(out, t)
		}
	}
	return out
}

// TasksOn returns the visible tasks placed on a container instance (ARN or
// id), in creation order.
func (s *Service) TasksOn(containerInstanceArn string) []*Task {
	ci := s.ciByID[lastSegment(containerInstanceArn)]
	if ci == nil {
		return nil
	}
	out := append([]*Task(nil), ci.tasks...)
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// Task returns a visible task by ARN or id, or nil.
func (s *Service) Task(arn string) *Task { return s.taskByID[lastSegment(arn)] }

// ContainerInstances returns the cluster's container instances (INACTIVE
// ones included) in registration order.
func (s *Service) ContainerInstances(clusterName string) []*ContainerInstance {
	c := s.clusterByKey[clusterName]
	if c == nil {
		return nil
	}
	return append([]*ContainerInstance(nil), c.instances...)
}

// ContainerInstanceByEC2 returns the container instance of an EC2 instance,
// or nil before its agent registered.
func (s *Service) ContainerInstanceByEC2(ec2ID string) *ContainerInstance {
	if h := s.hosts[ec2ID]; h != nil {
		return h.ci
	}
	return nil
}

// Services returns the cluster's services (INACTIVE ones included) in
// creation order.
func (s *Service) Services(clusterName string) []*ECSService {
	c := s.clusterByKey[clusterName]
	if c == nil {
		return nil
	}
	return append([]*ECSService(nil), c.services...)
}

// Service returns the newest service of that name in the cluster, or nil.
func (s *Service) Service(clusterName, name string) *ECSService {
	c := s.clusterByKey[clusterName]
	if c == nil {
		return nil
	}
	return c.svcByName[name]
}

// HealthyCount returns the number of healthy tasks of a service: desired
// and last status RUNNING, past their health delay, not orphaned.
func (s *Service) HealthyCount(clusterName, service string) int {
	if svc := s.Service(clusterName, service); svc != nil {
		return svc.healthy
	}
	return 0
}

// TaskClass tells what owns a task: "service", "daemon" or "standalone".
func (s *Service) TaskClass(t *Task) string {
	switch {
	case t.svc == nil:
		return "standalone"
	case t.svc.daemon:
		return "daemon"
	}
	return "service"
}
