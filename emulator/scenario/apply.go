package scenario

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/ecs"
	"github.com/drainer-dev/drainer/emulator/eventbridge"
	"github.com/drainer-dev/drainer/emulator/fault"
	"github.com/drainer-dev/drainer/emulator/sqs"
)

// Caller is the name scenario actions carry in the world's call log.
const Caller = "scenario"

// Defaults a scenario falls back on.
const (
	DefaultInstanceType = "m5.large"
	DefaultImageID      = "ami-0ecs0optimized0001"
)

// Record is one thing a scenario did, in plain words, for narration and
// reports.
type Record struct {
	Time   time.Time `json:"time"`
	Action string    `json:"action"`
	// Instance is the EC2 instance the action picked, if any.
	Instance string `json:"instance,omitempty"`
	Detail   string `json:"detail"`
	Err      string `json:"error,omitempty"`
}

// Run is a scenario applied to a world: what it did so far.
type Run struct {
	Scenario *Scenario
	World    *emulator.World
	// OnRecord, when set, is called with each record as it happens (from
	// the goroutine that moves the clock).
	OnRecord func(Record)
	records  []Record
	awsvpc   map[string]bool
	sets     map[string][]string // instance set name → ids in launch order
}

// Records returns what the scenario has done so far.
func (r *Run) Records() []Record { return append([]Record(nil), r.records...) }

// Errors returns the records of actions that failed.
func (r *Run) Errors() []Record {
	var errs []Record
	for _, rec := range r.records {
		if rec.Err != "" {
			errs = append(errs, rec)
		}
	}
	return errs
}

// End is the time of the last timeline step after the start.
func (sc *Scenario) End() time.Duration {
	var end time.Duration
	for _, st := range sc.Timeline {
		end = max(end, st.At.D())
	}
	return end
}

// NewWorld builds an empty world for sc (its seed and start time) and
// applies sc to it.
func NewWorld(sc *Scenario, cfg emulator.Config) (*Run, error) {
	cfg.Seed = sc.Seed
	if !sc.Start.IsZero() {
		cfg.Start = sc.Start
	}
	return Apply(emulator.New(cfg), sc)
}

// LoadWorld builds the world of the scenario file at path, with seed
// instead of the scenario's own when it is not 0.
func LoadWorld(path string, seed uint64, cfg emulator.Config) (*Run, error) {
	sc, err := Load(path)
	if err != nil {
		return nil, err
	}
	if seed != 0 {
		sc.Seed = seed
	}
	return NewWorld(sc, cfg)
}

// Apply creates the scenario's resources in w now, through the world's API
// (so they appear in the call log), and schedules its jobs and timeline on
// w's clock.
func Apply(w *emulator.World, sc *Scenario) (*Run, error) {
	if err := sc.Validate(); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	r := &Run{Scenario: sc, World: w}
	// Building is not throttled: the world's own profile (emulator.Config
	// Throttle) and the scenario's faults apply from the first step of
	// the timeline.
	var resume func()
	w.Do(func() { resume = w.Faults.Suspend() })
	defer w.Do(resume)
	b := builder{w: w, queueARN: map[string]string{}, awsvpc: map[string]bool{}, sets: map[string][]string{}}
	steps := []func(*Scenario) error{b.queues, b.queueFaults, b.rules, b.clusters, b.taskDefinitions, b.groups, b.instanceSets, b.services, b.apiFaults}
	for _, step := range steps {
		if err := step(sc); err != nil {
			return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
		}
	}
	r.awsvpc, r.sets = b.awsvpc, b.sets
	start := w.Now()
	for i := range sc.Jobs {
		r.scheduleJob(start, sc.Jobs[i])
	}
	for i := range sc.Timeline {
		st := sc.Timeline[i]
		// Clock callbacks run outside the world lock; the step enters the
		// world through its API like any other caller.
		w.Clock.At(start.Add(st.At.D()), func() { r.do(st) })
	}
	return r, nil
}

type builder struct {
	w        *emulator.World
	queueARN map[string]string
	awsvpc   map[string]bool     // task definition families in awsvpc mode
	sets     map[string][]string // instance set name → ids launched
}

// networkFor returns the awsvpc network configuration ECS requires for
// services and tasks of awsvpc families (one emulated subnet per AZ).
func networkFor(w *emulator.World, awsvpc bool) *ecs.NetworkConfiguration {
	if !awsvpc {
		return nil
	}
	return &ecs.NetworkConfiguration{AwsvpcConfiguration: &ecs.AwsVpcConfiguration{
		Subnets: []string{"subnet-0a" + w.Env.Region, "subnet-0b" + w.Env.Region, "subnet-0c" + w.Env.Region},
	}}
}

func (b *builder) queues(sc *Scenario) error {
	// Dead-letter queues first, so redrive policies can name them.
	ordered := append([]Queue(nil), sc.Queues...)
	sort.SliceStable(ordered, func(i, j int) bool {
		return ordered[i].DeadLetterQueue == "" && ordered[j].DeadLetterQueue != ""
	})
	for _, q := range ordered {
		attrs := map[string]string{}
		if q.VisibilityTimeout > 0 {
			attrs["VisibilityTimeout"] = strconv.Itoa(int(q.VisibilityTimeout.D().Seconds()))
		}
		if q.DeadLetterQueue != "" {
			rp, _ := json.Marshal(map[string]any{"deadLetterTargetArn": b.queueARN[q.DeadLetterQueue], "maxReceiveCount": q.MaxReceiveCount})
			attrs["RedrivePolicy"] = string(rp)
		}
		out, err := emulator.Invoke(b.w, Caller, b.w.SQS.CreateQueue, sqs.CreateQueueInput{QueueName: q.Name, Attributes: attrs})
		if err != nil {
			return fmt.Errorf("queue %s: %w", q.Name, err)
		}
		ga, err := emulator.Invoke(b.w, Caller, b.w.SQS.GetQueueAttributes, sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []string{"QueueArn"}})
		if err != nil {
			return fmt.Errorf("queue %s: %w", q.Name, err)
		}
		b.queueARN[q.Name] = ga.Attributes["QueueArn"]
	}
	return nil
}

func (b *builder) rules(sc *Scenario) error {
	for _, r := range sc.Rules {
		if _, err := emulator.Invoke(b.w, Caller, b.w.EventBridge.PutRule, eventbridge.PutRuleInput{Name: r.Name, EventPattern: string(r.Pattern)}); err != nil {
			return fmt.Errorf("rule %s: %w", r.Name, err)
		}
		in := eventbridge.PutTargetsInput{Rule: r.Name, Targets: []eventbridge.Target{{Id: r.Queue, Arn: b.queueARN[r.Queue]}}}
		if _, err := emulator.Invoke(b.w, Caller, b.w.EventBridge.PutTargets, in); err != nil {
			return fmt.Errorf("rule %s targets: %w", r.Name, err)
		}
	}
	return nil
}

func (b *builder) clusters(sc *Scenario) error {
	for _, c := range sc.Clusters {
		if _, err := emulator.Invoke(b.w, Caller, b.w.ECS.CreateCluster, ecs.CreateClusterInput{ClusterName: c.Name}); err != nil {
			return fmt.Errorf("cluster %s: %w", c.Name, err)
		}
	}
	return nil
}

func (b *builder) taskDefinitions(sc *Scenario) error {
	for _, td := range sc.TaskDefinitions {
		b.awsvpc[td.Family] = td.NetworkMode == "awsvpc"
		timings := ecs.Timings{Start: td.Start.D(), Healthy: td.Healthy.D(), Stop: td.Stop.D(), Run: td.Run.D()}
		cd := ecs.ContainerDefinition{
			Name:         td.Family,
			Image:        "public.ecr.aws/drainer/" + td.Family + ":latest",
			Essential:    ptr(true),
			Cpu:          int32(td.CPU),
			Memory:       ptr(int32(td.Memory)),
			DockerLabels: timings.Labels(),
		}
		if td.StopTimeout > 0 {
			cd.StopTimeout = ptr(int32(td.StopTimeout.D().Seconds()))
		}
		in := ecs.RegisterTaskDefinitionInput{Family: td.Family, NetworkMode: td.NetworkMode, ContainerDefinitions: []ecs.ContainerDefinition{cd}}
		if _, err := emulator.Invoke(b.w, Caller, b.w.ECS.RegisterTaskDefinition, in); err != nil {
			return fmt.Errorf("task definition %s: %w", td.Family, err)
		}
	}
	return nil
}

// UserData is the launch template user data that makes an instance's ECS
// agent join cluster, as on the ECS-optimized AMI; spotDraining and a
// stopTimeout above 0 set ECS_ENABLE_SPOT_INSTANCE_DRAINING and
// ECS_CONTAINER_STOP_TIMEOUT.
func UserData(cluster string, spotDraining bool, stopTimeout time.Duration) string {
	s := "#!/bin/bash\necho ECS_CLUSTER=" + cluster + " >> /etc/ecs/ecs.config\n"
	if spotDraining {
		s += "echo ECS_ENABLE_SPOT_INSTANCE_DRAINING=true >> /etc/ecs/ecs.config\n"
	}
	if stopTimeout > 0 {
		s += "echo ECS_CONTAINER_STOP_TIMEOUT=" + stopTimeout.String() + " >> /etc/ecs/ecs.config\n"
	}
	return s
}

func (b *builder) groups(sc *Scenario) error {
	for _, g := range sc.Groups {
		if err := b.group(g); err != nil {
			return fmt.Errorf("group %s: %w", g.Name, err)
		}
	}
	return nil
}

// launchTemplate creates the launch template NAME-template whose
// instances join cluster (UserData), of instanceType (default
// DefaultInstanceType), and returns its name.
func (b *builder) launchTemplate(name, cluster, instanceType string, spotDraining bool, stopTimeout time.Duration) (string, error) {
	if instanceType == "" {
		instanceType = DefaultInstanceType
	}
	lt := name + "-template"
	_, err := emulator.Invoke(b.w, Caller, b.w.EC2.CreateLaunchTemplate, ec2.CreateLaunchTemplateInput{
		LaunchTemplateName: lt,
		LaunchTemplateData: &ec2.RequestLaunchTemplateData{
			ImageId:      DefaultImageID,
			InstanceType: instanceType,
			UserData:     base64.StdEncoding.EncodeToString([]byte(UserData(cluster, spotDraining, stopTimeout))),
		},
	})
	return lt, err
}

// zones returns azs, or by default three AZs of the world's region.
func (b *builder) zones(azs []string) []string {
	if len(azs) > 0 {
		return azs
	}
	r := b.w.Env.Region
	return []string{r + "a", r + "b", r + "c"}
}

func (b *builder) group(g Group) error {
	w := b.w
	lt, err := b.launchTemplate(g.Name, g.Cluster, g.InstanceType, g.SpotDraining, time.Duration(g.AgentStopTimeout))
	if err != nil {
		return err
	}
	azs := b.zones(g.AZs)
	in := autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName:             g.Name,
		MinSize:                          ptr(int32(g.Min)),
		MaxSize:                          ptr(int32(g.Max)),
		DesiredCapacity:                  ptr(int32(g.Desired)),
		AvailabilityZones:                azs,
		CapacityRebalance:                ptr(g.CapacityRebalance),
		NewInstancesProtectedFromScaleIn: ptr(g.ProtectNewInstances),
	}
	if g.MaxInstanceLifetime > 0 {
		in.MaxInstanceLifetime = ptr(int32(g.MaxInstanceLifetime.D().Seconds()))
	}
	spec := &autoscaling.LaunchTemplateSpecification{LaunchTemplateName: lt, Version: "$Latest"}
	if g.SpotPercent > 0 {
		in.MixedInstancesPolicy = &autoscaling.MixedInstancesPolicy{
			LaunchTemplate: &autoscaling.LaunchTemplate{LaunchTemplateSpecification: spec},
			InstancesDistribution: &autoscaling.InstancesDistribution{
				OnDemandBaseCapacity:                ptr(int32(0)),
				OnDemandPercentageAboveBaseCapacity: ptr(int32(100 - g.SpotPercent)),
			},
		}
	} else {
		in.LaunchTemplate = spec
	}
	if _, err := emulator.Invoke(w, Caller, w.AutoScaling.CreateAutoScalingGroup, in); err != nil {
		return err
	}
	for _, h := range g.Hooks {
		hin := autoscaling.PutLifecycleHookInput{
			AutoScalingGroupName: g.Name,
			LifecycleHookName:    h.Name,
			LifecycleTransition:  autoscaling.TransitionTerminating,
			DefaultResult:        h.DefaultResult,
			NotificationMetadata: h.Metadata,
		}
		if h.Transition == "launching" {
			hin.LifecycleTransition = autoscaling.TransitionLaunching
		}
		if h.HeartbeatTimeout > 0 {
			hin.HeartbeatTimeout = ptr(int32(h.HeartbeatTimeout.D().Seconds()))
		}
		if h.Queue != "" {
			hin.NotificationTargetARN = b.queueARN[h.Queue]
			hin.RoleARN = fmt.Sprintf("arn:aws:iam::%s:role/%s-hook-role", w.Env.Account, g.Name)
		}
		if _, err := emulator.Invoke(w, Caller, w.AutoScaling.PutLifecycleHook, hin); err != nil {
			return fmt.Errorf("hook %s: %w", h.Name, err)
		}
	}
	if cp := g.CapacityProvider; cp != nil {
		return b.capacityProvider(g, *cp)
	}
	return nil
}

func (b *builder) capacityProvider(g Group, cp CapacityProvider) error {
	w := b.w
	out, err := emulator.Invoke(w, Caller, w.AutoScaling.DescribeAutoScalingGroups, autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{g.Name}})
	if err != nil || len(out.AutoScalingGroups) == 0 {
		return fmt.Errorf("capacity provider %s: group not found: %v", cp.Name, err)
	}
	_, err = emulator.Invoke(w, Caller, w.ECS.CreateCapacityProvider, ecs.CreateCapacityProviderInput{
		Name: cp.Name,
		AutoScalingGroupProvider: &ecs.AutoScalingGroupProvider{
			AutoScalingGroupArn:          out.AutoScalingGroups[0].AutoScalingGroupARN,
			ManagedTerminationProtection: enabled(cp.ManagedTerminationProtection),
			ManagedDraining:              enabled(cp.ManagedDraining),
			ManagedScaling:               &ecs.ManagedScaling{Status: enabled(cp.ManagedTerminationProtection)},
		},
	})
	if err != nil {
		return fmt.Errorf("capacity provider %s: %w", cp.Name, err)
	}
	if cp.ECSProtects != nil && !*cp.ECSProtects {
		if err := w.ECS.IgnoreManagedProtection(cp.Name); err != nil {
			return fmt.Errorf("capacity provider %s: %w", cp.Name, err)
		}
	}
	// A cluster may have several providers: add this one to those it has.
	providers := []string{cp.Name}
	for _, other := range b.providersOf(g.Cluster) {
		providers = append(providers, other)
	}
	_, err = emulator.Invoke(w, Caller, w.ECS.PutClusterCapacityProviders, ecs.PutClusterCapacityProvidersInput{
		Cluster:                         g.Cluster,
		CapacityProviders:               providers,
		DefaultCapacityProviderStrategy: []ecs.CapacityProviderStrategyItem{},
	})
	if err != nil {
		return fmt.Errorf("capacity provider %s: %w", cp.Name, err)
	}
	return nil
}

func (b *builder) providersOf(cluster string) []string {
	out, err := b.w.ECS.DescribeClusters(ecs.DescribeClustersInput{Clusters: []string{cluster}})
	if err != nil || len(out.Clusters) == 0 {
		return nil
	}
	return out.Clusters[0].CapacityProviders
}

func (b *builder) services(sc *Scenario) error {
	// Daemons first, as an operator would set up a cluster.
	ordered := append([]Service(nil), sc.Services...)
	sort.SliceStable(ordered, func(i, j int) bool { return ordered[i].Daemon && !ordered[j].Daemon })
	for _, s := range ordered {
		in := ecs.CreateServiceInput{
			Cluster:        s.Cluster,
			ServiceName:    s.Name,
			TaskDefinition: s.TaskDefinition,
			LaunchType:     "EC2",

			NetworkConfiguration: networkFor(b.w, b.awsvpc[s.TaskDefinition]),
		}
		if s.Daemon {
			in.SchedulingStrategy = "DAEMON"
		} else {
			in.SchedulingStrategy = "REPLICA"
			in.DesiredCount = ptr(int32(s.Desired))
		}
		if s.MinHealthyPercent != nil || s.MaxPercent != nil {
			dc := &ecs.DeploymentConfiguration{}
			if s.MinHealthyPercent != nil {
				dc.MinimumHealthyPercent = ptr(int32(*s.MinHealthyPercent))
			}
			if s.MaxPercent != nil {
				dc.MaximumPercent = ptr(int32(*s.MaxPercent))
			}
			in.DeploymentConfiguration = dc
		}
		if s.LoadBalanced {
			in.LoadBalancers = []ecs.LoadBalancer{{
				TargetGroupArn: b.w.Env.ARN("elasticloadbalancing", "targetgroup/"+s.Name+"/"+"0123456789abcdef"),
				ContainerName:  s.TaskDefinition,
				ContainerPort:  ptr(int32(8080)),
			}}
		}
		if _, err := emulator.Invoke(b.w, Caller, b.w.ECS.CreateService, in); err != nil {
			return fmt.Errorf("service %s: %w", s.Name, err)
		}
	}
	return nil
}

// queueFaults apply as soon as the queues exist, so that everything sent
// to them (hook test notifications included) meets them.
func (b *builder) queueFaults(sc *Scenario) error {
	if sc.Faults == nil {
		return nil
	}
	w := b.w
	var err error
	w.Do(func() {
		for _, name := range sortedNames(sc.Faults.Queues) {
			qf := sc.Faults.Queues[name]
			var out *sqs.GetQueueUrlOutput
			if out, err = w.SQS.GetQueueUrl(sqs.GetQueueUrlInput{QueueName: name}); err != nil {
				return
			}
			f := sqs.Faults{DuplicateRate: qf.DuplicateRate, DelayRate: qf.DelayRate, MaxDelay: qf.MaxDelay.D()}
			if err = w.SQS.SetFaults(out.QueueUrl, f); err != nil {
				return
			}
		}
	})
	if err != nil {
		return fmt.Errorf("queue faults: %w", err)
	}
	return nil
}

// apiFaults apply last (and the world is built with its faults
// suspended), so that building the world is not itself throttled.
func (b *builder) apiFaults(sc *Scenario) error {
	f := sc.Faults
	if f == nil {
		return nil
	}
	w := b.w
	var err error
	w.Do(func() {
		if f.Throttle != "" {
			var p *fault.Profile
			if p, err = fault.LookupProfile(f.Throttle); err != nil {
				return
			}
			w.Faults.SetProfile(p)
		}
		if f.Latency != "" {
			var d time.Duration
			if d, err = fault.ParseLatency(f.Latency); err != nil {
				return
			}
			_ = w.Faults.SetCallLatency(d) // not negative: ParseLatency says so
		}
		for _, rule := range f.API {
			if err = w.Faults.Set(rule); err != nil {
				return
			}
		}
		w.ECS.SetFaults(ecs.Faults{StuckStoppingRate: f.StuckStoppingRate, LeakENIRate: f.LeakENIRate})
	})
	if err != nil {
		return fmt.Errorf("faults: %w", err)
	}
	return nil
}

func (r *Run) scheduleJob(start time.Time, j Job) {
	count := j.Count
	if count == 0 {
		count = 1
	}
	var fire func(at time.Time)
	fire = func(at time.Time) {
		r.World.Clock.At(at, func() {
			r.runTask(j.Cluster, j.TaskDefinition, count, j.Name)
			if j.Every > 0 {
				fire(at.Add(j.Every.D()))
			}
		})
	}
	fire(start.Add(j.At.D()))
}

func (r *Run) runTask(cluster, family string, count int, startedBy string) error {
	w := r.World
	out, err := emulator.Invoke(w, Caller, w.ECS.RunTask, ecs.RunTaskInput{
		Cluster: cluster, TaskDefinition: family, Count: ptr(int32(count)), StartedBy: startedBy, LaunchType: "EC2",
		NetworkConfiguration: networkFor(w, r.awsvpc[family]),
	})
	if err == nil && len(out.Failures) > 0 {
		err = fmt.Errorf("%d of %d tasks not placed: %s", len(out.Failures), count, out.Failures[0].Reason)
	}
	return err
}

func (r *Run) record(action, instance, detail string, err error) {
	rec := Record{Time: r.World.Now(), Action: action, Instance: instance, Detail: detail}
	if err != nil {
		rec.Err = err.Error()
	}
	r.records = append(r.records, rec)
	if r.OnRecord != nil {
		r.OnRecord(rec)
	}
}

// do performs one timeline step.
func (r *Run) do(st Step) {
	w := r.World
	instance, detail, err := r.perform(w, st)
	if st.Note != "" {
		detail = st.Note + " — " + detail
	}
	r.record(st.Action, instance, detail, err)
}

// perform does a step and says which instance it picked, if any, and what
// it did.
func (r *Run) perform(w *emulator.World, st Step) (instance, detail string, err error) {
	switch st.Action {
	case ActionSetDesired:
		_, err := emulator.Invoke(w, Caller, w.AutoScaling.SetDesiredCapacity, autoscaling.SetDesiredCapacityInput{
			AutoScalingGroupName: st.Group, DesiredCapacity: ptr(int32(*st.Count)),
		})
		return "", fmt.Sprintf("set desired capacity of %s to %d", st.Group, *st.Count), err
	case ActionInstanceRefresh:
		prefs := &autoscaling.RefreshPreferences{ScaleInProtectedInstances: st.ScaleInProtectedInstances}
		if st.MinHealthyPercentage != nil {
			prefs.MinHealthyPercentage = ptr(int32(*st.MinHealthyPercentage))
		}
		if st.Warmup > 0 {
			prefs.InstanceWarmup = ptr(int32(st.Warmup.D().Seconds()))
		}
		_, err := emulator.Invoke(w, Caller, w.AutoScaling.StartInstanceRefresh, autoscaling.StartInstanceRefreshInput{
			AutoScalingGroupName: st.Group, Preferences: prefs,
		})
		detail := "started an instance refresh of " + st.Group
		if st.ScaleInProtectedInstances != "" {
			detail += " (scale-in protected instances: " + st.ScaleInProtectedInstances + ")"
		}
		return "", detail, err
	case ActionUpdateService:
		in := ecs.UpdateServiceInput{Cluster: st.Cluster, Service: st.Service, TaskDefinition: st.TaskDefinition}
		detail := "updated service " + st.Service
		if st.Count != nil {
			in.DesiredCount = ptr(int32(*st.Count))
			detail += fmt.Sprintf(" to %d tasks", *st.Count)
		}
		_, err := emulator.Invoke(w, Caller, w.ECS.UpdateService, in)
		return "", detail, err
	case ActionRunTask:
		n := 1
		if st.Count != nil {
			n = *st.Count
		}
		return "", fmt.Sprintf("ran %d %s task(s)", n, st.TaskDefinition), r.runTask(st.Cluster, st.TaskDefinition, n, "scenario")
	case ActionSendMessage:
		return r.sendMessage(st)
	}

	id, err := r.pick(st)
	if err != nil {
		return "", "", err
	}
	switch st.Action {
	case ActionTerminate:
		_, err = emulator.Invoke(w, Caller, w.AutoScaling.TerminateInstanceInAutoScalingGroup, autoscaling.TerminateInstanceInAutoScalingGroupInput{
			InstanceId: id, ShouldDecrementDesiredCapacity: ptr(st.Decrement),
		})
		return id, "terminated " + id + " through Auto Scaling", err
	case ActionTerminateEC2:
		_, err = emulator.Invoke(w, Caller, w.EC2.TerminateInstances, ec2.TerminateInstancesInput{InstanceIds: []string{id}})
		return id, "terminated " + id + " directly through EC2 (TerminateInstances), bypassing Auto Scaling and its hooks", err
	case ActionInterruptSpot:
		w.Do(func() { err = w.EC2.InterruptSpot(id) })
		return id, "EC2 sent a Spot interruption warning to " + id, err
	case ActionRebalance:
		w.Do(func() { err = w.EC2.RecommendRebalance(id) })
		return id, "EC2 sent a rebalance recommendation for " + id, err
	case ActionSetUnhealthy:
		_, err = emulator.Invoke(w, Caller, w.AutoScaling.SetInstanceHealth, autoscaling.SetInstanceHealthInput{
			InstanceId: id, HealthStatus: "Unhealthy",
		})
		return id, "marked " + id + " unhealthy", err
	case ActionDrainInstance:
		var arn, cluster string
		w.Do(func() {
			if ci := w.ECS.ContainerInstanceByEC2(id); ci != nil {
				arn, cluster = ci.ContainerInstanceArn, clusterOf(ci.ContainerInstanceArn)
			}
		})
		if arn == "" {
			return id, "", fmt.Errorf("instance %s has no container instance", id)
		}
		_, err = emulator.Invoke(w, Caller, w.ECS.UpdateContainerInstancesState, ecs.UpdateContainerInstancesStateInput{
			Cluster: cluster, ContainerInstances: []string{arn}, Status: "DRAINING",
		})
		return id, "set the container instance of " + id + " to DRAINING", err
	case ActionDisconnectAgent:
		w.Do(func() { err = w.ECS.DisconnectAgent(id) })
		return id, "the ECS agent of " + id + " disconnected", err
	}
	return id, "", fmt.Errorf("unknown action %q", st.Action)
}

func clusterOf(arn string) string {
	_, rest, _ := strings.Cut(arn, "/")
	name, _, _ := strings.Cut(rest, "/")
	return name
}

func enabled(b bool) string {
	if b {
		return "ENABLED"
	}
	return "DISABLED"
}

func ptr[T any](v T) *T { return &v }
