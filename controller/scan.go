package controller

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/scan"
)

// scanState is what the scans remember from one pass to the next.
type scanState struct {
	idle    *scan.IdleTracker
	resumed bool
	// daemons are the daemon services seen per cluster: an instance whose
	// running+pending count exceeds their number runs a non-daemon task for
	// sure, without listing its tasks.
	daemons map[string]map[string]bool
}

func newScanState() scanState {
	return scanState{idle: scan.NewIdleTracker(), daemons: map[string]map[string]bool{}}
}

// ScanReport says what one pass found and did.
type ScanReport struct {
	Resumed                    int
	Groups                     int
	Instances                  int
	Protected, Unprotected     int // instances whose protection changed
	ProtectionCalls            int // SetInstanceProtection calls made
	IdleStarted, TTLStarted    []string
	HeldByBudget               []string // voluntary drains the budget delayed
	TasksListed                int      // instances whose tasks were listed
	Traps                      []scan.Trap
	Policies                   map[string]GroupPolicy
	ProtectionErrors, Failures int
}

// Scan does one pass over the served clusters' groups: the work no
// message announces. It resumes recorded drains on its first pass, then
// per group reconciles scale-in protection (groups that keep it), starts
// time-to-live and idle drains (groups that drain, within the disruption
// budget) and reports instances kept past their lifetime by protection.
//
// Cost per pass, for C clusters, G groups in the region, N container
// instances: per cluster 1 DescribeClusters + 1 DescribeCapacityProviders
// and ⌈N/100⌉ ListContainerInstances + ⌈N/100⌉ DescribeContainerInstances;
// ⌈G/100⌉ DescribeAutoScalingGroups; ⌈N/1000⌉ DescribeInstances only with
// a MaxLifetime; one SetInstanceProtection per 50 instances whose
// protection changes; and TasksOn (ListTasks ×2 + DescribeTasks) only for
// instances whose task count cannot tell (more than zero tasks, no more
// than the daemon services known in the cluster) plus one instance per
// cluster to keep the known daemon services fresh.
func (c *Controller) Scan(ctx context.Context) error {
	_, err := c.Pass(ctx)
	return err
}

// Pass is Scan returning what the pass found and did.
func (c *Controller) Pass(ctx context.Context) (ScanReport, error) {
	var rep ScanReport
	if c.opts.Cloud == nil {
		return rep, errors.New("scan: no cloud configured")
	}
	now := c.clock.Now()
	if !c.scan.resumed {
		n, err := c.rec.Resume(ctx)
		if err != nil {
			return rep, fmt.Errorf("scan: resume drains: %w", err)
		}
		c.scan.resumed = true
		rep.Resumed = n
	}
	clusters, err := c.clusters(ctx)
	if err != nil {
		return rep, fmt.Errorf("scan: %w", err)
	}
	if err := c.refreshPolicies(ctx, clusters); err != nil {
		return rep, fmt.Errorf("scan: %w", err)
	}

	// Container instances of the served clusters, by EC2 instance id.
	type ciInfo struct {
		cluster string
		ci      cloud.ContainerInstance
	}
	cis := map[string]ciInfo{}
	for _, cl := range clusters {
		list, err := c.opts.Cloud.ListContainerInstances(ctx, cl, "")
		if err != nil {
			return rep, fmt.Errorf("scan: container instances of %s: %w", cl, err)
		}
		for _, ci := range list {
			cis[ci.EC2InstanceID] = ciInfo{cl, ci}
		}
	}
	groupsAll, err := c.opts.Cloud.DescribeGroups(ctx, nil)
	if err != nil {
		return rep, fmt.Errorf("scan: %w", err)
	}
	drains := map[string]bool{}
	for _, d := range c.rec.Drains() {
		drains[d.InstanceID] = true
	}

	var groups []cloud.Group
	for _, g := range groupsAll {
		for _, gi := range g.Instances {
			if _, ok := cis[gi.InstanceID]; ok {
				groups = append(groups, g)
				break
			}
		}
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].Name < groups[j].Name })
	rep.Groups = len(groups)
	rep.Policies = map[string]GroupPolicy{}

	var launch map[string]time.Time
	if c.opts.MaxLifetime > 0 {
		var ids []string
		for _, g := range groups {
			for _, gi := range g.Instances {
				if _, ok := cis[gi.InstanceID]; ok {
					ids = append(ids, gi.InstanceID)
				}
			}
		}
		launch = map[string]time.Time{}
		if len(ids) > 0 {
			insts, err := c.opts.Cloud.DescribeInstances(ctx, ids)
			if err != nil {
				return rep, fmt.Errorf("scan: launch times: %w", err)
			}
			for _, in := range insts {
				launch[in.ID] = in.LaunchTime
			}
		}
	}

	var (
		all       []scan.Instance
		byGroup   = map[string]scan.Group{}
		policy    = map[string]GroupPolicy{}
		draining  = map[string]int{}
		groupByID = map[string]string{}
	)
	for _, g := range groups {
		pol, _ := c.groupPolicy(ctx, g.Name)
		policy[g.Name] = pol
		rep.Policies[g.Name] = pol
		sg := scan.Group{Name: g.Name, Desired: g.DesiredCapacity, Min: g.MinSize, Protect: pol.Protect, MaxLifetime: g.MaxInstanceLifetime}
		byGroup[g.Name] = sg
		for _, gi := range g.Instances {
			groupByID[gi.InstanceID] = g.Name
			info, isCI := cis[gi.InstanceID]
			terminating := strings.HasPrefix(gi.LifecycleState, cloud.LifecycleTerminating)
			inDrain := drains[gi.InstanceID] || (isCI && info.ci.Status == cloud.ContainerInstanceDraining)
			if inDrain || terminating {
				draining[g.Name]++
			}
			if !isCI {
				continue
			}
			in := scan.Instance{
				ID:         gi.InstanceID,
				Group:      g.Name,
				InService:  gi.LifecycleState == cloud.LifecycleInService,
				Protected:  gi.ProtectedFromScaleIn,
				Registered: info.ci.Status == cloud.ContainerInstanceActive,
				Draining:   inDrain,
				LaunchTime: info.ci.RegisteredAt,
			}
			if t, ok := launch[gi.InstanceID]; ok {
				in.LaunchTime = t
			}
			all = append(all, in)
		}
	}
	rep.Instances = len(all)

	// Busy or not: the task counts when they tell, the tasks otherwise.
	c.learnDaemons(ctx, all, func(id string) (string, cloud.ContainerInstance) { i := cis[id]; return i.cluster, i.ci })
	for i := range all {
		info := cis[all[i].ID]
		busy, listed, err := c.busy(ctx, info.cluster, info.ci)
		if listed {
			rep.TasksListed++
		}
		if err != nil {
			// Unknown counts as busy: never reclaim or unprotect on a guess.
			c.log.Warn("scan: cannot tell whether an instance is busy", "instance", all[i].ID, "error", err)
			busy = true
		}
		all[i].Busy = busy
	}

	// Scale-in protection, per group that keeps it, in batches of 50.
	for _, g := range groups {
		protect, unprotect := scan.Protection(all, byGroup[g.Name])
		for _, set := range []struct {
			batches [][]string
			on      bool
		}{{protect, true}, {unprotect, false}} {
			for _, b := range set.batches {
				rep.ProtectionCalls++
				if err := c.opts.Cloud.SetInstanceProtection(ctx, g.Name, b, set.on); err != nil {
					rep.ProtectionErrors++
					c.log.Warn("scan: set scale-in protection failed", "group", g.Name, "protect", set.on, "instances", len(b), "error", err)
					continue
				}
				if set.on {
					rep.Protected += len(b)
				} else {
					rep.Unprotected += len(b)
				}
			}
		}
	}

	// Voluntary drains, only in groups that drain, within the budget.
	var drainable []scan.Instance
	for _, in := range all {
		if policy[in.Group].Drain {
			drainable = append(drainable, in)
		}
	}
	startVoluntary := func(in scan.Instance, reason drain.Reason) bool {
		g := byGroup[in.Group]
		if !c.opts.Budget.Allows(g.Desired, draining[in.Group]) {
			rep.HeldByBudget = append(rep.HeldByBudget, in.ID)
			return false
		}
		err := c.rec.Start(ctx, in.ID, drain.Trigger{Reason: reason, At: now, Group: in.Group})
		if err != nil {
			rep.Failures++
			c.log.Warn("scan: drain not started", "instance", in.ID, "reason", reason, "error", err)
			return false
		}
		draining[in.Group]++
		return true
	}
	started := map[string]bool{}
	if c.opts.MaxLifetime > 0 {
		for _, in := range scan.Expired(drainable, now, c.opts.MaxLifetime) {
			if startVoluntary(in, drain.ReasonTTL) {
				started[in.ID] = true
				rep.TTLStarted = append(rep.TTLStarted, in.ID)
			}
		}
	}
	if c.opts.IdleAfter > 0 {
		for i := range drainable {
			if started[drainable[i].ID] {
				drainable[i].Draining = true
			}
		}
		for _, in := range c.scan.idle.Idle(drainable, byGroup, now, c.opts.IdleAfter) {
			if startVoluntary(in, drain.ReasonIdle) {
				rep.IdleStarted = append(rep.IdleStarted, in.ID)
			}
		}
	}
	rep.Traps = scan.LifetimeTraps(all, byGroup, now)
	return rep, nil
}

// busy tells whether a non-daemon task runs (or is about to) on ci, and
// whether it had to list the tasks to know.
func (c *Controller) busy(ctx context.Context, cluster string, ci cloud.ContainerInstance) (busy, listed bool, err error) {
	n := ci.RunningTasks + ci.PendingTasks
	if n == 0 {
		return false, false, nil
	}
	if n > len(c.scan.daemons[cluster]) {
		return true, false, nil
	}
	tasks, err := c.opts.Cloud.TasksOn(ctx, cluster, ci.ARN)
	if err != nil {
		return true, true, err
	}
	return c.classify(cluster, tasks), true, nil
}

// classify records the daemon services among tasks and reports whether a
// non-daemon task is not STOPPED.
func (c *Controller) classify(cluster string, tasks []cloud.Task) bool {
	busy := false
	for _, t := range tasks {
		if t.Stopped() {
			continue
		}
		if t.Class == cloud.TaskDaemon {
			if c.scan.daemons[cluster] == nil {
				c.scan.daemons[cluster] = map[string]bool{}
			}
			c.scan.daemons[cluster][t.Service] = true
			continue
		}
		busy = true
	}
	return busy
}

// learnDaemons lists the tasks of one instance per cluster (the one with
// the fewest tasks above zero) so that the daemon services known stay
// current: a daemon service added since is learned within a pass.
func (c *Controller) learnDaemons(ctx context.Context, all []scan.Instance, ci func(string) (string, cloud.ContainerInstance)) {
	pick := map[string]cloud.ContainerInstance{}
	for _, in := range all {
		cl, x := ci(in.ID)
		n := x.RunningTasks + x.PendingTasks
		if n == 0 {
			continue
		}
		if p, ok := pick[cl]; !ok || n < p.RunningTasks+p.PendingTasks {
			pick[cl] = x
		}
	}
	for cl, x := range pick {
		tasks, err := c.opts.Cloud.TasksOn(ctx, cl, x.ARN)
		if err != nil {
			continue
		}
		c.classify(cl, tasks)
	}
}

// Run scans every interval on the controller's clock until ctx ends. A
// failed pass is logged and the next one comes at the next interval.
func (c *Controller) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		return fmt.Errorf("scan interval %v: want more than zero", interval)
	}
	for {
		if rep, err := c.Pass(ctx); err != nil {
			c.log.Warn("scan failed", "error", err)
		} else {
			c.log.Debug("scan done", "groups", rep.Groups, "instances", rep.Instances, "idle", len(rep.IdleStarted), "ttl", len(rep.TTLStarted),
				"protected", rep.Protected, "unprotected", rep.Unprotected, "heldByBudget", len(rep.HeldByBudget))
			for _, t := range rep.Traps {
				c.log.Warn("instance kept past its group's maximum lifetime by scale-in protection", "instance", t.Instance.ID, "group", t.Instance.Group, "age", t.Age, "lifetime", t.Lifetime)
			}
		}
		if err := clock.Sleep(ctx, c.clock, interval); err != nil {
			return err
		}
	}
}
