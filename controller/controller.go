// Package controller is drainer's running controller: it turns what the
// intake hears (lifecycle actions, Spot warnings, rebalance
// recommendations, EC2 and ECS state changes) into drains and wake-ups of
// the reconciler.
package controller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/intake"
	"github.com/drainer-dev/drainer/membership"
)

// Options configure a Controller.
type Options struct {
	// DrainOnRebalance drains instances that get an EC2 rebalance
	// recommendation (default: ignore them, as DESIGN.md §3 says).
	DrainOnRebalance bool
	Logger           *slog.Logger

	// Cloud is what the scans and the per-group policy read and act on;
	// without it every group drains and Scan does nothing.
	Cloud Cloud
	// Clock drives Run and the scans' notion of now (default: real time).
	Clock clock.Clock
	// Clusters are the clusters served; empty means every cluster.
	Clusters []string

	// IdleAfter reclaims instances with no non-daemon task for that long,
	// in groups above their minimum (0 = off).
	IdleAfter time.Duration
	// MaxLifetime replaces instances at that age (drainer's time-to-live;
	// 0 = off).
	MaxLifetime time.Duration
	// Budget limits the voluntary drains of a group (idle, TTL) by the
	// instances of the group already draining; the zero Budget allows one.
	Budget drain.Budget

	// ProtectDefault and DrainDefault are the policy of groups without a
	// capacity provider (DrainDefault nil means true: drain them).
	ProtectDefault bool
	DrainDefault   *bool
	// ProtectOverride and DrainOverride, when set, win over the capacity
	// provider's settings for every group.
	ProtectOverride *bool
	DrainOverride   *bool
	// Preset is the name of the preset the options came from (see Preset).
	Preset string
	// OnScan, when set, is told what each pass of Run found and did.
	OnScan func(ScanReport, error)
	// SweepAge: the scans delete the network interfaces ECS tasks left
	// available once seen so for that long (0: they do not sweep).
	SweepAge time.Duration

	// OnIgnored, when set, is told of each notice left alone, with one of
	// the Ignored… reasons.
	OnIgnored func(kind intake.Kind, reason string)
}

// Cloud is what the controller reads and acts on: every interface of
// package cloud but its provisioning, and of that the reads of launch
// templates' and configurations' user data, which tell whether a
// lifecycle message's group serves a cluster before any of its instances
// has registered (membership.UserDataReader). cloud/aws's Client
// satisfies it.
type Cloud interface {
	cloud.Cloud
	membership.UserDataReader
}

// Controller routes notices to the reconciler and runs the periodic
// scans.
type Controller struct {
	rec   *drain.Reconciler
	opts  Options
	log   *slog.Logger
	clock clock.Clock
	pol   policies
	scan  scanState
	own   ownership
	// takeUps holds one lifecycle action's messages to one at a time.
	takeUps takeUps
}

// New returns a Controller driving rec.
func New(rec *drain.Reconciler, opts Options) *Controller {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	clk := opts.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	return &Controller{rec: rec, opts: opts, log: log, clock: clk, scan: newScanState()}
}

// Handle acts on one notice. It returns nil once the notice's effect is
// durable (a drain recorded on the instance) or when there is nothing to
// do, so the caller may delete the message; an error means "keep the
// message, it will come back".
func (c *Controller) Handle(ctx context.Context, n intake.Notice) error {
	switch n := n.(type) {
	case intake.LifecycleAction:
		if !n.Terminating() {
			return nil // launch hooks are not drainer's business
		}
		// Taking up a lifecycle action goes before the looks at drains
		// already under way: until its drain is recorded, nothing keeps
		// the action alive.
		ctx = cloud.WithPriority(ctx, cloud.PriorityUrgent)
		unlock, err := c.takeUps.lock(ctx, n.InstanceID+"\x00"+n.Group+"\x00"+n.HookName)
		if err != nil {
			return err
		}
		defer unlock()
		if c.rec.KeepsAlive(n.InstanceID, n.Group, n.HookName) {
			c.log.Debug("lifecycle action already kept alive by its drain", "instance", n.InstanceID, "hook", n.HookName)
			return nil
		}
		if ok, err := c.ours(ctx, n); !ok || err != nil {
			return err
		}
		t := drain.Trigger{Reason: drain.ReasonLifecycle, At: n.Time, Group: n.Group, Hook: n.HookName, Token: n.Token}
		pol, err := c.groupPolicy(ctx, n.Group)
		if err != nil {
			return fmt.Errorf("handle lifecycle action of %s: %w", n.InstanceID, err)
		}
		if !pol.Drain && !c.draining(n.InstanceID) {
			return c.letGo(ctx, n)
		}
		return c.start(ctx, n.InstanceID, t)
	case intake.SpotInterruption:
		if ok, err := c.spot(ctx, n, n.InstanceID); !ok || err != nil {
			return err
		}
		if skip, err := c.notDrained(ctx, n.InstanceID); err != nil || skip {
			return err
		}
		return c.start(ctx, n.InstanceID, drain.Trigger{Reason: drain.ReasonSpot, At: n.Time})
	case intake.RebalanceRecommendation:
		if !c.opts.DrainOnRebalance {
			return nil
		}
		if ok, err := c.spot(ctx, n, n.InstanceID); !ok || err != nil {
			return err
		}
		if skip, err := c.notDrained(ctx, n.InstanceID); err != nil || skip {
			return err
		}
		return c.start(ctx, n.InstanceID, drain.Trigger{Reason: drain.ReasonRebalance, At: n.Time})
	case intake.InstanceStateChange:
		c.rec.Wake(n.InstanceID)
	case intake.ContainerInstanceStateChange:
		// Only a deregistration changes what a drain decides; the other
		// changes (counts, DRAINING acknowledged) would cost a look each.
		if n.Status == "INACTIVE" {
			c.rec.Wake(n.InstanceID)
		} else {
			// An agent registering on an instance a drain waits on.
			c.rec.WakeAwaiting(n.InstanceID)
		}
	case intake.TaskStateChange:
		// A drain's decisions change only when a task reaches STOPPED (the
		// instance may be empty, daemon tasks may go); waking on every
		// step of every task would cost a full look each.
		if n.ContainerInstanceARN != "" && n.LastStatus == "STOPPED" {
			c.rec.WakeContainerInstance(n.ContainerInstanceARN)
		}
	}
	return nil
}

// ours reports whether a lifecycle action is drainer's to act on: a hook
// it owns, a group that serves one of its clusters, and an action Auto
// Scaling says is pending now. Anything else is ignored (deleted, logged,
// counted) and left untouched.
func (c *Controller) ours(ctx context.Context, n intake.LifecycleAction) (ok bool, err error) {
	if !c.owns(n.HookName) {
		c.ignore(n, IgnoredHookNotOwned, fmt.Sprintf("lifecycle action of hook %s, which drainer does not own", n.HookName))
		return false, nil
	}
	if c.opts.Cloud == nil {
		return true, nil
	}
	// An instance drainer is draining was registered in a served cluster
	// when its drain started; drainer may have deregistered it since (a
	// release through Auto Scaling runs the hook after that).
	served := c.draining(n.InstanceID)
	if !served {
		if served, err = c.groupServed(ctx, n.Group, n.InstanceID); err != nil {
			return false, fmt.Errorf("handle lifecycle action of %s: %w", n.InstanceID, err)
		}
	}
	if !served {
		c.ignore(n, IgnoredGroupNotServed, fmt.Sprintf("lifecycle action of group %s, which serves no cluster drainer serves", n.Group))
		return false, nil
	}
	pending, err := c.waiting(ctx, n.Group, n.HookName, n.InstanceID)
	if err != nil {
		return false, fmt.Errorf("handle lifecycle action of %s: %w", n.InstanceID, err)
	}
	if !pending {
		c.ignore(n, IgnoredNotWaiting, fmt.Sprintf("no lifecycle action of hook %s is pending for the instance", n.HookName))
		return false, nil
	}
	return true, nil
}

// letGo completes a termination lifecycle action at once with CONTINUE:
// the group does not drain, so the instance goes with its tasks, as AWS
// does with managed draining off (ECS replaces service tasks afterwards).
func (c *Controller) letGo(ctx context.Context, n intake.LifecycleAction) error {
	if c.opts.Cloud == nil {
		return errors.New("a group that does not drain needs Options.Cloud to complete its lifecycle actions")
	}
	c.log.Info("group does not drain: completing the lifecycle action at once", "instance", n.InstanceID, "group", n.Group, "hook", n.HookName)
	err := drain.CompleteAction(ctx, c.opts.Cloud, cloud.LifecycleAction{Group: n.Group, Hook: n.HookName, Token: n.Token, InstanceID: n.InstanceID}, cloud.LifecycleContinue)
	if err != nil && !errors.Is(err, cloud.ErrNoActiveLifecycleAction) {
		return fmt.Errorf("complete lifecycle action of %s in non-draining group %s: %w", n.InstanceID, n.Group, err)
	}
	return nil
}

// notDrained reports whether instanceID belongs to a group that does not
// drain. It looks the instance's group up (one DescribeAutoScalingInstances
// call) only when some group does not drain.
func (c *Controller) notDrained(ctx context.Context, instanceID string) (bool, error) {
	some, err := c.anyNonDraining(ctx)
	if err != nil || !some || c.draining(instanceID) {
		return false, err
	}
	gis, err := c.opts.Cloud.DescribeGroupInstances(ctx, []string{instanceID})
	if err != nil {
		return false, fmt.Errorf("group of %s: %w", instanceID, err)
	}
	if len(gis) == 0 {
		return !c.opts.Policy(nil).Drain, nil
	}
	pol, err := c.groupPolicy(ctx, gis[0].Group)
	if err != nil {
		return false, err
	}
	if !pol.Drain {
		c.log.Info("group does not drain: instance left to go", "instance", instanceID, "group", gis[0].Group)
	}
	return !pol.Drain, nil
}

// draining reports whether a drain of instanceID is under way (a lifecycle
// action for it then joins the drain whatever the group's policy).
func (c *Controller) draining(instanceID string) bool { return c.rec.Draining(instanceID) }

func (c *Controller) start(ctx context.Context, instanceID string, t drain.Trigger) error {
	// Voluntary reasons wait for the budget: the error keeps the message,
	// which comes back after its visibility timeout.
	err := c.StartVoluntary(ctx, instanceID, t)
	if errors.Is(err, drain.ErrNotContainerInstance) {
		c.log.Info("not a container instance of a served cluster: nothing to drain", "instance", instanceID, "reason", t.Reason)
		return nil
	}
	if errors.Is(err, drain.ErrOtherDrainer) {
		c.log.Info("drained under a hook drainer does not own: left alone", "instance", instanceID, "reason", t.Reason, "error", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("handle %s of %s: %w", t.Reason, instanceID, err)
	}
	return nil
}
