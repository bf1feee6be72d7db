package controller

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/scan"
)

// GroupPolicy is what drainer does for one Auto Scaling group: the two
// settings of DESIGN.md §3's matrix (Protect, Drain) and the capacity
// provider they come from. The scans decide on it too, hence its home in
// package scan.
type GroupPolicy = scan.Policy

// Policy resolves a group's policy: a flag override first, then the
// group's capacity provider, then the defaults for groups without one.
func (o Options) Policy(cp *cloud.CapacityProvider) GroupPolicy {
	var p GroupPolicy
	if cp != nil {
		p = GroupPolicy{Protect: cp.ManagedTerminationProtection, ECSProtects: cp.ManagedTerminationProtection, Drain: cp.ManagedDraining, Provider: cp.Name}
	} else {
		p = GroupPolicy{Protect: o.ProtectDefault, Drain: o.DrainDefault == nil || *o.DrainDefault}
	}
	if o.ProtectOverride != nil {
		p.Protect = *o.ProtectOverride
	}
	if o.DrainOverride != nil {
		p.Drain = *o.DrainOverride
	}
	return p
}

// Bool returns a pointer to v, for the tri-state options.
func Bool(v bool) *bool { return &v }

// policies caches the capacity providers of the served clusters by group.
type policies struct {
	mu       sync.Mutex
	byGroup  map[string]cloud.CapacityProvider
	loadedAt time.Time
	loaded   bool
}

// policyMaxAge bounds how long Handle trusts the providers it read last.
const policyMaxAge = 5 * time.Minute

// refresh reads the capacity providers of every served cluster: one
// DescribeClusters and one DescribeCapacityProviders per cluster.
func (c *Controller) refreshPolicies(ctx context.Context, clusters []string) error {
	by := map[string]cloud.CapacityProvider{}
	for _, cl := range clusters {
		cps, err := c.opts.Cloud.CapacityProviders(ctx, cl)
		if err != nil {
			return fmt.Errorf("capacity providers of %s: %w", cl, err)
		}
		for _, cp := range cps {
			if g := awsid.GroupName(cp.AutoScalingGroupARN); g != "" {
				by[g] = cp
			}
		}
	}
	c.pol.mu.Lock()
	c.pol.byGroup, c.pol.loadedAt, c.pol.loaded = by, c.clock.Now(), true
	c.pol.mu.Unlock()
	return nil
}

// groupPolicy returns the policy of group, reading the providers when
// they were never read or are stale. Without a cloud every group drains.
func (c *Controller) groupPolicy(ctx context.Context, group string) (GroupPolicy, error) {
	if c.opts.Cloud == nil {
		return c.opts.Policy(nil), nil
	}
	if err := c.ensurePolicies(ctx); err != nil {
		return GroupPolicy{}, err
	}
	return c.cachedPolicy(group), nil
}

// cachedPolicy returns the policy of group from the providers read last.
func (c *Controller) cachedPolicy(group string) GroupPolicy {
	c.pol.mu.Lock()
	defer c.pol.mu.Unlock()
	if cp, ok := c.pol.byGroup[group]; ok {
		return c.opts.Policy(&cp)
	}
	return c.opts.Policy(nil)
}

func (c *Controller) ensurePolicies(ctx context.Context) error {
	c.pol.mu.Lock()
	fresh := c.pol.loaded && c.clock.Now().Sub(c.pol.loadedAt) < policyMaxAge
	c.pol.mu.Unlock()
	if fresh {
		return nil
	}
	clusters, err := c.clusters(ctx)
	if err != nil {
		return err
	}
	return c.refreshPolicies(ctx, clusters)
}

// anyNonDraining reports whether some group known to drainer does not
// drain (so that a notice naming only an instance needs its group looked
// up).
func (c *Controller) anyNonDraining(ctx context.Context) (bool, error) {
	if c.opts.Cloud == nil {
		return false, nil
	}
	if !c.opts.Policy(nil).Drain {
		return true, nil
	}
	if err := c.ensurePolicies(ctx); err != nil {
		return false, err
	}
	c.pol.mu.Lock()
	defer c.pol.mu.Unlock()
	for _, cp := range c.pol.byGroup {
		if !c.opts.Policy(&cp).Drain {
			return true, nil
		}
	}
	return false, nil
}

func (c *Controller) clusters(ctx context.Context) ([]string, error) {
	if len(c.opts.Clusters) > 0 {
		return c.opts.Clusters, nil
	}
	cs, err := c.opts.Cloud.ListClusters(ctx)
	if err != nil {
		return nil, err // the client says "list clusters: …"
	}
	return cs, nil
}

// The presets.
const (
	// PresetDefault is drainer's own policy (DESIGN.md §3).
	PresetDefault = "default"
	// PresetECSManaged reproduces AWS's own ECS managed draining: a 48 h
	// DRAINING limit, standalone tasks left to finish, no hard stop
	// before the lifecycle hook's own global timeout, no idle or
	// time-to-live reclamation, rebalance recommendations ignored.
	PresetECSManaged = "ecs-managed"
)

// Preset returns the drain policy of a preset and opts adjusted to it.
func Preset(name string, opts Options) (drain.Policy, Options, error) {
	switch name {
	case "", PresetDefault:
		opts.Preset = PresetDefault
		return drain.DefaultPolicy(), opts, nil
	case PresetECSManaged:
		p := drain.DefaultPolicy()
		p.Standalone = drain.StandaloneWait
		p.DrainingLimit = 48 * time.Hour
		// Every reason gets the whole DRAINING limit, bounded only by the
		// hook's global timeout (less the margin that lets the action be
		// completed before the hook gives up): the instance goes with
		// whatever still runs then, as it does under ECS.
		p.Graceful = map[drain.Reason]time.Duration{}
		p.HardStop = 0
		opts.Preset = PresetECSManaged
		opts.IdleAfter, opts.MaxLifetime = 0, 0
		opts.DrainOnRebalance = false
		return p, opts, nil
	}
	return drain.Policy{}, opts, fmt.Errorf("preset %q: want %s or %s", name, PresetDefault, PresetECSManaged)
}
