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

	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/intake"
)

// Options configure a Controller.
type Options struct {
	// DrainOnRebalance drains instances that get an EC2 rebalance
	// recommendation (default: ignore them, as DESIGN.md §3 says).
	DrainOnRebalance bool
	Logger           *slog.Logger
}

// Controller routes notices to the reconciler.
type Controller struct {
	rec  *drain.Reconciler
	opts Options
	log  *slog.Logger
}

// New returns a Controller driving rec.
func New(rec *drain.Reconciler, opts Options) *Controller {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Controller{rec: rec, opts: opts, log: log}
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
		return c.start(ctx, n.InstanceID, drain.Trigger{Reason: drain.ReasonLifecycle, At: n.Time, Group: n.Group, Hook: n.HookName, Token: n.Token})
	case intake.SpotInterruption:
		return c.start(ctx, n.InstanceID, drain.Trigger{Reason: drain.ReasonSpot, At: n.Time})
	case intake.RebalanceRecommendation:
		if !c.opts.DrainOnRebalance {
			return nil
		}
		return c.start(ctx, n.InstanceID, drain.Trigger{Reason: drain.ReasonRebalance, At: n.Time})
	case intake.InstanceStateChange:
		c.rec.Wake(n.InstanceID)
	case intake.ContainerInstanceStateChange:
		c.rec.Wake(n.InstanceID)
	case intake.TaskStateChange:
		if n.ContainerInstanceARN != "" {
			c.rec.WakeContainerInstance(n.ContainerInstanceARN)
		}
	}
	return nil
}

func (c *Controller) start(ctx context.Context, instanceID string, t drain.Trigger) error {
	err := c.rec.Start(ctx, instanceID, t)
	if errors.Is(err, drain.ErrNotContainerInstance) {
		c.log.Info("not a container instance of a served cluster: nothing to drain", "instance", instanceID, "reason", t.Reason)
		return nil
	}
	if err != nil {
		return fmt.Errorf("handle %s of %s: %w", t.Reason, instanceID, err)
	}
	return nil
}
