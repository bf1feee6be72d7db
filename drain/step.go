package drain

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/ecsagent"
)

// reconcile looks at one drain: observe, decide, act. It returns when to
// look again (zero once the drain is over); after a failure, with backoff.
func (r *Reconciler) reconcile(ctx context.Context, d *drainState) (next time.Time, err error) {
	if err := d.mu.Lock(ctx); err != nil {
		return time.Time{}, err
	}
	defer d.mu.Unlock()
	if d.done {
		return time.Time{}, nil
	}
	defer r.show(d)
	defer func() {
		if err == nil {
			d.failures = 0
			return
		}
		d.failures++
		next = r.cfg.Clock.Now().Add(Backoff(d.failures, errors.Is(err, cloud.ErrThrottled), r.random()))
	}()
	obs, err := r.observe(ctx, d)
	if err != nil {
		return time.Time{}, err
	}
	left := map[string]int{}
	for _, t := range obs.Tasks {
		if !t.Stopped() {
			left[string(t.Class)]++
		}
	}
	d.tasksLeft = left
	dec := r.cfg.Policy.Decide(obs)
	if dec.Phase != d.phase && dec.Phase != PhaseDone {
		r.emit(Event{Type: EventPhaseChanged, Time: obs.Now, InstanceID: d.instanceID, Cluster: d.cluster, Reason: d.record.Reason, Phase: dec.Phase})
		d.phase = dec.Phase
	}
	if dec.Phase == PhaseReleasing && d.releasedAt.IsZero() && dec.Overdue {
		d.overdue = true
	}
	for _, a := range dec.Actions {
		if err := r.act(ctx, d, obs, dec, a); err != nil {
			return time.Time{}, fmt.Errorf("drain %s: %s: %w", d.instanceID, a.Kind, err)
		}
	}
	if dec.Phase == PhaseReleasing && d.releasedAt.IsZero() {
		// Even with nothing to complete (the action already gone), the
		// wait for the host to go is bounded from now.
		d.releasedAt = obs.Now
	}
	if dec.Next.IsZero() {
		d.done = true
		r.stopBeats(d)
		r.mu.Lock()
		if r.drains[d.instanceID] == d {
			delete(r.drains, d.instanceID)
		}
		r.mu.Unlock()
	}
	return dec.Next, nil
}

// observe reads the world around a drain afresh.
func (r *Reconciler) observe(ctx context.Context, d *drainState) (Observation, error) {
	c := r.cfg.Cloud
	o := Observation{Now: r.cfg.Clock.Now(), Record: d.record, Host: HostRunning, ReleasedAt: d.releasedAt}

	// read is the container instance read ahead of EC2 (nil: not
	// registered); readAhead says whether it was.
	var read *cloud.ContainerInstance
	readAhead := false
	if d.ciARN != "" && !d.awaiting && !d.lost && d.releasedAt.IsZero() && !d.launched.IsZero() {
		// A container instance whose ECS agent is connected runs on a host
		// that runs: the look reads EC2 only when ECS says otherwise (the
		// agent gone, the instance deregistered), and on the first look.
		cis, err := c.DescribeContainerInstances(ctx, d.cluster, []string{d.ciARN})
		if err != nil && !errors.Is(err, cloud.ErrNotFound) {
			return o, fmt.Errorf("observe %s: %w", d.instanceID, err)
		}
		readAhead = true
		if len(cis) == 1 {
			read = &cis[0]
		}
		if read != nil && read.AgentConnected && read.Status != cloud.ContainerInstanceInactive {
			return r.observeRegistered(ctx, d, o, read)
		}
	}

	insts, err := c.DescribeInstances(ctx, []string{d.instanceID})
	switch {
	case errors.Is(err, cloud.ErrNotFound):
		o.Host = HostTerminated
	case err != nil:
		return o, fmt.Errorf("observe %s: %w", d.instanceID, err)
	case len(insts) == 1:
		o.Host = Host(insts[0].State)
		d.launched = insts[0].LaunchTime
	default:
		o.Host = HostTerminated
	}
	switch {
	case o.Host.Gone(), !d.releasedAt.IsZero():
		// Gone or released: only a lifecycle action still pending (one
		// learned since the release, or one a host that went outside
		// drainer leaves behind) is left to complete.
		return r.observeAction(ctx, d, o)
	}
	if d.awaiting {
		cluster, ci, err := r.findContainerInstance(ctx, d.instanceID)
		switch {
		case errors.Is(err, ErrNotContainerInstance):
			o.AwaitingRegistration, o.RegisterBy = true, d.launched.Add(r.cfg.Policy.RegistrationGrace)
			return r.observeAction(ctx, d, o)
		case err != nil:
			return o, fmt.Errorf("observe %s: %w", d.instanceID, err)
		}
		if err := r.registered(ctx, d, cluster, ci); err != nil {
			return o, fmt.Errorf("observe %s: %w", d.instanceID, err)
		}
	}

	if d.lost {
		return r.observeLost(ctx, d, o)
	}
	if readAhead {
		return r.observeRegistered(ctx, d, o, read)
	}
	cis, err := c.DescribeContainerInstances(ctx, d.cluster, []string{d.ciARN})
	switch {
	case errors.Is(err, cloud.ErrNotFound) || (err == nil && len(cis) == 0):
		return r.observeRegistered(ctx, d, o, nil)
	case err != nil:
		return o, fmt.Errorf("observe %s: %w", d.instanceID, err)
	}
	return r.observeRegistered(ctx, d, o, &cis[0])
}

// observeRegistered completes the observation of a drain from its
// container instance as just read (nil: not registered).
func (r *Reconciler) observeRegistered(ctx context.Context, d *drainState, o Observation, read *cloud.ContainerInstance) (Observation, error) {
	var ci cloud.ContainerInstance
	switch {
	case read == nil:
		o.Status = ""
	default:
		ci = *read
		o.Status = string(ci.Status)
		switch {
		case ci.AgentConnected:
			d.agentDown = time.Time{}
		case d.agentDown.IsZero():
			d.agentDown = o.Now
		}
		o.AgentDownSince = d.agentDown
	}
	if o.Status == string(cloud.ContainerInstanceDraining) {
		// Until DRAINING has taken effect, Decide only sets it: the tasks
		// are read once ECS places no more.
		if err := r.observeTasks(ctx, d, ci); err != nil {
			return o, fmt.Errorf("observe %s: %w", d.instanceID, err)
		}
		for _, t := range d.tasks {
			o.Tasks = append(o.Tasks, t)
		}
		sort.Slice(o.Tasks, func(i, j int) bool { return o.Tasks[i].ARN < o.Tasks[j].ARN })
	}

	return r.observeAction(ctx, d, o)
}

// observeTasks brings the drain's known tasks up to date: it describes
// those not yet STOPPED (DescribeTasks, shared with other drains' by the
// client), and lists the instance's tasks (ListTasks for both desired
// statuses) only on the first look, or when the container instance counts
// more tasks PENDING or RUNNING than it knows of: ECS places no task on a
// DRAINING instance, so a held drain's looks cost the two batched reads,
// not two listings each.
func (r *Reconciler) observeTasks(ctx context.Context, d *drainState, ci cloud.ContainerInstance) error {
	c := r.cfg.Cloud
	if d.tasks == nil {
		d.tasks = map[string]Task{}
	}
	if d.listed && ci.Version > 0 && ci.Version == d.tasksAt {
		// ECS counts up a container instance's version at every change
		// that emits a container instance state change event, task
		// placements and stops among them (ECS API reference,
		// ContainerInstance: version): at the same version no task here
		// has stopped since they were read, and a held drain's look costs
		// no DescribeTasks.
		return nil
	}
	var live []string
	for arn, t := range d.tasks {
		if !t.Stopped() {
			live = append(live, arn)
		}
	}
	if err := r.describeTasks(ctx, d, live); err != nil {
		return err
	}
	counted := 0
	for _, t := range d.tasks {
		if countedByECS(t.LastStatus) {
			counted++
		}
	}
	if d.listed && ci.RunningTasks+ci.PendingTasks <= counted {
		d.tasksAt = ci.Version
		return nil
	}
	var fresh []string
	for _, desired := range []cloud.DesiredStatus{cloud.DesiredRunning, cloud.DesiredStopped} {
		arns, err := c.ListTasks(ctx, d.cluster, d.ciARN, desired)
		if err != nil {
			return err
		}
		for _, arn := range arns {
			if _, known := d.tasks[arn]; !known && !slices.Contains(fresh, arn) {
				fresh = append(fresh, arn)
			}
		}
	}
	if err := r.describeTasks(ctx, d, fresh); err != nil {
		return err
	}
	d.listed, d.tasksAt = true, ci.Version
	return nil
}

// describeTasks reads tasks into d.tasks; a task ECS no longer keeps (it
// forgets stopped tasks after a while) is STOPPED.
func (r *Reconciler) describeTasks(ctx context.Context, d *drainState, arns []string) error {
	if len(arns) == 0 {
		return nil
	}
	slices.Sort(arns)
	tasks, err := r.cfg.Cloud.DescribeTasks(ctx, d.cluster, arns)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, t := range tasks {
		seen[t.ARN] = true
		stop := t.StopTimeout
		if t.AgentStopTimeout && Class(t.Class) == ClassStandalone && !t.Stopped() {
			// A container without a stopTimeout of its own gets the
			// agent's, which drainer must plan a standalone task's stop
			// by (its deadline's margin).
			stop = max(stop, r.agentStopTimeout(ctx, d))
		}
		d.tasks[t.ARN] = Task{ARN: t.ARN, Class: Class(t.Class), Service: t.Service, LastStatus: t.LastStatus, DesiredStatus: t.DesiredStatus, StopTimeout: stop}
		for _, eni := range t.ENIs {
			d.enis[eni] = true
		}
	}
	for _, arn := range arns {
		if t, known := d.tasks[arn]; known && !seen[arn] {
			t.LastStatus = "STOPPED"
			d.tasks[arn] = t
		}
	}
	return nil
}

// agentStopTimeout is the ECS agent's container stop timeout on the
// drain's instance, read from its user data (ECS_CONTAINER_STOP_TIMEOUT,
// package ecsagent) once per drain: one DescribeInstanceAttribute, made
// only for a standalone task with a container that sets no stopTimeout.
// When EC2 cannot say, the agent's default counts, and the next look asks
// again.
func (r *Reconciler) agentStopTimeout(ctx context.Context, d *drainState) time.Duration {
	if d.agentStop > 0 {
		return d.agentStop
	}
	ud, err := r.cfg.Cloud.UserData(ctx, d.instanceID)
	if err != nil {
		r.log.Warn("drain: the ECS agent's stop timeout is not known; counting its default", "instance", d.instanceID, "default", ecsagent.DefaultStopTimeout, "error", err)
		return ecsagent.DefaultStopTimeout
	}
	d.agentStop = ecsagent.StopTimeout(ud)
	return d.agentStop
}

// countedByECS reports whether a task in status counts in its container
// instance's pendingTasksCount or runningTasksCount (ECS API reference,
// ContainerInstance: tasks "in the PENDING status" and "in the RUNNING
// status"; PROVISIONING and ACTIVATING come before RUNNING and count as
// pending).
func countedByECS(status string) bool {
	switch status {
	case "PROVISIONING", "PENDING", "ACTIVATING", "RUNNING":
		return true
	}
	return false
}

// observeLost observes a drain whose container instance drainer
// deregistered because its agent was lost: whether ECS has brought the
// services that had tasks there back to their desired count elsewhere.
func (r *Reconciler) observeLost(ctx context.Context, d *drainState, o Observation) (Observation, error) {
	o.AgentLost, o.ServicesBack = true, true
	if len(d.lostServices) > 0 {
		svcs, err := r.cfg.Cloud.DescribeServices(ctx, d.cluster, d.lostServices)
		if err != nil {
			return o, fmt.Errorf("observe %s: services of its lost tasks: %w", d.instanceID, err)
		}
		for _, s := range svcs {
			if s.Status == "ACTIVE" && s.RunningCount < s.DesiredCount {
				o.ServicesBack = false
			}
		}
	}
	return r.observeAction(ctx, d, o)
}

// observeAction tells whether the lifecycle action holding the instance,
// if any, is still pending, and keeps it heartbeated. A look does not read
// it from Auto Scaling: the action is pending until drainer completes it
// or a heartbeat finds it gone (timed out, abandoned, completed by
// another drainer); the completion itself verifies first (verifyPending).
func (r *Reconciler) observeAction(ctx context.Context, d *drainState, o Observation) (Observation, error) {
	if d.record.Held() {
		if r.beatGone(d) {
			d.completed = true
		}
		o.ActionPending = !d.completed || r.othersPending(d)
		if !o.ActionPending {
			r.stopBeats(d)
		} else if actions, timeouts, err := r.heldBy(ctx, d); err == nil {
			r.keepAlive(d, actions, timeouts, "", time.Time{})
		} else {
			r.log.Warn("lifecycle hooks unknown: the actions are not heartbeated", "instance", d.instanceID, "group", d.record.Group, "error", err)
		}
	}
	return o, nil
}

// verifyPending reads, before drainer completes the drain's lifecycle
// action, whether the instance still waits in Terminating:Wait (one
// DescribeAutoScalingInstances, shared with other drains' by the client):
// drainer verifies before it acts.
func (r *Reconciler) verifyPending(ctx context.Context, d *drainState) (bool, error) {
	gis, err := r.cfg.Cloud.DescribeGroupInstances(ctx, []string{d.instanceID})
	if err != nil && !errors.Is(err, cloud.ErrNotFound) {
		return false, fmt.Errorf("lifecycle state of %s: %w", d.instanceID, err)
	}
	for _, gi := range gis {
		if gi.InstanceID == d.instanceID && gi.LifecycleState == cloud.LifecycleTerminatingWait {
			return true, nil
		}
	}
	return false, nil
}

func (r *Reconciler) action(d *drainState) cloud.LifecycleAction {
	return cloud.LifecycleAction{Group: d.record.Group, Hook: d.record.Hook, Token: d.record.Token, InstanceID: d.instanceID}
}

// act performs one action, treating "already done" answers as done.
func (r *Reconciler) act(ctx context.Context, d *drainState, o Observation, dec Decision, a Action) error {
	c := r.cfg.Cloud
	switch a.Kind {
	case ActSetDraining:
		failures, err := c.DrainContainerInstances(ctx, d.cluster, []string{d.ciARN})
		if err != nil {
			return err
		}
		if len(failures) > 0 {
			return fmt.Errorf("ECS refused DRAINING: %s %s", failures[0].Code, failures[0].Message)
		}
	case ActStopTask:
		if err := c.StopTask(ctx, d.cluster, a.Task, a.Reason); err != nil && !errors.Is(err, cloud.ErrNotFound) {
			return err
		}
		if t, ok := d.tasks[a.Task]; ok {
			// ECS took the request: known without reading it back (the
			// task's version-unchanged looks do not describe it again).
			t.DesiredStatus = "STOPPED"
			d.tasks[a.Task] = t
		}
		r.emit(Event{Type: EventTaskStopped, Time: o.Now, InstanceID: d.instanceID, Cluster: d.cluster, Reason: d.record.Reason, Phase: dec.Phase, Detail: a.Task + ": " + a.Reason})
	case ActDeregister:
		if a.AgentLost {
			r.loseTasks(d, o)
		}
		if err := c.DeregisterContainerInstance(ctx, d.cluster, d.ciARN, a.Force); err != nil && !errors.Is(err, cloud.ErrNotFound) {
			return err
		}
		if a.AgentLost {
			d.lost = true
		}
	case ActCompleteLifecycle:
		pending, err := r.verifyPending(ctx, d)
		if err != nil {
			return err
		}
		if !pending {
			d.completed = true
			r.stopBeats(d)
			r.log.Info("drain: lifecycle action no longer pending: nothing to complete", "instance", d.instanceID, "hook", d.record.Hook)
			return nil
		}
		for _, a := range r.toComplete(d) {
			err = CompleteAction(ctx, c, a, cloud.LifecycleContinue)
			if err != nil && !errors.Is(err, cloud.ErrNoActiveLifecycleAction) {
				return err
			}
		}
		d.completed = true
		r.stopBeats(d)
		if !d.releasedAt.IsZero() {
			r.log.Info("drain: lifecycle action learned after the release completed", "instance", d.instanceID, "hook", d.record.Hook)
			return nil
		}
		d.releasedAt = o.Now
		r.emit(Event{Type: EventReleased, Time: o.Now, InstanceID: d.instanceID, Cluster: d.cluster, Reason: d.record.Reason, Phase: PhaseReleasing, Overdue: d.overdue,
			Detail: "lifecycle action " + d.record.Hook + " completed with CONTINUE"})
	case ActTerminate:
		decrement := r.cfg.Decrement[d.record.Reason]
		detail := "terminated through Auto Scaling"
		if decrement {
			detail += ", desired capacity decremented"
		}
		err := c.TerminateGroupInstance(ctx, d.instanceID, decrement)
		if errors.Is(err, cloud.ErrNotFound) {
			// In no Auto Scaling group ("Instance Id not found"): no group
			// will replace it or run hooks, so EC2 terminates it. An
			// instance EC2 no longer knows either is gone already.
			detail = "terminated through EC2 (in no Auto Scaling group)"
			err = c.TerminateInstances(ctx, []string{d.instanceID})
		}
		if err != nil && !errors.Is(err, cloud.ErrNotFound) {
			return err
		}
		d.releasedAt = o.Now
		r.emit(Event{Type: EventReleased, Time: o.Now, InstanceID: d.instanceID, Cluster: d.cluster, Reason: d.record.Reason, Phase: PhaseReleasing, Overdue: d.overdue, Detail: detail})
	case ActCleanup:
		return r.cleanup(ctx, d, o, dec)
	}
	return nil
}

// cleanup deletes the network interfaces the instance's awsvpc tasks left
// available and writes the audit record.
func (r *Reconciler) cleanup(ctx context.Context, d *drainState, o Observation, dec Decision) error {
	c := r.cfg.Cloud
	deleted := 0
	if len(d.enis) > 0 {
		ids := make([]string, 0, len(d.enis))
		for id := range d.enis {
			ids = append(ids, id)
		}
		enis, err := c.AvailableNetworkInterfaces(ctx, cloud.NetworkInterfaceQuery{IDs: ids})
		if err != nil && !errors.Is(err, cloud.ErrNotFound) {
			return err
		}
		for _, eni := range enis {
			if err := c.DeleteNetworkInterface(ctx, eni.ID); err != nil && !errors.Is(err, cloud.ErrNotFound) {
				return err
			}
			deleted++
		}
	}
	// How long the drain took is to its release (then the host goes at
	// its own pace); a host that went before drainer released it (a Spot
	// interruption, an end outside drainer) cut the drain short.
	detail := ""
	if d.releasedAt.IsZero() {
		detail = fmt.Sprintf("the instance went before drainer released it, %s into the drain", max(o.Now.Sub(d.record.Started), 0).Round(time.Second))
	} else {
		detail = fmt.Sprintf("drained in %s", max(d.releasedAt.Sub(d.record.Started), 0).Round(time.Second))
	}
	r.emit(Event{Type: EventCompleted, Time: o.Now, InstanceID: d.instanceID, Cluster: d.cluster, Reason: d.record.Reason, Phase: PhaseDone, Overdue: d.overdue || dec.Overdue,
		Detail: fmt.Sprintf("%s; %d leftover network interface(s) deleted", detail, deleted)})
	return nil
}

// loseTasks notes what a lost agent takes with it: the services ECS will
// replace once the container instance is deregistered, and the tasks that
// cannot be stopped gracefully (reported: standalone ones are not
// replaced by anyone).
func (r *Reconciler) loseTasks(d *drainState, o Observation) {
	lost := map[Class]int{}
	services := map[string]bool{}
	for _, t := range o.Tasks {
		if t.Stopped() {
			continue
		}
		lost[t.Class]++
		if t.Class == ClassService && t.Service != "" && !services[t.Service] {
			services[t.Service] = true
			d.lostServices = append(d.lostServices, t.Service)
		}
	}
	counts := map[string]int{}
	for c, n := range lost {
		counts[string(c)] = n
	}
	r.emit(Event{Type: EventTasksLost, Time: o.Now, InstanceID: d.instanceID, Cluster: d.cluster, Reason: d.record.Reason, Phase: PhaseHard, Tasks: counts,
		Detail: fmt.Sprintf("the ECS agent has been disconnected since %s: container instance deregistered with force; tasks lost: %d service (ECS replaces them), %d standalone, %d daemon",
			o.AgentDownSince.Format(time.RFC3339), lost[ClassService], lost[ClassStandalone], lost[ClassDaemon])})
}
