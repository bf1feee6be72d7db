package controller

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
)

// StartVoluntary starts a drain chosen by drainer or an operator (idle,
// time-to-live, operator, rebalance) only if the instance's group has room
// in its disruption budget, counted by drain.Disrupted as the scans count
// it: instances terminating, DRAINING, or drained by this drainer. It returns an error wrapping
// drain.ErrOverBudget when the drain must wait. Involuntary reasons go
// straight to the reconciler.
//
// Two drainers (replicas) checking the same group at the same instant would
// both find room; so a drain that finds room first claims it on its
// container instance (claimAttribute), counts again, and steps back if
// another drain or claim now fills the budget. Of two racing drains at
// least one sees the other's claim or DRAINING, so they never both start
// over the budget; both may step back, and the next scan (or the
// operator, told to try again) starts one.
func (c *Controller) StartVoluntary(ctx context.Context, instanceID string, t drain.Trigger) error {
	if !t.Reason.Voluntary() || c.opts.Cloud == nil {
		return c.rec.Start(ctx, instanceID, t)
	}
	gis, err := c.opts.Cloud.DescribeGroupInstances(ctx, []string{instanceID})
	if err != nil && !errors.Is(err, cloud.ErrNotFound) {
		return fmt.Errorf("budget of %s: %w", instanceID, err)
	}
	if len(gis) == 0 {
		return c.rec.Start(ctx, instanceID, t) // not in a group: no budget
	}
	name := gis[0].Group
	for _, d := range c.rec.Drains() {
		if d.InstanceID == instanceID {
			return c.rec.Start(ctx, instanceID, t) // joins a drain under way
		}
	}
	if err := c.roomIn(ctx, name, instanceID, t, nil); err != nil {
		return err
	}
	cluster, ci, err := c.findContainerInstance(ctx, instanceID)
	if err != nil {
		// Not registered (or not found): the reconciler says why, or
		// watches for it to register; nothing to claim.
		return c.rec.Start(ctx, instanceID, t)
	}
	claim := map[string]string{claimAttribute: strconv.FormatInt(c.clock.Now().UnixNano(), 10)}
	switch err := c.opts.Cloud.PutAttributes(ctx, cluster, ci.ARN, claim); {
	case errors.Is(err, cloud.ErrAttributeLimit):
		c.log.Warn("voluntary drain not claimed: its container instance has no custom attribute free; two drainers checking at once may both start", "instance", instanceID, "error", err)
		return c.rec.Start(ctx, instanceID, t)
	case err != nil:
		return fmt.Errorf("drain %s: claim the budget of group %s: %w", instanceID, name, err)
	}
	defer func() {
		// By now the drain's DRAINING (or its absence) says what the claim
		// said; a claim left behind expires after claimTTL.
		if err := c.opts.Cloud.DeleteAttributes(context.WithoutCancel(ctx), cluster, ci.ARN, []string{claimAttribute}); err != nil && !errors.Is(err, cloud.ErrNotFound) {
			c.log.Warn("voluntary drain's claim not removed; it expires", "instance", instanceID, "after", claimTTL, "error", err)
		}
	}()
	claims, err := c.claims(ctx, instanceID)
	if err != nil {
		return fmt.Errorf("budget of group %s: %w", name, err)
	}
	if err := c.roomIn(ctx, name, instanceID, t, claims); err != nil {
		return err
	}
	return c.rec.Start(ctx, instanceID, t)
}

// claimAttribute is the custom attribute a voluntary drain sets on its
// container instance between finding room in its group's disruption
// budget and its DRAINING, so that another drainer checking the same group
// then counts it (value: the claim's time, Unix nanoseconds). It holds one
// of ECS's 10 custom attributes for the length of a start, which the
// README asks operators to leave free.
const claimAttribute = "drainer.claim"

// claimTTL is how long a claim counts: a drainer that stopped between its
// claim and its DRAINING leaves a claim that must not hold the budget for
// ever. A start takes seconds.
const claimTTL = time.Minute

// roomIn returns nil when group has room for one more voluntary drain
// (of instanceID, for t), counting what AWS shows now, this drainer's
// drains and the live claims of other drains (EC2 instance ids), or an
// error wrapping drain.ErrOverBudget naming what holds it.
func (c *Controller) roomIn(ctx context.Context, group, instanceID string, t drain.Trigger, claims map[string]bool) error {
	groups, err := c.opts.Cloud.DescribeGroups(ctx, []string{group})
	if err != nil || len(groups) == 0 {
		return fmt.Errorf("budget of group %s: %w", group, errors.Join(err, cloud.ErrNotFound))
	}
	g := groups[0]
	drainingHere := map[string]bool{}
	for _, d := range c.rec.Drains() {
		drainingHere[d.InstanceID] = true
	}
	drainingCIs, err := c.drainingContainerInstances(ctx)
	if err != nil {
		return fmt.Errorf("budget of group %s: %w", group, err)
	}
	var holders []string // the instances that use the budget up, as the operator will want to know
	for _, in := range g.Instances {
		if in.InstanceID == instanceID {
			continue
		}
		switch {
		case drain.Disrupted(in.LifecycleState, drainingCIs[in.InstanceID], drainingHere[in.InstanceID]):
			holders = append(holders, in.InstanceID)
		case claims[in.InstanceID]:
			// Another drain starting at this very moment: both may step
			// back, so asking again soon succeeds.
			holders = append(holders, in.InstanceID+" claimed by a drain starting now; try again in a few seconds")
		}
	}
	if draining := len(holders); !c.opts.Budget.Allows(g.DesiredCapacity, draining) {
		return fmt.Errorf("drain %s (%s): group %s has %d of %d instances draining (%s), its budget %s allows %d: %w",
			instanceID, t.Reason, group, draining, g.DesiredCapacity, listSome(holders, 5), c.opts.Budget, c.opts.Budget.Limit(g.DesiredCapacity), drain.ErrOverBudget)
	}
	return nil
}

// claims returns the EC2 instances, other than instanceID, whose
// container instances in the served clusters carry a claim younger than
// claimTTL: one ListAttributes per cluster, and a
// DescribeContainerInstances of the claimed ones when there are any.
func (c *Controller) claims(ctx context.Context, instanceID string) (map[string]bool, error) {
	clusters, err := c.clusters(ctx)
	if err != nil {
		return nil, err
	}
	now := c.clock.Now()
	out := map[string]bool{}
	for _, cl := range clusters {
		targets, err := c.opts.Cloud.ListAttributeTargets(ctx, cl, claimAttribute)
		if errors.Is(err, cloud.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("claims in %s: %w", cl, err)
		}
		var live []string
		for _, tg := range targets {
			ns, err := strconv.ParseInt(tg.Value, 10, 64)
			if err == nil && now.Sub(time.Unix(0, ns)) < claimTTL {
				live = append(live, tg.ContainerInstanceARN)
			}
		}
		if len(live) == 0 {
			continue
		}
		cis, err := c.opts.Cloud.DescribeContainerInstances(ctx, cl, live)
		if err != nil {
			return nil, fmt.Errorf("claims in %s: %w", cl, err)
		}
		for _, ci := range cis {
			if ci.EC2InstanceID != instanceID {
				out[ci.EC2InstanceID] = true
			}
		}
	}
	return out, nil
}

// findContainerInstance finds instanceID's container instance in the
// served clusters; an error wrapping cloud.ErrNotFound when none has it.
func (c *Controller) findContainerInstance(ctx context.Context, instanceID string) (string, cloud.ContainerInstance, error) {
	clusters, err := c.clusters(ctx)
	if err != nil {
		return "", cloud.ContainerInstance{}, err
	}
	for _, cl := range clusters {
		ci, err := c.opts.Cloud.FindContainerInstance(ctx, cl, instanceID)
		switch {
		case err == nil:
			return cl, ci, nil
		case !errors.Is(err, cloud.ErrNotFound):
			return "", cloud.ContainerInstance{}, err
		}
	}
	return "", cloud.ContainerInstance{}, fmt.Errorf("container instance of %s: %w", instanceID, cloud.ErrNotFound)
}

// listSome joins the first n of ids, saying how many more there are.
func listSome(ids []string, n int) string {
	if len(ids) <= n {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:n], ", "), len(ids)-n)
}

// drainingContainerInstances returns the EC2 instances whose container
// instances are DRAINING in the served clusters: one ListContainerInstances
// (and DescribeContainerInstances) per served cluster and page of 100.
func (c *Controller) drainingContainerInstances(ctx context.Context) (map[string]bool, error) {
	clusters, err := c.clusters(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, cl := range clusters {
		cis, err := c.opts.Cloud.ListContainerInstances(ctx, cl, cloud.ContainerInstanceDraining)
		if err != nil {
			return nil, fmt.Errorf("DRAINING container instances of %s: %w", cl, err)
		}
		for _, ci := range cis {
			out[ci.EC2InstanceID] = true
		}
	}
	return out, nil
}

// Drains lists the drains in progress (so a Controller can stand in for the
// reconciler behind the HTTP API).
func (c *Controller) Drains() []drain.Status { return c.rec.Drains() }

// Start is StartVoluntary under the name the HTTP API expects.
func (c *Controller) Start(ctx context.Context, instanceID string, t drain.Trigger) error {
	return c.StartVoluntary(ctx, instanceID, t)
}
