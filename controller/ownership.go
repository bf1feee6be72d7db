package controller

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/intake"
	"github.com/drainer-dev/drainer/membership"
)

// The reasons a notice is ignored: deleted from the queue, logged, counted
// and left untouched (DESIGN.md §2: touch only what is ours, trust no
// message). They are stable metric label values.
const (
	// IgnoredHookNotOwned: a lifecycle action of a hook drainer does not
	// own (another team's hook on the same group).
	IgnoredHookNotOwned = "hook-not-owned"
	// IgnoredGroupNotServed: a lifecycle action of a group whose instances
	// join no cluster drainer serves.
	IgnoredGroupNotServed = "group-not-served"
	// IgnoredNotWaiting: the instance has no pending lifecycle action of
	// the hook named (already completed, timed out, abandoned, or never:
	// a stale or forged message).
	IgnoredNotWaiting = "not-waiting"
	// IgnoredNotSpot: a Spot interruption warning or rebalance
	// recommendation for an instance EC2 says is not a Spot instance (or
	// does not know): a forged or misrouted message.
	IgnoredNotSpot = "not-spot"
)

// spot reports whether EC2 says instanceID is a running Spot instance:
// only those get interruption warnings and rebalance recommendations
// (Amazon EC2 User Guide, "Spot Instance interruption notices").
func (c *Controller) spot(ctx context.Context, n intake.Notice, instanceID string) (bool, error) {
	if c.opts.Cloud == nil {
		return true, nil
	}
	insts, err := c.opts.Cloud.DescribeInstances(ctx, []string{instanceID})
	if err != nil && !errors.Is(err, cloud.ErrNotFound) {
		return false, fmt.Errorf("is %s a Spot instance: %w", instanceID, err)
	}
	if len(insts) == 1 && insts[0].Spot {
		return true, nil
	}
	c.ignore(n, IgnoredNotSpot, "a Spot notice for an instance that is not a Spot instance")
	return false, nil
}

// servedFor bounds how long a group's answer (serves a cluster or not) is
// trusted; a group that served none is asked again sooner, since its first
// instances may be registering.
const (
	servedFor    = 5 * time.Minute
	notServedFor = time.Minute
)

// ownership remembers which groups serve a cluster drainer serves.
type ownership struct {
	mu     sync.Mutex
	groups map[string]servedAnswer
	// asking holds asks to one at a time, so that the messages of a
	// scale-in, which arrive together by the thousand, ask AWS about their
	// group once rather than once each before the first answer is kept.
	// It waits on the clock: a virtual one moves while an ask waits for
	// its tokens.
	asking clock.Mutex
}

type servedAnswer struct {
	served bool
	at     time.Time
}

// owns reports whether drainer owns hook.
func (c *Controller) owns(hook string) bool { return c.rec.Owns(hook) }

// ignore logs and counts a notice drainer leaves alone.
func (c *Controller) ignore(n intake.Notice, reason, detail string) {
	c.log.Info("notice ignored: "+detail, "kind", n.Kind(), "instance", n.Instance(), "reason", reason)
	if c.opts.OnIgnored != nil {
		c.opts.OnIgnored(n.Kind(), reason)
	}
}

// groupServed reports whether group serves a cluster drainer serves, in
// each of the ways package membership finds a group's clusters (so that
// run takes up the lifecycle messages of every group setup hooks and
// doctor checks): one of the clusters' capacity providers names it; the
// user data of a launch template version or of the launch configuration it
// launches from sets ECS_CLUSTER to one of them (membership.UserDataJoins:
// the only sign of a new group none of whose instances has registered
// yet); or one of its instances — instanceID first, the one a notice is
// about — is registered in one of them. A group that joins no served
// cluster any of these ways serves none. The answer is kept per group
// (servedFor, notServedFor) and asked once however many messages of the
// group arrive together.
//
// Cost, once per group every few minutes: the clusters' capacity
// providers (cached with the policies); one ListContainerInstances
// (filtered by instance) per served cluster for instanceID; when that is
// not registered, one DescribeAutoScalingGroups, one
// DescribeLaunchTemplateVersions per template version and one
// DescribeLaunchConfigurations for a configuration the group launches
// from, and, when their user data names no served cluster, the same
// ListContainerInstances for up to three more of its instances.
func (c *Controller) groupServed(ctx context.Context, group, instanceID string) (bool, error) {
	if served, ok := c.servedAnswer(group); ok {
		return served, nil
	}
	if err := c.own.asking.Lock(ctx); err != nil {
		return false, err
	}
	defer c.own.asking.Unlock()
	if served, ok := c.servedAnswer(group); ok {
		return served, nil // answered while this one waited
	}
	now := c.clock.Now()
	served, err := c.askServed(ctx, group, instanceID)
	if err != nil {
		return false, fmt.Errorf("does group %s serve a cluster of drainer's: %w", group, err)
	}
	c.own.mu.Lock()
	if c.own.groups == nil {
		c.own.groups = map[string]servedAnswer{}
	}
	c.own.groups[group] = servedAnswer{served: served, at: now}
	c.own.mu.Unlock()
	return served, nil
}

// servedAnswer returns the kept answer for group, if one is still trusted.
func (c *Controller) servedAnswer(group string) (served, ok bool) {
	now := c.clock.Now()
	c.own.mu.Lock()
	a, ok := c.own.groups[group]
	c.own.mu.Unlock()
	if ok && (a.served && now.Sub(a.at) < servedFor || !a.served && now.Sub(a.at) < notServedFor) {
		return a.served, true
	}
	return false, false
}

// askServed asks AWS what groupServed answers, the cheapest ways first.
func (c *Controller) askServed(ctx context.Context, group, instanceID string) (bool, error) {
	if err := c.ensurePolicies(ctx); err != nil {
		return false, err
	}
	c.pol.mu.Lock()
	_, byProvider := c.pol.byGroup[group]
	c.pol.mu.Unlock()
	if byProvider {
		return true, nil
	}
	clusters, err := c.clusters(ctx)
	if err != nil {
		return false, err
	}
	registered := func(id string) (bool, error) {
		_, _, err := c.findContainerInstance(ctx, id)
		if errors.Is(err, cloud.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	if ok, err := registered(instanceID); ok || err != nil {
		return ok, err
	}
	groups, err := c.opts.Cloud.DescribeGroups(ctx, []string{group})
	if err != nil || len(groups) == 0 {
		return false, err
	}
	joins, err := membership.UserDataJoins(ctx, c.opts.Cloud, groups[0], clusters)
	if err != nil || len(joins) > 0 {
		return len(joins) > 0, err
	}
	asked := 0
	for _, gi := range groups[0].Instances {
		if gi.InstanceID == instanceID || gi.LifecycleState == cloud.LifecycleTerminated || asked == 3 {
			continue
		}
		asked++
		if ok, err := registered(gi.InstanceID); ok || err != nil {
			return ok, err
		}
	}
	return false, nil
}

// pending reports whether a lifecycle action of hook holds instanceID in
// group, asking Auto Scaling itself: a heartbeat by instance id (never by
// the message's token, which may be wrong) succeeds only for a pending
// action, and extends it, which drainer would do anyway.
func (c *Controller) pending(ctx context.Context, group, hook, instanceID string) (beat time.Time, ok bool, err error) {
	// The heartbeat that verifies is the action's first extension too:
	// the drain's own heartbeats count from the moment it was sent.
	beat = c.clock.Now()
	err = c.opts.Cloud.RecordLifecycleActionHeartbeat(ctx, cloud.LifecycleAction{Group: group, Hook: hook, InstanceID: instanceID})
	switch {
	case err == nil:
		return beat, true, nil
	case errors.Is(err, cloud.ErrNoActiveLifecycleAction), errors.Is(err, cloud.ErrNotFound):
		return time.Time{}, false, nil
	}
	return time.Time{}, false, fmt.Errorf("lifecycle action of %s for hook %s: %w", instanceID, hook, err)
}

// waiting reports whether a lifecycle action of hook is pending for
// instanceID in group, without extending it: Auto Scaling says the
// instance waits in Terminating:Wait in that group (one
// DescribeAutoScalingInstances, which the client shares with other
// messages', fifty instances a call), and hook is one of the group's
// termination hooks — Auto Scaling runs every termination hook of a group
// for each instance it terminates ("Amazon EC2 Auto Scaling lifecycle
// hooks", How lifecycle hooks work). A heartbeat would tell the same for
// one instance a call, in the bucket every heartbeat shares: a thousand
// actions at once would wait their turn behind it.
func (c *Controller) waiting(ctx context.Context, group, hook, instanceID string) (bool, error) {
	gis, err := c.opts.Cloud.DescribeGroupInstances(ctx, []string{instanceID})
	if err != nil && !errors.Is(err, cloud.ErrNotFound) {
		return false, fmt.Errorf("lifecycle state of %s: %w", instanceID, err)
	}
	in := false
	for _, gi := range gis {
		in = in || gi.InstanceID == instanceID && gi.Group == group && gi.LifecycleState == cloud.LifecycleTerminatingWait
	}
	if !in {
		return false, nil
	}
	h, err := c.rec.Hook(ctx, group, hook)
	switch {
	case errors.Is(err, cloud.ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("hooks of %s: %w", group, err)
	}
	return h.Transition == cloud.LifecycleTransitionTerminating, nil
}

// adopt takes up an instance in Terminating:Wait that no drain covers
// (the scans find them): for each owned termination hook of group whose
// lifecycle action Auto Scaling says is pending for the instance, it
// starts the drain a lifecycle message would have started, counting from
// when Auto Scaling began terminating the instance (its scaling activity),
// or from now when that is not found. A message lost, or a drain that
// waited in memory for its agent to register when drainer restarted, is
// so taken up within a scan interval, before the hook times out.
//
// Cost per instance: one DescribeLifecycleHooks and, per owned hook, one
// RecordLifecycleActionHeartbeat; one DescribeScalingActivities per drain
// started.
func (c *Controller) adopt(ctx context.Context, group, instanceID string) error {
	hooks, err := c.opts.Cloud.LifecycleHooks(ctx, group)
	if err != nil {
		return fmt.Errorf("hooks of %s: %w", group, err)
	}
	for _, h := range hooks {
		if h.Transition != cloud.LifecycleTransitionTerminating || !c.owns(h.Name) {
			continue
		}
		beat, pending, err := c.pending(ctx, group, h.Name, instanceID)
		if err != nil {
			return err
		}
		if !pending {
			continue // another owned hook's action may be
		}
		at := c.terminatingSince(ctx, instanceID)
		c.log.Info("taking up a lifecycle action no drain covers", "instance", instanceID, "group", group, "hook", h.Name, "since", at)
		if err := c.start(ctx, instanceID, drain.Trigger{Reason: drain.ReasonLifecycle, At: at, Group: group, Hook: h.Name, HookGlobalTimeout: h.GlobalTimeout, Beat: beat}); err != nil {
			return err
		}
	}
	return nil
}

// terminatingSince is when Auto Scaling began terminating instanceID, from
// its recent scaling activities; zero (now, for the drain) when not found.
func (c *Controller) terminatingSince(ctx context.Context, instanceID string) time.Time {
	acts, err := c.opts.Cloud.ScalingActivities(ctx, 100)
	if err != nil {
		return time.Time{}
	}
	for _, a := range acts {
		if strings.Contains(a.Description, "Terminating EC2 instance: "+instanceID) {
			return a.Start
		}
	}
	return time.Time{}
}
