// Package emulator is the emulated AWS world drainer lives in: EC2, Auto
// Scaling with lifecycle hooks, ECS with its service scheduler, SQS, SNS
// and EventBridge, wired together on one virtual clock under one lock.
//
// A world is one account in one Region (Config.Region, default us-east-1):
// every ARN and queue URL names that Region, and the wire front refuses a
// request signed for another.
//
// A World is built empty (New) or from a scenario (package
// emulator/scenario). Everything enters it either as an API call (Call,
// which applies injected faults and writes the call log) or as an event on
// its clock, so a seeded run is reproducible. In discrete mode the owner
// moves time with w.Clock.RunFor and friends; in scaled real-time mode
// w.Clock.RunScaled moves it while API calls arrive from other goroutines.
package emulator

import (
	"errors"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/core"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/ecs"
	"github.com/drainer-dev/drainer/emulator/eventbridge"
	"github.com/drainer-dev/drainer/emulator/fault"
	"github.com/drainer-dev/drainer/emulator/sns"
	"github.com/drainer-dev/drainer/emulator/sqs"
)

// DefaultStart is where virtual time begins unless a Config says otherwise.
var DefaultStart = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// Config configures a World. The cross-service seams in the per-service
// options (event sinks, fleets, queues, networks) are set by New.
type Config struct {
	Seed    uint64
	Start   time.Time
	Region  string
	Account string

	EC2         ec2.Options
	AutoScaling autoscaling.Options
	ECS         ecs.Options
	SQS         sqs.Options
	SNS         sns.Options // URLBase defaults to SQS.URLBase when that is set
	EventBridge eventbridge.Options

	// CallLogLimit caps the calls kept in memory (the counts stay exact);
	// default 100,000.
	CallLogLimit int

	// Throttle is the throttling profile every API call draws on from the
	// start (nil: none); see fault.AWS. A scenario applied to the world
	// is built unthrottled, and one naming a profile of its own replaces
	// it.
	Throttle *fault.Profile
}

// SetRegion sets Region to name, or returns an error when name is empty;
// it has the shape of flag.FlagSet.Func's argument.
func (c *Config) SetRegion(name string) error {
	if name == "" {
		return errors.New("must name a Region, e.g. " + core.DefaultRegion)
	}
	c.Region = name
	return nil
}

// SetThrottle sets Throttle to the profile named name ("" for none), or
// returns an error naming the known profiles; it has the shape of
// flag.FlagSet.Func's argument.
func (c *Config) SetThrottle(name string) error {
	if name == "" {
		c.Throttle = nil
		return nil
	}
	p, err := fault.LookupProfile(name)
	if err != nil {
		return err
	}
	c.Throttle = p
	return nil
}

// World is the whole emulated account and region.
type World struct {
	Clock *clock.Virtual
	Env   *core.Env

	EC2         *ec2.Service
	AutoScaling *autoscaling.Service
	ECS         *ecs.Service
	SQS         *sqs.Service
	SNS         *sns.Service
	EventBridge *eventbridge.Service

	Faults *fault.Injector
	Calls  *CallLog
	Series *Series
	trace  trace
}

// New builds an empty world and wires its services together.
func New(cfg Config) *World {
	if cfg.Start.IsZero() {
		cfg.Start = DefaultStart
	}
	c := clock.NewVirtual(cfg.Start)
	env := core.NewEnv(c, core.Options{Region: cfg.Region, Account: cfg.Account, Seed: cfg.Seed})
	w := &World{
		Clock:  c,
		Env:    env,
		Faults: fault.New(),
		Calls:  newCallLog(cfg.CallLogLimit),
	}
	w.Faults.SetProfile(cfg.Throttle)

	w.SQS = sqs.New(env, cfg.SQS)
	cfg.SNS.Queues = topicQueues{w.SQS}
	if cfg.SNS.URLBase == "" {
		cfg.SNS.URLBase = cfg.SQS.URLBase // one endpoint serves both
	}
	w.SNS = sns.New(env, cfg.SNS)
	cfg.EventBridge.Queues = w.SQS
	w.EventBridge = eventbridge.New(env, cfg.EventBridge)

	cfg.EC2.Events = w.EventBridge
	w.EC2 = ec2.New(env, cfg.EC2)

	cfg.ECS.Events = w.EventBridge
	cfg.ECS.Network = network{w.EC2}
	cfg.ECS.Groups = capacityGroups{w}
	w.ECS = ecs.New(env, cfg.ECS)

	cfg.AutoScaling.Fleet = fleet{w.EC2}
	cfg.AutoScaling.Queues = notificationTargets{sqs: w.SQS, sns: w.SNS}
	cfg.AutoScaling.Events = w.EventBridge
	w.AutoScaling = autoscaling.New(env, cfg.AutoScaling)

	// EC2 is the ground truth of hosts: Auto Scaling and the ECS agent
	// learn of every host change from it, in this order.
	w.EC2.OnStateChange(w.hostChanged)
	w.EC2.OnSpotInterruption(func(inst *ec2.Instance, at time.Time) {
		w.trace.add(at, "spot-warning", inst.ID)
		w.ECS.SpotInterruption(inst.ID)
		w.AutoScaling.SpotInterruption(inst.ID, at)
	})
	w.EC2.OnRebalanceRecommendation(func(inst *ec2.Instance) {
		w.trace.add(w.Env.Now(), "rebalance", inst.ID)
		w.AutoScaling.RebalanceRecommendation(inst.ID)
	})

	w.Series = newSeries(w)
	w.AutoScaling.OnLifecycleChange(func(group, id, from, to string) {
		w.trace.add(w.Env.Now(), "asg", id, to)
		w.Series.groupChanged(group)
		if to == autoscaling.StateTerminatingWait {
			// ECS hears of the lifecycle action through EventBridge.
			w.ECS.InstanceTerminating(id, w.groupARN(group))
		}
	})
	w.ECS.OnTaskChange(func(t *ecs.Task, fromLast, fromDesired string) {
		w.trace.add(w.Env.Now(), "task", t.TaskArn, t.LastStatus, t.DesiredStatus)
		w.Series.taskChanged(t)
	})
	w.ECS.OnContainerInstanceChange(func(ci *ecs.ContainerInstance) {
		w.Series.containerInstanceChanged(ci)
	})
	env.OnEvent(w.Series.flush)
	return w
}

func (w *World) hostChanged(inst *ec2.Instance, from ec2.State) {
	w.trace.add(w.Env.Now(), "ec2", inst.ID, string(inst.State))
	switch inst.State {
	case ec2.StateRunning:
		w.AutoScaling.InstanceRunning(inst.ID)
		w.ECS.InstanceRunning(w.hostInfo(inst))
	case ec2.StateShuttingDown:
		w.ECS.InstanceStopping(inst.ID)
	case ec2.StateTerminated:
		w.AutoScaling.InstanceTerminated(inst.ID)
	}
}

// hostInfo is what the ECS agent knows of its host.
func (w *World) hostInfo(inst *ec2.Instance) ecs.HostInfo {
	h := ecs.HostInfo{
		EC2InstanceID: inst.ID,
		InstanceType:  inst.InstanceType,
		AZ:            inst.AZ,
		AMI:           inst.ImageID,
		UserData:      inst.UserData,
		Spot:          inst.Spot,
	}
	if t, ok := ec2.LookupType(inst.InstanceType); ok {
		h.VCPU, h.MemoryMiB = t.VCPU, t.MemoryMiB
	}
	for _, tag := range inst.Tags {
		if tag.Key == "aws:autoscaling:groupName" {
			h.AutoScalingGroupARN = w.groupARN(tag.Value)
		}
	}
	return h
}

// OnEvent registers check to run under the world lock after every event and
// every call; scenario tests check DESIGN.md's invariants this way.
func (w *World) OnEvent(check func()) { w.Env.OnEvent(check) }

// Do runs f under the world lock (for reading the world consistently while
// it runs in scaled mode).
func (w *World) Do(f func()) { w.Env.Do(f) }

// Now is the world's virtual time.
func (w *World) Now() time.Time { return w.Clock.Now() }

// Trace returns a fingerprint of everything that has happened in the world
// (host, lifecycle and task changes with their times) and how many changes
// it covers: two runs of the same scenario and seed give the same trace.
func (w *World) Trace() (hash uint64, changes int) { return w.trace.sum, w.trace.n }

// clusterName extracts the cluster from an ECS container-instance or task
// ARN (…:container-instance/CLUSTER/ID).
func clusterName(arn string) string {
	_, rest, ok := strings.Cut(arn, "/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// groupARN returns the ARN of an Auto Scaling group, "" if it is unknown.
func (w *World) groupARN(name string) string {
	out, err := w.AutoScaling.DescribeAutoScalingGroups(autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
	if err != nil || len(out.AutoScalingGroups) == 0 {
		return ""
	}
	return out.AutoScalingGroups[0].AutoScalingGroupARN
}
