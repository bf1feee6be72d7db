package invariant

import (
	"strings"
	"time"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/ecs"
)

// What Options.InEvents adds: the judgement of an owner that acts inside
// the world's events (ECS's managed instance draining) rather than by
// calls.

// serviceStop is a healthy service task asked to stop on a DRAINING
// instance whose host still ran.
type serviceStop struct {
	id   string // EC2 instance
	task *ecs.Task
}

// ranUntilNow reports whether an instance's host was running until the
// event that just happened: it still runs, or it stopped running in this
// event (an owner's completion lets the termination proceed at once).
func (c *Checker) ranUntilNow(id string) bool {
	if c.leftRunning[id] {
		return true
	}
	host, ok := c.w.EC2.Instance(id)
	return ok && host.State == ec2.StateRunning
}

// followHealth keeps, under Options.InEvents, the set of tasks counted
// healthy for their service, and reports whether t was before its change.
func (c *Checker) followHealth(t *ecs.Task) (was bool) {
	if !c.opts.InEvents {
		return false
	}
	was = c.healthy[t]
	if t.Healthy() {
		c.healthy[t] = true
	} else {
		delete(c.healthy, t)
	}
	return was
}

// judgeOwnerCompletion judges an owned action its owner completed in an
// event (rule 1): no non-daemon task may be left on the instance before
// its hard deadline — those it left Terminating:Wait with, when the
// completion ended the wait, else those there now.
func (c *Checker) judgeOwnerCompletion(now time.Time, e endedAction) {
	live, left := c.leftWith[e.id]
	if !left {
		ci := c.w.ECS.ContainerInstanceByEC2(e.id)
		if ci == nil {
			return
		}
		live = c.liveNonDaemon(ci)
	}
	if len(live) == 0 {
		return
	}
	deadline, source := c.hardDeadline(e.id, e.h)
	if !now.Before(deadline) {
		return
	}
	c.fail(1, e.id, "hook %s's owner completed its action before the hard deadline %s (%s) with tasks not STOPPED: %s",
		e.action.LifecycleHookName, deadline.Format(time.RFC3339), source, strings.Join(live, ", "))
}

// judgeServiceStops judges the service tasks the world itself asked to
// stop on DRAINING instances in the event that just happened (rule 3,
// Options.InEvents): none may have left its service below its minimum
// healthy count. Stops a call made are not the owner's.
func (c *Checker) judgeServiceStops(cl *emulator.Call) {
	stops := c.serviceStops
	c.serviceStops = nil
	if cl != nil {
		return
	}
	judged := map[*ecs.ECSService]bool{}
	for _, st := range stops {
		cluster := awsid.ClusterName(st.task.ClusterArn)
		svc := c.w.ECS.Service(cluster, st.task.ServiceName())
		if svc == nil || judged[svc] {
			continue
		}
		judged[svc] = true
		floor := MinHealthy(svc)
		if got := c.w.ECS.HealthyCount(cluster, svc.ServiceName); got < floor {
			c.fail(3, st.id, "service %s fell to %d healthy tasks, below its minimum of %d, when task %s on the DRAINING instance was asked to stop",
				svc.ServiceName, got, floor, awsid.TaskID(st.task.TaskArn))
		}
	}
}

// MinHealthy is the fewest healthy tasks a service may have while ECS
// moves its tasks: ceil(desiredCount × minimumHealthyPercent / 100), the
// percentage 100 unless its deployment configuration says otherwise
// (Amazon ECS Developer Guide, "Draining Amazon ECS container instances",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-draining.html;
// the default of minimumHealthyPercent: "Amazon ECS service definition
// parameters",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service_definition_parameters.html).
func MinHealthy(svc *ecs.ECSService) int {
	pct := 100
	if dc := svc.DeploymentConfiguration; dc != nil && dc.MinimumHealthyPercent != nil {
		pct = int(*dc.MinimumHealthyPercent)
	}
	return (int(svc.DesiredCount)*pct + 99) / 100
}
