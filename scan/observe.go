package scan

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
)

// allowance is what a pass may still spend beyond its pages: the
// DescribeContainerInstances calls that verify instances known from an
// earlier pass, and the task listings (TasksOn).
type allowance struct {
	verify, listings int
}

// observe reads what a pass decides on: the pass's pages of the clusters'
// listings, merged into what earlier passes read (the inventory), the groups,
// their policies, the launch times, the drains in progress; and whether
// the instances the pass read are busy. The instances of the observed
// groups it could not read or tell about are Stale.
func (s *Scanner) observe(ctx context.Context, now time.Time, a *allowance, rep *Report) (Observation, error) {
	o := Observation{Now: now, IdleSince: s.idleSince}
	clusters, err := s.clusters(ctx)
	if err != nil {
		return o, err
	}
	read := s.readPages(ctx, clusters, now, rep)
	if s.opts.Locate != nil {
		locs := make(map[string]drain.Location, len(s.inv.byID))
		for id, k := range s.inv.byID {
			locs[id] = drain.Location{Cluster: k.cluster, ContainerInstanceARN: k.ci.ARN}
		}
		s.opts.Locate(locs)
	}
	all, err := s.cloud.DescribeGroups(ctx, nil)
	if err != nil {
		return o, fmt.Errorf("describe groups: %w", err)
	}
	o.Groups = served(all, s.inv.byID)
	names := make([]string, len(o.Groups))
	for i, g := range o.Groups {
		names[i] = g.Name
	}
	if o.Policies, err = s.policies.GroupPolicies(ctx, names); err != nil {
		return o, err
	}
	ids := members(o.Groups, s.inv.byID)
	if s.opts.MaxLifetime > 0 {
		if o.LaunchTimes, err = s.launchTimes(ctx, ids); err != nil {
			return o, err
		}
	}
	o.Draining = map[string]bool{}
	for _, d := range s.starter.Drains() {
		o.Draining[d.InstanceID] = true
	}
	var fresh []string
	for _, id := range ids {
		if read[id] {
			fresh = append(fresh, id)
		}
	}
	told, listed := s.tell(ctx, fresh, a)
	rep.TasksListed += listed
	s.keepBusyAnswers(ids)
	o.ContainerInstances = make(map[string]cloud.ContainerInstance, len(s.inv.byID))
	o.Busy = make(map[string]bool, len(ids))
	o.Stale = map[string]bool{}
	for id, k := range s.inv.byID {
		o.ContainerInstances[id] = k.ci
		if k.busyKnown {
			o.Busy[id] = k.busy
		}
		if !told[id] {
			o.Stale[id] = true
		}
	}
	return o, nil
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

// readPages reads the pass's pages of the clusters' listings (at most
// Options.Pages, resuming where the pass before stopped) into the inventory,
// and returns the instances read. A page that fails is logged and counted;
// its cluster's listing starts again at the next pass, and a cluster that
// no longer exists is forgotten.
func (s *Scanner) readPages(ctx context.Context, clusters []string, now time.Time, rep *Report) map[string]bool {
	s.inv.retain(clusters)
	read := map[string]bool{}
	w := s.cursor.begin(clusters, s.pages)
	defer w.end()
	for ctx.Err() == nil {
		cl, token, ok := w.next()
		if !ok {
			break
		}
		page, next, err := s.cloud.ListContainerInstancesPage(ctx, cl, "", token)
		rep.Pages++
		if err != nil {
			w.read(cl, "", true)
			s.inv.restart(cl)
			rep.PageErrors++
			if errors.Is(err, cloud.ErrNotFound) {
				s.inv.retain(slices.DeleteFunc(slices.Clone(clusters), func(c string) bool { return c == cl }))
			}
			s.log.Warn("scan: cannot read container instances; the cluster's listing starts again at the next pass", "cluster", cl, "error", err)
			continue
		}
		s.inv.listed(cl, token == "", page, now)
		for _, ci := range page {
			read[ci.EC2InstanceID] = true
		}
		if w.read(cl, next, false) {
			for _, id := range s.inv.complete(cl) {
				s.log.Debug("scan: container instance no longer listed, forgotten", "cluster", cl, "instance", id)
			}
		}
	}
	return read
}

// served keeps the groups holding at least one of the container
// instances, sorted by name.
func served(groups []cloud.Group, at map[string]known) []cloud.Group {
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
func members(groups []cloud.Group, at map[string]known) []string {
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

// launchTimes returns the EC2 launch times of ids. A launch time never
// changes: the scanner keeps those it read, and describes only the ids it
// never read (one DescribeInstances per 200 ids, done by the cloud
// client). An instance EC2 does not know is aged from its registration.
func (s *Scanner) launchTimes(ctx context.Context, ids []string) (map[string]time.Time, error) {
	var missing []string
	for _, id := range ids {
		if _, ok := s.launch[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		insts, err := s.cloud.DescribeInstances(ctx, missing)
		if err != nil && !errors.Is(err, cloud.ErrNotFound) {
			return nil, fmt.Errorf("launch times: %w", err)
		}
		for _, in := range insts {
			s.launch[in.ID] = in.LaunchTime
		}
		if err != nil {
			for _, id := range missing {
				if _, ok := s.launch[id]; !ok {
					s.launch[id] = time.Time{} // unknown to EC2
				}
			}
		}
	}
	launch := make(map[string]time.Time, len(ids))
	keep := make(map[string]bool, len(ids))
	for _, id := range ids {
		keep[id] = true
		if t := s.launch[id]; !t.IsZero() {
			launch[id] = t
		}
	}
	for id := range s.launch {
		if !keep[id] {
			delete(s.launch, id)
		}
	}
	return launch, nil
}

// tell tells, for each of ids (read in this pass), whether a non-daemon
// task runs on it (see countTells), records the answer in the inventory, and
// returns the instances told and how many instances' tasks it listed to
// know. An instance whose count cannot tell is told by what listing its
// tasks told at the same version of its record, else by listing them
// (TasksOn), while a.listings allows; the others, and those whose tasks
// could not be listed, are left for a later pass. It first refreshes the
// daemon services known per cluster, within the same allowance.
func (s *Scanner) tell(ctx context.Context, ids []string, a *allowance) (told map[string]bool, listed int) {
	probes := daemonProbes(ids, s.inv.byID)
	for _, cl := range slices.Sorted(maps.Keys(probes)) {
		ci := probes[cl]
		if c, ok := s.busyAt[ci.ARN]; ok && c.version == ci.Version {
			continue // listed at this version already: nothing new to learn
		}
		if a.listings <= 0 {
			break
		}
		a.listings--
		if tasks, err := s.cloud.TasksOn(ctx, cl, ci.ARN); err == nil {
			s.busyAt[ci.ARN] = busyAnswer{version: ci.Version, busy: s.learn(cl, tasks)}
		}
	}
	told = make(map[string]bool, len(ids))
	for _, id := range ids {
		k := s.inv.byID[id]
		b, known := countTells(k.ci, len(s.daemons[k.cluster]))
		if c, ok := s.busyAt[k.ci.ARN]; !known && ok && c.version == k.ci.Version {
			// Nothing changed on it since its tasks were listed.
			b, known = c.busy, true
		}
		if !known {
			if a.listings <= 0 {
				continue // the pass has listed its share: a later pass will
			}
			a.listings--
			listed++
			tasks, err := s.cloud.TasksOn(ctx, k.cluster, k.ci.ARN)
			if err != nil {
				// Untold: never protected, unprotected or reclaimed on a guess.
				s.log.Warn("scan: cannot tell whether an instance is busy", "instance", id, "error", err)
				continue
			}
			b = s.learn(k.cluster, tasks)
			s.busyAt[k.ci.ARN] = busyAnswer{version: k.ci.Version, busy: b}
		}
		s.inv.tell(id, b)
		told[id] = true
	}
	return told, listed
}

// keepBusyAnswers forgets the task listings of container instances that
// are no longer among ids (gone, or no longer in a served group).
func (s *Scanner) keepBusyAnswers(ids []string) {
	current := make(map[string]bool, len(ids))
	for _, id := range ids {
		current[s.inv.byID[id].ci.ARN] = true
	}
	for arn := range s.busyAt {
		if !current[arn] {
			delete(s.busyAt, arn)
		}
	}
}

// verify reads afresh the instances among ids known only from an earlier
// pass (those a plan on the inventory would act on), in at most a.verify
// DescribeContainerInstances calls of up to 100 instances of one cluster,
// and tells whether they are busy; o is brought up to date with what it
// read (an instance found deregistered leaves it). It returns how many it
// read and told, and how many it could not (left for a later pass).
func (s *Scanner) verify(ctx context.Context, ids []string, now time.Time, o *Observation, a *allowance, rep *Report) (verified, deferred int) {
	type batch struct {
		cluster string
		ids     []string
	}
	var batches []batch
	open := map[string]int{}
	for _, id := range ids {
		k, ok := s.inv.byID[id]
		if !ok {
			continue
		}
		i, ok := open[k.cluster]
		if !ok || len(batches[i].ids) == maxDescribe {
			batches = append(batches, batch{cluster: k.cluster})
			i = len(batches) - 1
			open[k.cluster] = i
		}
		batches[i].ids = append(batches[i].ids, id)
	}
	var read []string
	for _, b := range batches {
		if a.verify <= 0 || ctx.Err() != nil {
			deferred += len(b.ids)
			continue
		}
		a.verify--
		arns := make([]string, len(b.ids))
		for i, id := range b.ids {
			arns[i] = s.inv.byID[id].ci.ARN
		}
		cis, err := s.cloud.DescribeContainerInstances(ctx, b.cluster, arns)
		if err != nil {
			s.log.Warn("scan: cannot read container instances afresh before acting on them", "cluster", b.cluster, "instances", len(arns), "error", err)
			deferred += len(b.ids)
			continue
		}
		byARN := make(map[string]cloud.ContainerInstance, len(cis))
		for _, ci := range cis {
			byARN[ci.ARN] = ci
		}
		var current []cloud.ContainerInstance
		for i, id := range b.ids {
			ci, ok := byARN[arns[i]]
			if !ok || ci.EC2InstanceID != id || ci.Status == cloud.ContainerInstanceInactive {
				// Deregistered since it was read: nothing to act on.
				s.inv.forget(id)
				delete(o.ContainerInstances, id)
				delete(o.Busy, id)
				delete(o.Stale, id)
				verified++
				continue
			}
			current = append(current, ci)
			read = append(read, id)
		}
		s.inv.merge(b.cluster, current, now)
	}
	told, listed := s.tell(ctx, read, a)
	rep.TasksListed += listed
	for _, id := range read {
		k := s.inv.byID[id]
		o.ContainerInstances[id] = k.ci
		if k.busyKnown {
			o.Busy[id] = k.busy
		} else {
			delete(o.Busy, id)
		}
		if told[id] {
			delete(o.Stale, id)
			verified++
		} else {
			deferred++
		}
	}
	return verified, deferred
}

// maxDescribe is ECS's limit of container instances per
// DescribeContainerInstances call: "You can specify up to 100 container
// instances" (DescribeContainerInstances, Amazon ECS API Reference,
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeContainerInstances.html).
const maxDescribe = 100

// actedOn lists the instances a plan acts on, in its order, once each:
// those whose protection it changes, then those whose drains it starts.
func actedOn(p Plan) []string {
	var ids []string
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, b := range p.Protection {
		for _, id := range b.InstanceIDs {
			add(id)
		}
	}
	for _, st := range p.Starts {
		add(st.InstanceID)
	}
	return ids
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
func daemonProbes(ids []string, at map[string]known) map[string]cloud.ContainerInstance {
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
