package scan

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
)

// located is a container instance with the cluster it was listed in.
type located struct {
	cluster string
	ci      cloud.ContainerInstance
}

// observe reads what a pass decides on, and counts the instances whose
// tasks it listed.
func (s *Scanner) observe(ctx context.Context, now time.Time) (o Observation, listed int, err error) {
	o = Observation{Now: now, IdleSince: s.idleSince}
	clusters, err := s.clusters(ctx)
	if err != nil {
		return o, 0, err
	}
	at, err := s.containerInstances(ctx, clusters)
	if err != nil {
		return o, 0, err
	}
	if s.opts.Locate != nil {
		locs := make(map[string]drain.Location, len(at))
		for id, l := range at {
			locs[id] = drain.Location{Cluster: l.cluster, ContainerInstanceARN: l.ci.ARN}
		}
		s.opts.Locate(locs)
	}
	all, err := s.cloud.DescribeGroups(ctx, nil)
	if err != nil {
		return o, 0, fmt.Errorf("describe groups: %w", err)
	}
	o.Groups = served(all, at)
	names := make([]string, len(o.Groups))
	for i, g := range o.Groups {
		names[i] = g.Name
	}
	if o.Policies, err = s.policies.GroupPolicies(ctx, clusters, names); err != nil {
		return o, 0, err
	}
	ids := members(o.Groups, at)
	if s.opts.MaxLifetime > 0 {
		if o.LaunchTimes, err = s.launchTimes(ctx, ids); err != nil {
			return o, 0, err
		}
	}
	o.ContainerInstances = make(map[string]cloud.ContainerInstance, len(at))
	for id, l := range at {
		o.ContainerInstances[id] = l.ci
	}
	o.Draining = map[string]bool{}
	for _, d := range s.starter.Drains() {
		o.Draining[d.InstanceID] = true
	}
	o.Busy, listed = s.busyAnswers(ctx, ids, at)
	return o, listed, nil
}

func (s *Scanner) clusters(ctx context.Context) ([]string, error) {
	if len(s.opts.Clusters) > 0 {
		return s.opts.Clusters, nil
	}
	cs, err := s.cloud.ListClusters(ctx)
	if err != nil {
		return nil, err // the client says "list clusters: …"
	}
	return cs, nil
}

// containerInstances lists the container instances of clusters by EC2
// instance id.
func (s *Scanner) containerInstances(ctx context.Context, clusters []string) (map[string]located, error) {
	at := map[string]located{}
	for _, cl := range clusters {
		list, err := s.cloud.ListContainerInstances(ctx, cl, "")
		if err != nil {
			return nil, fmt.Errorf("container instances of %s: %w", cl, err)
		}
		for _, ci := range list {
			at[ci.EC2InstanceID] = located{cl, ci}
		}
	}
	return at, nil
}

// served keeps the groups holding at least one of the container
// instances, sorted by name.
func served(groups []cloud.Group, at map[string]located) []cloud.Group {
	var out []cloud.Group
	for _, g := range groups {
		for _, gi := range g.Instances {
			if _, ok := at[gi.InstanceID]; ok {
				out = append(out, g)
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// members lists the container instances of groups, in group order.
func members(groups []cloud.Group, at map[string]located) []string {
	var ids []string
	for _, g := range groups {
		for _, gi := range g.Instances {
			if _, ok := at[gi.InstanceID]; ok {
				ids = append(ids, gi.InstanceID)
			}
		}
	}
	return ids
}

// launchTimes reads the EC2 launch times of ids (one DescribeInstances per
// 1,000 ids, done by the cloud client).
func (s *Scanner) launchTimes(ctx context.Context, ids []string) (map[string]time.Time, error) {
	launch := map[string]time.Time{}
	if len(ids) == 0 {
		return launch, nil
	}
	insts, err := s.cloud.DescribeInstances(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("launch times: %w", err)
	}
	for _, in := range insts {
		launch[in.ID] = in.LaunchTime
	}
	return launch, nil
}

// busyAnswers tells, for each of ids, whether a non-daemon task runs on it
// (unknown counts as busy), and how many instances' tasks it listed to
// know. It first refreshes the daemon services known per cluster.
func (s *Scanner) busyAnswers(ctx context.Context, ids []string, at map[string]located) (map[string]bool, int) {
	for cl, ci := range daemonProbes(ids, at) {
		if c, ok := s.busyAt[ci.ARN]; ok && c.version == ci.Version {
			continue // listed at this version already: nothing new to learn
		}
		if tasks, err := s.cloud.TasksOn(ctx, cl, ci.ARN); err == nil {
			b := s.learn(cl, tasks)
			s.busyAt[ci.ARN] = busyAnswer{version: ci.Version, busy: b}
		}
	}
	busy := make(map[string]bool, len(ids))
	listed := 0
	for _, id := range ids {
		l := at[id]
		b, known := countTells(l.ci, len(s.daemons[l.cluster]))
		if c, ok := s.busyAt[l.ci.ARN]; !known && ok && c.version == l.ci.Version {
			// Nothing changed on it since its tasks were listed.
			b, known = c.busy, true
		}
		if !known {
			listed++
			tasks, err := s.cloud.TasksOn(ctx, l.cluster, l.ci.ARN)
			if err != nil {
				// Unknown counts as busy: never reclaim or unprotect on a guess.
				s.log.Warn("scan: cannot tell whether an instance is busy", "instance", id, "error", err)
				b = true
			} else {
				b = s.learn(l.cluster, tasks)
				s.busyAt[l.ci.ARN] = busyAnswer{version: l.ci.Version, busy: b}
			}
		}
		busy[id] = b
	}
	current := make(map[string]bool, len(ids))
	for _, id := range ids {
		current[at[id].ci.ARN] = true
	}
	for arn := range s.busyAt {
		if !current[arn] {
			delete(s.busyAt, arn) // gone, or no longer in a served group
		}
	}
	return busy, listed
}

// learn records the daemon services among a cluster's tasks and reports
// whether a non-daemon task among them is not STOPPED.
func (s *Scanner) learn(cluster string, tasks []cloud.Task) bool {
	busy, daemons := classify(tasks)
	if len(daemons) > 0 && s.daemons[cluster] == nil {
		s.daemons[cluster] = map[string]bool{}
	}
	for _, d := range daemons {
		s.daemons[cluster][d] = true
	}
	return busy
}

// busyAnswer is what listing a container instance's tasks told, at the
// version of its record then (cloud.ContainerInstance.Version): while the
// version stays, no task was placed or stopped there, and the answer
// holds without listing again.
type busyAnswer struct {
	version int64
	busy    bool
}

// countTells decides from a container instance's task counts alone when
// they tell: no task at all is idle, more tasks than the daemon services
// known in its cluster is busy for sure; otherwise (known false) its tasks
// must be listed.
func countTells(ci cloud.ContainerInstance, daemonsKnown int) (busy, known bool) {
	n := ci.RunningTasks + ci.PendingTasks
	switch {
	case n == 0:
		return false, true
	case n > daemonsKnown:
		return true, true
	}
	return false, false
}

// classify reports whether a task that is not a daemon task is not
// STOPPED among tasks, and names the services of the daemon tasks not
// STOPPED.
func classify(tasks []cloud.Task) (busy bool, daemons []string) {
	for _, t := range tasks {
		switch {
		case t.Stopped():
		case t.Class == cloud.TaskDaemon:
			daemons = append(daemons, t.Service)
		default:
			busy = true
		}
	}
	return busy, daemons
}

// daemonProbes picks, per cluster, the container instance among ids with
// the fewest tasks above zero (the first one on a tie): listing its tasks
// keeps the daemon services known current, so a daemon service added since
// is learned within a pass.
func daemonProbes(ids []string, at map[string]located) map[string]cloud.ContainerInstance {
	pick := map[string]cloud.ContainerInstance{}
	for _, id := range ids {
		l := at[id]
		n := l.ci.RunningTasks + l.ci.PendingTasks
		if n == 0 {
			continue
		}
		if p, ok := pick[l.cluster]; !ok || n < p.RunningTasks+p.PendingTasks {
			pick[l.cluster] = l.ci
		}
	}
	return pick
}
