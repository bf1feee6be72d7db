package doctor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/intake"
	"github.com/drainer-dev/drainer/membership"
)

// Reader is what doctor reads of AWS: read-only calls of the cloud
// interfaces, with their contracts (paging, batching, errors) as package
// cloud documents them. cloud/aws's Client satisfies it.
type Reader interface {
	// ListClusters: cloud.ECS.
	ListClusters(ctx context.Context) ([]string, error)
	// TasksOn: cloud.ECS.
	TasksOn(ctx context.Context, cluster, containerInstanceARN string) ([]cloud.Task, error)
	// DescribeServices: cloud.ECS.
	DescribeServices(ctx context.Context, cluster string, services []string) ([]cloud.Service, error)
	// LifecycleHooks: cloud.AutoScaling.
	LifecycleHooks(ctx context.Context, group string) ([]cloud.LifecycleHook, error)
	// DescribeInstances: cloud.EC2.
	DescribeInstances(ctx context.Context, ids []string) ([]cloud.Instance, error)
	// RulesTargeting: cloud.Events.
	RulesTargeting(ctx context.Context, targetARN string) ([]cloud.Rule, error)
	// membership.Reader: the clusters' capacity providers and container
	// instances, the groups and the user data they launch with, to find
	// the clusters' groups as `drainer setup` finds them.
	membership.Reader
	// QueueURL and QueueARN: intake.QueueReader (drainer's queue, by
	// name, URL or ARN, and a read of it).
	intake.QueueReader
}

// Config says what doctor checks.
type Config struct {
	// Clusters are the ECS clusters drainer serves, by name; none means
	// every cluster of the region.
	Clusters []string
	// Queue is drainer's SQS queue as a URL, an ARN or a bare name; ""
	// leaves out the checks of the queue and of the hooks and rules that
	// feed it.
	Queue string
	// Hooks are the termination hooks drainer owns (`drainer run --hook`);
	// none means drain.DefaultHook. Only these are judged and given
	// advice: every other hook is another team's.
	Hooks []string
	// Setup are the names and settings of what `drainer setup` makes, for
	// the fixes (see Conventions).
	Setup Conventions
}

// owned is Hooks, or drainer's default hook.
func (c Config) owned() []string {
	if len(c.Hooks) == 0 {
		return []string{drain.DefaultHook}
	}
	return c.Hooks
}

// Stage says how far Observe read; each stage includes the ones before.
type Stage int

// The stages of Observe, in the order it reads them.
const (
	// ReadNothing: not even the clusters could be read.
	ReadNothing Stage = iota
	// ReadClusters: Setup.Clusters, without their services, and
	// Setup.Groups.
	ReadClusters
	// ReadGroups: Setup.Hooks, drainer's queue
	// (Setup.Queue) and the rules (Setup.Rules, Setup.RulesErr).
	ReadGroups
	// ReadLaunches: Setup.Launched.
	ReadLaunches
	// ReadAll: the clusters' services; the Setup is complete.
	ReadAll
)

// Setup is what doctor read of a setup, for Decide.
type Setup struct {
	// Clusters are the clusters checked, sorted by name; none when the
	// region has none.
	Clusters []Cluster
	// Groups are the Auto Scaling groups whose instances join the
	// clusters (Cluster.Groups) that Auto Scaling knows, with their
	// instances, sorted by name.
	Groups []cloud.Group
	// Hooks are the lifecycle hooks of each of Groups, by group name.
	Hooks map[string][]cloud.LifecycleHook
	// Queue is what a read of drainer's queue found (with Config.Queue).
	Queue Queue
	// Rules are the rules of the default event bus targeting drainer's
	// queue; RulesErr is why they could not be listed. Both are empty when
	// no queue is configured or its ARN is unknown (the queue could not be
	// read, no hook names it and Config.Queue is not an ARN).
	Rules    []cloud.Rule
	RulesErr error
	// Launched is the launch time of each instance protected from
	// scale-in in a group with a maximum instance lifetime, by instance
	// id; an instance EC2 does not know is left out.
	Launched map[string]time.Time
	// Read says which of the fields above were read.
	Read Stage
}

// Queue is drainer's queue as doctor read it (intake.CheckQueue).
type Queue struct {
	URL, ARN string
	// Err is why it could not be read: an *intake.QueueError when it does
	// not exist or may not be read.
	Err error
}

// Cluster is an ECS cluster as doctor read it.
type Cluster struct {
	Name string
	// ContainerInstances are its registered container instances (every
	// status but INACTIVE).
	ContainerInstances []cloud.ContainerInstance
	// Groups are the Auto Scaling groups whose instances join it, found
	// as `drainer setup` finds them (membership.Find): its capacity
	// providers name them, the user data of their launch templates or
	// launch configuration names the cluster, or their instances are
	// registered in it; sorted, each once.
	Groups []string
	// Undrained are the groups whose capacity provider has managed
	// draining off, by group: the provider's name. drainer follows the
	// provider (DESIGN's protection × draining combinations) and completes
	// their lifecycle actions at once, without draining.
	Undrained map[string]string
	// Services are the services with a task (not STOPPED) on its
	// container instances, sorted by name: the cloud interface lists no
	// services, so a service with no task running is not seen.
	Services []cloud.Service
}

// Check reads the setup and decides its findings. An error means AWS could
// not be read (credentials, region, endpoint, permissions, a cluster that
// does not exist); the findings decided from what was read before it are
// returned with it.
func Check(ctx context.Context, r Reader, cfg Config, now time.Time) ([]Finding, error) {
	s, err := Observe(ctx, r, cfg)
	return Decide(s, cfg, now), err
}

// Observe reads what Decide needs, stage by stage (see Stage). On an error
// it returns what it read before, with Read saying how far that goes.
func Observe(ctx context.Context, r Reader, cfg Config) (Setup, error) {
	s := Setup{Hooks: map[string][]cloud.LifecycleHook{}, Launched: map[string]time.Time{}}
	names, err := clusterNames(ctx, r, cfg.Clusters)
	if err != nil {
		return s, err
	}
	m, err := membership.Find(ctx, r, names)
	if err != nil {
		return s, err
	}
	for _, name := range names {
		s.Clusters = append(s.Clusters, cluster(name, m))
	}
	s.Groups = m.Joining()
	s.Read = ReadClusters
	if len(s.Clusters) == 0 {
		s.Read = ReadAll
		return s, nil
	}

	for _, g := range s.Groups {
		hooks, err := r.LifecycleHooks(ctx, g.Name)
		if err != nil {
			return s, fmt.Errorf("group %s: lifecycle hooks: %w", g.Name, err)
		}
		s.Hooks[g.Name] = hooks
	}
	if cfg.Queue != "" {
		s.Queue.URL, s.Queue.ARN, s.Queue.Err = intake.CheckQueue(ctx, r, cfg.Queue, "")
	}
	arn := s.Queue.ARN
	if arn == "" {
		arn = queueARN(cfg.Queue, s.Groups, s.Hooks)
	}
	if arn != "" {
		s.Rules, s.RulesErr = r.RulesTargeting(ctx, arn)
	}
	s.Read = ReadGroups

	if s.Launched, err = readLaunches(ctx, r, s.Groups); err != nil {
		return s, err
	}
	s.Read = ReadLaunches

	for i := range s.Clusters {
		if s.Clusters[i].Services, err = readServices(ctx, r, s.Clusters[i]); err != nil {
			return s, err
		}
	}
	s.Read = ReadAll
	return s, nil
}

// clusterNames is the clusters given, sorted and each once, or every
// cluster of the region when none is given.
func clusterNames(ctx context.Context, r Reader, given []string) ([]string, error) {
	names := map[string]bool{}
	for _, c := range given {
		if c != "" {
			names[c] = true
		}
	}
	if len(names) == 0 {
		arns, err := r.ListClusters(ctx)
		if err != nil {
			return nil, fmt.Errorf("list the ECS clusters: %w", err)
		}
		for _, a := range arns {
			names[awsid.ClusterName(a)] = true
		}
	}
	return slices.Sorted(maps.Keys(names)), nil
}

// cluster is the cluster named as m found it: its container instances and
// the groups that join it.
func cluster(name string, m membership.Membership) Cluster {
	c := Cluster{Name: name, ContainerInstances: m.Registered[name], Groups: m.GroupsOf(name)}
	for _, j := range m.Joins {
		if j.Cluster == name && j.Via == membership.ViaCapacityProvider && !j.ManagedDraining {
			if c.Undrained == nil {
				c.Undrained = map[string]string{}
			}
			c.Undrained[j.Group] = j.Source
		}
	}
	return c
}

// readLaunches reads the launch times of the protected instances of the
// groups with a maximum instance lifetime: only those can be trapped.
func readLaunches(ctx context.Context, r Reader, groups []cloud.Group) (map[string]time.Time, error) {
	launched := map[string]time.Time{}
	var ids []string
	for _, g := range groups {
		if g.MaxInstanceLifetime <= 0 {
			continue
		}
		for _, in := range g.Instances {
			if in.ProtectedFromScaleIn {
				ids = append(ids, in.InstanceID)
			}
		}
	}
	if len(ids) == 0 {
		return launched, nil
	}
	ins, err := r.DescribeInstances(ctx, ids)
	if err != nil && !errors.Is(err, cloud.ErrNotFound) {
		return launched, fmt.Errorf("describe EC2 instances: %w", err)
	}
	for _, in := range ins {
		launched[in.ID] = in.LaunchTime
	}
	return launched, nil
}

// readServices describes the services with a task on the cluster's
// container instances, sorted by name.
func readServices(ctx context.Context, r Reader, c Cluster) ([]cloud.Service, error) {
	names := map[string]bool{}
	for _, ci := range c.ContainerInstances {
		if ci.RunningTasks+ci.PendingTasks == 0 {
			continue
		}
		tasks, err := r.TasksOn(ctx, c.Name, ci.ARN)
		if err != nil {
			return nil, fmt.Errorf("cluster %s: tasks on %s: %w", c.Name, ci.EC2InstanceID, err)
		}
		for _, t := range tasks {
			if t.Service != "" && !t.Stopped() {
				names[t.Service] = true
			}
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	svcs, err := r.DescribeServices(ctx, c.Name, slices.Sorted(maps.Keys(names)))
	if err != nil {
		return nil, fmt.Errorf("cluster %s: describe services: %w", c.Name, err)
	}
	sort.Slice(svcs, func(i, j int) bool { return svcs[i].Name < svcs[j].Name })
	return svcs, nil
}
