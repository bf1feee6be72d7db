package controller

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
)

// StartVoluntary starts a drain chosen by drainer or an operator (idle,
// time-to-live, operator, rebalance) only if the instance's group has room
// in its disruption budget, counted by drain.Disrupted as the scans count
// it: instances terminating, DRAINING, or drained by this drainer. It returns an error wrapping
// drain.ErrOverBudget when the drain must wait. Involuntary reasons go
// straight to the reconciler.
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
	groups, err := c.opts.Cloud.DescribeGroups(ctx, []string{name})
	if err != nil || len(groups) == 0 {
		return fmt.Errorf("budget of group %s: %w", name, errors.Join(err, cloud.ErrNotFound))
	}
	g := groups[0]
	drainingHere := map[string]bool{}
	for _, d := range c.rec.Drains() {
		drainingHere[d.InstanceID] = true
	}
	if drainingHere[instanceID] {
		return c.rec.Start(ctx, instanceID, t) // joins a drain under way
	}
	drainingCIs, err := c.drainingContainerInstances(ctx)
	if err != nil {
		return fmt.Errorf("budget of group %s: %w", name, err)
	}
	var holders []string // the instances that use the budget up, as the operator will want to know
	for _, in := range g.Instances {
		if drain.Disrupted(in.LifecycleState, drainingCIs[in.InstanceID], drainingHere[in.InstanceID]) {
			holders = append(holders, in.InstanceID)
		}
	}
	if draining := len(holders); !c.opts.Budget.Allows(g.DesiredCapacity, draining) {
		return fmt.Errorf("drain %s (%s): group %s has %d of %d instances draining (%s), its budget %s allows %d: %w",
			instanceID, t.Reason, name, draining, g.DesiredCapacity, listSome(holders, 5), c.opts.Budget, c.opts.Budget.Limit(g.DesiredCapacity), drain.ErrOverBudget)
	}
	return c.rec.Start(ctx, instanceID, t)
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
