package ecs

import (
	"sort"
	"strings"

	"github.com/drainer-dev/drainer/emulator/core"
	"github.com/drainer-dev/drainer/emulator/ecs/query"
)

// kick marks a service for reconciliation at the current virtual instant.
// Reconciliations are coalesced: one event runs every dirty service.
func (s *Service) kick(svc *ECSService) {
	if svc.dirty || svc.Status == "INACTIVE" {
		return
	}
	svc.dirty = true
	s.dirty = append(s.dirty, svc)
	if !s.flushPending && !s.flushing {
		s.flushPending = true
		s.env.After(0, s.flush)
	}
}

// kickDaemon marks one instance of a daemon service for reconciliation.
func (s *Service) kickDaemon(svc *ECSService, ci *ContainerInstance) {
	if !svc.dirtyCISet[ci] {
		svc.dirtyCISet[ci] = true
		svc.dirtyCIs = append(svc.dirtyCIs, ci)
	}
	s.kick(svc)
}

// capacityChanged wakes what may now be placed in c: daemon services on the
// instance that changed, then every service waiting for capacity.
func (s *Service) capacityChanged(c *cluster, ci *ContainerInstance) {
	if ci != nil {
		for _, d := range c.daemons {
			s.kickDaemon(d, ci)
		}
	}
	if len(c.waiting) == 0 {
		return
	}
	w := c.waiting
	c.waiting = nil
	for _, svc := range w {
		s.kick(svc)
	}
}

// flush reconciles every dirty service: daemons first (they claim a new
// instance before replicas do), then by creation.
func (s *Service) flush() {
	s.flushPending = false
	s.flushing = true
	for round := 0; len(s.dirty) > 0 && round < 100; round++ {
		batch := s.dirty
		s.dirty = nil
		sort.Slice(batch, func(i, j int) bool {
			if batch[i].daemon != batch[j].daemon {
				return batch[i].daemon
			}
			return batch[i].seq < batch[j].seq
		})
		for _, svc := range batch {
			svc.dirty = false
			if svc.daemon {
				s.reconcileDaemon(svc)
			} else {
				s.reconcileReplica(svc)
			}
		}
	}
	s.flushing = false
	if len(s.dirty) > 0 {
		s.flushPending = true
		s.env.After(0, s.flush)
	}
}

// percentages: ceil(desired × min / 100) and floor(desired × max / 100).
func limits(desired, minPct, maxPct int) (minHealthy, maxTasks int) {
	return (desired*minPct + 99) / 100, desired * maxPct / 100
}

// reconcileReplica moves a REPLICA service toward its desired count within
// its deployment limits (see the package doc).
func (s *Service) reconcileReplica(svc *ECSService) {
	if svc.Status == "INACTIVE" {
		return
	}
	desired := int(svc.DesiredCount)
	minPct, maxPct := svc.minMax()
	minHealthy, maxTasks := limits(desired, minPct, maxPct)
	var started, stopped []string
	placeFailed := false
	protected := 0
	for {
		changed := false
		protected = 0
		// Tasks not yet running on a draining instance are stopped at once.
		for _, t := range append([]*Task(nil), svc.replace...) {
			if t.ci.Status == "DRAINING" && isPending(t.LastStatus) {
				s.schedulerStop(svc, t)
				stopped = append(stopped, t.id)
				changed = true
			}
		}
		// Scale-down: surplus tasks that do not need replacing go first;
		// protected tasks are kept.
		if good := svc.active - len(svc.replace); good > desired {
			cands := s.surplus(svc, good-desired)
			protected += good - desired - len(cands)
			for _, t := range cands {
				s.schedulerStop(svc, t)
				stopped = append(stopped, t.id)
				changed = true
			}
		}
		// Tasks that need replacing stop while enough stay healthy.
		if len(svc.replace) > 0 {
			cands := append([]*Task(nil), svc.replace...)
			sort.Slice(cands, func(i, j int) bool {
				a, b := cands[i], cands[j]
				if a.Healthy() != b.Healthy() {
					return !a.Healthy()
				}
				return a.seq < b.seq
			})
			for _, t := range cands {
				if shields(svc, t) {
					protected++ // an old deployment's task: kept while protected
					continue
				}
				cost := 0
				if t.Healthy() {
					cost = 1
				}
				if svc.healthy-cost >= minHealthy {
					s.schedulerStop(svc, t)
					stopped = append(stopped, t.id)
					changed = true
				}
			}
		}
		// Start replacements within maximumPercent.
		for !placeFailed && svc.active-len(svc.replace) < desired && svc.upOrStarting < maxTasks {
			t, reason := s.placeService(svc)
			if t == nil {
				placeFailed = true
				s.blocked(svc, reason)
				break
			}
			started = append(started, t.id)
			changed = true
		}
		if !changed {
			break
		}
	}
	s.report(svc, started, stopped)
	if !placeFailed {
		svc.blocked = false
	}
	if protected > 0 && !svc.protectBlocked {
		s.event(svc, "was unable to stop %d tasks because they are protected from scale-in. They are stopped once their protection is removed or expires.", protected)
	}
	svc.protectBlocked = protected > 0
	s.settle(svc)
}

// surplus picks up to n tasks not needing replacement to stop on
// scale-down, leaving protected ones: unhealthy before healthy, newest
// first.
func (s *Service) surplus(svc *ECSService, n int) []*Task {
	var cands []*Task
	for _, t := range svc.live {
		if t.DesiredStatus == StatusRunning && t.replIdx < 0 && !shields(svc, t) {
			cands = append(cands, t)
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.Healthy() != b.Healthy() {
			return !a.Healthy()
		}
		return a.seq > b.seq
	})
	return cands[:min(n, len(cands))]
}

func (s *Service) schedulerStop(svc *ECSService, t *Task) {
	code, reason := "ServiceSchedulerInitiated", "Scaling activity initiated by (deployment "+svc.primary().Id+")"
	switch {
	case t.ci.Status == "DRAINING" && t.ci.interrupted:
		code, reason = "SpotInterruption", "Your Spot Task was interrupted."
	case t.ci.Status == "DRAINING":
		reason = "Service " + svc.ServiceName + ": container instance is in DRAINING state"
	case svc.Status == "DRAINING":
		reason = "Service " + svc.ServiceName + " was deleted"
	}
	s.stopTask(t, code, reason)
}

// serviceDemand is what a task of the service's primary deployment needs.
func (svc *ECSService) demand() demand {
	td := svc.primary().td
	d := demand{cpu: td.cpu, mem: td.mem, eni: td.NetworkMode == "awsvpc", providers: svc.providers()}
	d.memberOf = append(append([]query.Expr(nil), td.memberOf...), svc.memberOf...)
	if svc.distinct {
		d.distinct = "service:" + svc.ServiceName
	}
	return d
}

// daemonTargets is the number of container instances a daemon service runs
// on, its desiredCount: the ACTIVE instances of its cluster its capacity
// providers and memberOf constraints allow (0 once it is being deleted).
func (s *Service) daemonTargets(svc *ECSService) int {
	if svc.Status != "ACTIVE" {
		return 0
	}
	d := svc.demand()
	if len(d.providers) == 0 && len(d.memberOf) == 0 {
		return svc.cl.active
	}
	n := 0
	for _, ci := range svc.cl.instances {
		if ci.Status == "ACTIVE" && d.providerOK(ci) && d.unsatisfied(ci) == "" {
			n++
		}
	}
	return n
}

// placeService places one task of the service's primary deployment.
func (s *Service) placeService(svc *ECSService) (*Task, string) {
	c := svc.cl
	td := svc.primary().td
	d := svc.demand()
	ci, reason := s.choose(c, d, svc.PlacementStrategy, spreader{az: svc.azCount, ci: svc.ciCount})
	if ci == nil {
		return nil, reason
	}
	return s.newTask(c, ci, td, svc, "service:"+svc.ServiceName, svc.primary().Id), ""
}

// blocked records that a service waits for capacity (one event per episode).
func (s *Service) blocked(svc *ECSService, reason string) {
	c := svc.cl
	found := false
	for _, w := range c.waiting {
		found = found || w == svc
	}
	if !found {
		c.waiting = append(c.waiting, svc)
	}
	if svc.blocked {
		return
	}
	svc.blocked = true
	msg := "was unable to place a task because no container instance met all of its requirements."
	switch reason {
	case "":
		msg += " Reason: No Container Instances were found in your cluster."
	case reasonMemberOf, reasonDistinct:
		msg += " The closest matching container-instance encountered error \"" + reason + "\"."
	default:
		what := strings.ToLower(strings.TrimPrefix(reason, "RESOURCE:"))
		if what == "eni" {
			what = "network interfaces"
		}
		msg += " The closest matching container-instance has insufficient " + what + " available."
	}
	s.event(svc, "%s For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.", msg)
}

// report writes the "has started" / "has stopped" service events.
func (s *Service) report(svc *ECSService, started, stopped []string) {
	if len(stopped) > 0 {
		s.event(svc, "has stopped %d running tasks: %s.", len(stopped), taskList(stopped))
	}
	if len(started) > 0 {
		s.event(svc, "has started %d tasks: %s.", len(started), taskList(started))
	}
}

func taskList(ids []string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = "(task " + id + ")"
	}
	return strings.Join(parts, " ")
}

// settle retires drained deployments, completes the rollout, marks a deleted
// service INACTIVE once its tasks stopped, and reports steady state.
func (s *Service) settle(svc *ECSService) {
	kept := svc.Deployments[:1]
	for _, d := range svc.Deployments[1:] {
		if d.live > 0 {
			kept = append(kept, d)
		}
	}
	svc.Deployments = kept
	if svc.Status == "DRAINING" {
		if svc.counted == 0 {
			svc.Status = "INACTIVE"
			svc.primary().Status = "INACTIVE"
			s.removeWaiting(svc)
		}
		return
	}
	if svc.daemon {
		svc.DesiredCount = int32(s.daemonTargets(svc))
		svc.primary().DesiredCount = svc.DesiredCount
	}
	desired := int(svc.DesiredCount)
	steady := len(svc.Deployments) == 1 && len(svc.replace) == 0 &&
		svc.active == desired && svc.healthy == desired && svc.counted == desired
	if steady && !svc.steady {
		p := svc.primary()
		if p.RolloutState == "IN_PROGRESS" {
			p.RolloutState, p.RolloutStateReason = "COMPLETED", "ECS deployment "+p.Id+" completed."
			p.UpdatedAt = core.Epoch(s.env.Now())
		}
		s.event(svc, "has reached a steady state.")
	}
	svc.steady = steady
}

func (s *Service) removeWaiting(svc *ECSService) {
	c := svc.cl
	for i, w := range c.waiting {
		if w == svc {
			c.waiting = append(c.waiting[:i], c.waiting[i+1:]...)
			return
		}
	}
}

// reconcileDaemon keeps one task per ACTIVE instance; on a DRAINING
// instance it stops the daemon task once every other task there stopped.
func (s *Service) reconcileDaemon(svc *ECSService) {
	var cis []*ContainerInstance
	if svc.dirtyAll {
		cis = svc.cl.instances
		svc.dirtyAll = false
	} else {
		cis = svc.dirtyCIs
	}
	svc.dirtyCIs = nil
	clear(svc.dirtyCISet)
	var started, stopped []string
	placeFailed := false
	for _, ci := range cis {
		var mine []*Task
		for _, t := range ci.tasks {
			if t.svc == svc && t.live() && !t.Orphaned {
				mine = append(mine, t)
			}
		}
		switch {
		case svc.Status != "ACTIVE" || ci.Status == "DRAINING" && ci.nonDaemonLive == 0:
			for _, t := range mine {
				if t.DesiredStatus == StatusRunning {
					s.schedulerStop(svc, t)
					stopped = append(stopped, t.id)
				}
			}
		case ci.Status == "ACTIVE" && ci.AgentConnected:
			// A rolling daemon deployment stops the old task first
			// (maximumPercent 100), then starts the new one.
			for _, t := range mine {
				if t.dep != svc.primary() && t.DesiredStatus == StatusRunning {
					s.schedulerStop(svc, t)
					stopped = append(stopped, t.id)
				}
			}
			if len(mine) > 0 {
				continue // running, or the old one still stopping
			}
			td := svc.primary().td
			d := svc.demand()
			if !d.providerOK(ci) || d.unsatisfied(ci) != "" {
				continue // not one of the daemon's instances
			}
			if !d.fits(ci) {
				placeFailed = true
				continue
			}
			t := s.newTask(svc.cl, ci, td, svc, "service:"+svc.ServiceName, svc.primary().Id)
			started = append(started, t.id)
		}
	}
	s.report(svc, started, stopped)
	if placeFailed {
		if !svc.blocked {
			svc.blocked = true
			s.event(svc, "was unable to place a task because no container instance met all of its requirements. The closest matching container-instance has insufficient resources available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.")
		}
	} else if len(started) > 0 {
		svc.blocked = false
	}
	s.settle(svc)
}
