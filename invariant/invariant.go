// Package invariant checks the invariants of DESIGN.md §7 on an emulated
// world while drainer drains in it: after every event and every API call,
// from the world's ground truth, so that a scenario test fails at the first
// moment a rule is broken, not only at the end.
//
//  1. No lifecycle action is completed, and no instance terminated by
//     drainer, while a non-daemon task on it is not STOPPED — unless its
//     hard deadline has passed or the drain was forced.
//  2. Daemon tasks on a draining instance stop only after every other task
//     there has stopped.
//  3. drainer never makes a service fall below
//     ceil(desired × minimumHealthyPercent / 100) healthy tasks (ECS does
//     the moving; drainer must not stop service tasks itself before the
//     hard deadline).
//  4. Every lifecycle action drainer took on is completed before its hook
//     times out; no instance sits in Terminating:Wait until the global
//     timeout.
//  5. Deadlines are absolute and survive a restart of drainer: a drain
//     resumed after a crash keeps its original deadlines.
//  6. Nothing leaks: every drained instance ends deregistered and
//     terminated, with no available network interface left behind;
//     interfaces that tasks left on instances ended outside drainer are
//     gone within one sweep interval.
//  7. No non-daemon task stops because its host went away while a hook
//     drainer owns held that instance, unless the drain's hard deadline had
//     passed.
//  8. drainer never completes, heartbeats or abandons a lifecycle action of
//     a hook it does not own, and never changes a container instance of a
//     cluster it does not serve.
//
// Rules 4, 6, 7 and 8 are checked over the whole world — every termination
// action of a hook drainer owns, every instance, every call drainer makes —
// not only over the drains drainer recorded on container instances: a
// checker that only watches what drainer did cannot see what drainer failed
// to do. What drainer owns and serves is given by Options (its --hook and
// --cluster, and its name in the world's call log). Rules 1, 2 and 3 are
// checked over the drains drainer recorded (rule 3 as: drainer stops no
// service task itself during a recorded drain's graceful phase); rule 5 by
// the tests that restart drainer, with Records; rule 6's end state by
// Final.
//
// How each whole-world rule is judged:
//   - Rule 4: every termination lifecycle action of an owned hook (or of the
//     hook a recorded drain names) whose instance's group serves a served
//     cluster is followed from its start; one that ends at its heartbeat
//     expiry (which Auto Scaling never lets pass the global expiry) without
//     a completion is a violation, whether or not drainer ever recorded
//     the instance. Actions of groups that serve no served cluster are not
//     drainer's to complete (rule 8 forbids it), so their timeouts are not;
//     nor are other teams' hooks', nor launch hooks' (drainer owns
//     termination hooks).
//   - Rule 6: a network interface ECS attached for an awsvpc task of a
//     served cluster, still available SweepInterval after its instance was
//     terminated (by anyone), is a violation, seen at the first event after
//     that; Final still reports every interface left available.
//   - Rule 7: a non-daemon task stopped by its host's end (it becomes
//     STOPPED while its EC2 instance is shutting down: the agent stops
//     everything there, stopCode TerminationNotice or SpotInterruption) on
//     an instance that an owned hook held in this termination is a
//     violation when drainer let the host go — its call ended the host while
//     the hook still held it, or it completed the hook (or let it time out)
//     and the host went later with tasks on it — before the drain's hard
//     deadline: the recorded one, else the Spot interruption time, else the
//     hook's global expiry. A host ended by EC2 (a Spot interruption) or by
//     another caller while the hook still held it is not drainer's doing.
//     Options.RespectDrainingOff exempts hosts whose capacity provider
//     turns managed draining off (DESIGN.md §3's matrix); §7 itself makes
//     no such exception, so it is off by default.
//   - Rule 8: every call drainer makes (the Caller in the call log),
//     whatever AWS answered, is judged by its request
//     (emulator.CallLog.LastInput): CompleteLifecycleAction and
//     RecordLifecycleActionHeartbeat must name an owned hook of a group
//     that serves a served cluster; UpdateContainerInstancesState,
//     PutAttributes, DeleteAttributes, DeregisterContainerInstance and
//     StopTask must name a served cluster; SetInstanceProtection,
//     TerminateInstanceInAutoScalingGroup and EC2 TerminateInstances must
//     name instances of groups (or, outside a group, hosts) that serve a
//     served cluster.
//
// The owner of the hooks judged may also be AWS itself: with
// Options.InEvents the checker judges ECS's managed instance draining,
// which acts inside the world's events and makes no call, by rules 1, 2,
// 3 and 7 (see InEvents), with the hook's global expiry as the hard
// deadline; rule 4 then counts its hook's timeouts.
//
// A group serves the clusters its instances' ECS agents join (ECS_CLUSTER
// in their user data, "default" without it).
package invariant

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/ecs"
)

// Defaults of Options.
const (
	// DefaultHook is the lifecycle hook drainer owns unless told otherwise
	// (its --hook default).
	DefaultHook = "drainer"
	// DefaultCaller is drainer's name in the world's call log (sim.Caller,
	// the access key id of its credentials in a simulation).
	DefaultCaller = "drainer"
	// DefaultSweepInterval is how long a network interface a task left may
	// stay available after its instance was terminated.
	DefaultSweepInterval = 2 * time.Minute
)

// Options say what drainer owns and serves in the world a Checker watches.
// The zero value means drainer's defaults.
type Options struct {
	// OwnedHooks are the lifecycle hooks drainer owns (its --hook); empty
	// means [DefaultHook].
	OwnedHooks []string
	// Clusters are the ECS clusters drainer serves (its --cluster), by
	// name or ARN; empty means every cluster.
	Clusters []string
	// Caller is drainer's name in the world's call log; "" means
	// DefaultCaller.
	Caller string
	// SweepInterval is how long a network interface that an ECS task left
	// available may stay after its instance was terminated (rule 6); 0 or
	// less means DefaultSweepInterval.
	SweepInterval time.Duration
	// RespectDrainingOff exempts from rule 7 the hosts whose capacity
	// provider turns managed draining off: DESIGN.md §3's matrix lets such
	// instances go undrained (drainer completes its hook at once and ECS
	// replaces the service tasks afterwards). Off by default: rule 7 as
	// §7 states it, which has no such exception.
	RespectDrainingOff bool
	// InEvents says the owner of OwnedHooks acts inside the world's own
	// events rather than through API calls: ECS's managed instance
	// draining, which holds its own hook (ecs.ManagedDrainingHook) and
	// drains with the service scheduler, with no drainer in the world.
	// Then
	//   - an owned action that ends in an event (no call) before its
	//     heartbeat expiry, while no other action of the instance timed
	//     out in that event, is the owner's completion: rule 1 judges it
	//     (no non-daemon task may be left on the instance then, before
	//     the hard deadline — with no drain recorded, the Spot
	//     interruption time or the owned actions' earliest global
	//     expiry), and rule 7 counts it as letting the instance go;
	//   - rule 3 judges the service tasks the world itself asks to stop
	//     on a DRAINING instance whose host still runs: none may leave
	//     its service below ceil(desired × minimumHealthyPercent / 100)
	//     healthy tasks once the event is over.
	// Rules 2, 4 and 7 judge the owned hooks as ever; rules 5, 6 and 8
	// are about what drainer does (its records, its sweep, its calls as
	// Caller) and have nothing of the owner's to judge.
	InEvents bool
}

// withDefaults fills the zero fields of o.
func (o Options) withDefaults() Options {
	if len(o.OwnedHooks) == 0 {
		o.OwnedHooks = []string{DefaultHook}
	}
	if o.Caller == "" {
		o.Caller = DefaultCaller
	}
	if o.SweepInterval <= 0 {
		o.SweepInterval = DefaultSweepInterval
	}
	return o
}

// Violation is one broken invariant: when, which rule (1–8), on which
// instance (or network interface, for a leak), and what happened.
type Violation struct {
	Time     time.Time
	Rule     int
	Instance string
	What     string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s invariant %d on %s: %s", v.Time.Format(time.RFC3339), v.Rule, v.Instance, v.What)
}

// Checker watches one world.
type Checker struct {
	w          *emulator.World
	opts       Options
	owned      map[string]bool // hooks drainer owns
	served     map[string]bool // clusters drainer serves; nil: every one
	violations []Violation
	drained    map[string]bool         // instances that carried a drain record
	records    map[string]drain.Record // the first record seen per instance
	releases   []release               // releases waiting to be attributed (rule 1)
	lastSeq    int                     // the newest call already judged

	groupClusters map[string]map[string]bool // group → clusters its instances join
	holds         map[string]*hold           // instances in their termination's Terminating:Wait or after it
	done          []string                   // held instances terminated in this event: forgotten after it
	kills         []kill                     // tasks stopped by their host's end, to judge after the event (rule 7)
	eniHost       map[string]string          // network interface of a served task → its EC2 instance
	eniFreed      map[string]time.Time       // network interface → when its task stopped
	ended         []endedHost                // terminated instances whose interfaces are due (rule 6), by due time
	serviceStops  []serviceStop              // service tasks asked to stop on DRAINING instances in this event (rule 3, InEvents)
	leftRunning   map[string]bool            // hosts that stopped running in this event
	healthy       map[*ecs.Task]bool         // service tasks counted healthy (InEvents)
	leftWith      map[string][]string        // instances that left Terminating:Wait in this event → their live non-daemon tasks then (InEvents)
}

// release is an instance leaving Terminating:Wait (or terminating) with
// tasks still on it; it breaks rule 1 only if a caller's API call caused it
// (not a hook's timeout or another hook's ABANDON, which drainer cannot
// prevent and rule 4 covers).
type release struct {
	id, from, to string
	rec          drain.Record
	live         []string
}

// Watch starts checking w with drainer's default Options. Call it before
// the world runs.
func Watch(w *emulator.World) *Checker { return WatchWith(w, Options{}) }

// WatchWith starts checking w for a drainer that owns and serves what opts
// say. Call it before the world runs.
func WatchWith(w *emulator.World, opts Options) *Checker {
	opts = opts.withDefaults()
	c := &Checker{
		w:             w,
		opts:          opts,
		owned:         map[string]bool{},
		drained:       map[string]bool{},
		records:       map[string]drain.Record{},
		groupClusters: map[string]map[string]bool{},
		holds:         map[string]*hold{},
		eniHost:       map[string]string{},
		eniFreed:      map[string]time.Time{},
		leftRunning:   map[string]bool{},
		healthy:       map[*ecs.Task]bool{},
		leftWith:      map[string][]string{},
	}
	for _, h := range opts.OwnedHooks {
		c.owned[h] = true
	}
	if len(opts.Clusters) > 0 {
		c.served = map[string]bool{}
		for _, cl := range opts.Clusters {
			c.served[awsid.ClusterName(cl)] = true
		}
	}
	w.Do(func() { c.lastSeq = w.Calls.Total() })
	w.AutoScaling.OnLifecycleChange(c.lifecycleChanged)
	w.ECS.OnTaskChange(c.taskChanged)
	w.EC2.OnStateChange(c.hostChanged)
	w.OnEvent(c.afterEvent)
	return c
}

// Options returns the options the Checker judges by, defaults filled in.
func (c *Checker) Options() Options { return c.opts }

// Violations returns what was broken so far.
func (c *Checker) Violations() []Violation { return append([]Violation(nil), c.violations...) }

// Drained returns the instances that were drained (carried a record).
func (c *Checker) Drained() []string {
	var ids []string
	for id := range c.drained {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Records returns the first drain record seen on each drained instance.
func (c *Checker) Records() map[string]drain.Record {
	out := map[string]drain.Record{}
	for k, v := range c.records {
		out[k] = v
	}
	return out
}

func (c *Checker) fail(rule int, instance, format string, args ...any) {
	c.violations = append(c.violations, Violation{Time: c.w.Env.Now(), Rule: rule, Instance: instance, What: fmt.Sprintf(format, args...)})
}

// record returns the drain recorded on an instance's container instance.
func (c *Checker) record(instanceID string) (drain.Record, *ecs.ContainerInstance, bool) {
	ci := c.w.ECS.ContainerInstanceByEC2(instanceID)
	if ci == nil {
		rec, ok := c.records[instanceID]
		return rec, nil, ok
	}
	attrs := map[string]string{}
	for _, a := range ci.Attributes {
		if a.Value != nil {
			attrs[a.Name] = *a.Value
		}
	}
	r, err := drain.ParseRecord(attrs)
	if err != nil {
		if rec, ok := c.records[instanceID]; ok {
			// Deregistration removes the attributes; the drain still
			// counts with the record it had.
			return rec, ci, true
		}
		return drain.Record{}, ci, false
	}
	if _, seen := c.records[instanceID]; !seen {
		c.records[instanceID] = r
	}
	c.drained[instanceID] = true
	return r, ci, true
}

// liveNonDaemon lists the tasks on ci that are not STOPPED and not daemon
// tasks (orphans of a forced deregistration included: they still run),
// unless the instance's ECS agent is disconnected: then nothing can stop
// its tasks, ECS replaces the service ones once the container instance is
// deregistered, and drainer reports them lost.
func (c *Checker) liveNonDaemon(ci *ecs.ContainerInstance) []string {
	if !ci.AgentConnected {
		return nil
	}
	var live []string
	for _, t := range c.w.ECS.TasksOn(ci.ContainerInstanceArn) {
		if t.LastStatus != ecs.StatusStopped && c.w.ECS.TaskClass(t) != "daemon" {
			live = append(live, awsid.TaskID(t.TaskArn)+"("+t.LastStatus+")")
		}
	}
	return live
}

func (c *Checker) lifecycleChanged(group, id, from, to string) {
	now := c.w.Env.Now()
	c.noteMember(group, id)
	switch to {
	case autoscaling.StateTerminatingWait:
		c.holdStarted(group, id)
	case autoscaling.StateTerminated:
		if c.holds[id] != nil {
			c.done = append(c.done, id)
		}
	}
	rec, ci, ok := c.record(id)
	if c.opts.InEvents && from == autoscaling.StateTerminatingWait && ci != nil {
		// What the instance leaves the wait with, for an owner's
		// completion that ends it (its host may take its tasks with it in
		// the same event).
		c.leftWith[id] = c.liveNonDaemon(ci)
	}
	// Rule 1: leaving the wait, or terminating without one, with work left.
	leaving := (from == autoscaling.StateTerminatingWait && to != autoscaling.StateTerminated) ||
		(to == autoscaling.StateTerminating && from == autoscaling.StateInService)
	if !leaving || !ok || ci == nil || rec.Reason == drain.ReasonForced || !now.Before(rec.Deadline) {
		return
	}
	if host, found := c.w.EC2.Instance(id); found && host.State != ec2.StateRunning {
		return // the host is already going (Spot): not drainer's doing
	}
	if live := c.liveNonDaemon(ci); len(live) > 0 {
		c.releases = append(c.releases, release{id: id, from: from, to: to, rec: rec, live: live})
	}
}

func (c *Checker) taskChanged(t *ecs.Task, fromLast, fromDesired string) {
	c.noteTaskNetwork(t)
	wasHealthy := c.followHealth(t)
	if t.LastStatus == ecs.StatusStopped && fromLast != ecs.StatusStopped {
		c.noteKill(t, fromLast)
	}
	if fromDesired != ecs.StatusRunning || t.DesiredStatus != ecs.StatusStopped {
		return
	}
	ci := t.ContainerInstance()
	if ci == nil || ci.Status != "DRAINING" {
		return
	}
	id := ci.Ec2InstanceId
	if host, ok := c.w.EC2.Instance(id); !ok || host.State != ec2.StateRunning {
		return // the host is dying: everything stops at once
	}
	class := c.w.ECS.TaskClass(t)
	rec, _, hasRecord := c.record(id)
	switch class {
	case "daemon":
		if live := c.liveNonDaemon(ci); len(live) > 0 {
			c.fail(2, id, "daemon task %s asked to stop while other tasks run: %s", awsid.TaskID(t.TaskArn), strings.Join(live, ", "))
		}
	case "service":
		if c.opts.InEvents && wasHealthy {
			c.serviceStops = append(c.serviceStops, serviceStop{id: id, task: t})
		}
		if hasRecord && strings.HasPrefix(t.StoppedReason, "drainer:") && rec.Reason != drain.ReasonForced && c.w.Env.Now().Before(rec.GracefulUntil) {
			c.fail(3, id, "drainer stopped service task %s in the graceful phase (until %s)", awsid.TaskID(t.TaskArn), rec.GracefulUntil.Format(time.RFC3339))
		}
	}
}

// hostChanged follows EC2 instances: a terminated one starts the clock of
// the interfaces its tasks left (rule 6).
func (c *Checker) hostChanged(inst *ec2.Instance, from ec2.State) {
	if from == ec2.StateRunning && inst.State != ec2.StateRunning {
		c.leftRunning[inst.ID] = true
	}
	if inst.State == ec2.StateTerminated {
		c.hostEnded(inst.ID)
	}
}

// afterEvent runs after every event and every call, under the world lock:
// the call that just happened (if any) is judged, then what the event
// changed.
func (c *Checker) afterEvent() {
	now := c.w.Env.Now()
	var cl *emulator.Call
	var input any
	if call, ok := c.w.Calls.Last(); ok && call.Seq > c.lastSeq {
		c.lastSeq = call.Seq
		if call.Time.Equal(now) {
			// The observers run right after the event or call that caused
			// the changes: a new entry in the call log means a caller did
			// it.
			cl, input = &call, c.w.Calls.LastInput()
		}
	}
	if cl != nil {
		c.noteRecords(input)
		if cl.Caller == c.opts.Caller {
			c.judgeCall(*cl, input)
		}
	}
	c.followHolds(now, cl, input)
	c.judgeServiceStops(cl)
	c.judgeKills(now, cl)
	for _, id := range c.done {
		delete(c.holds, id)
	}
	c.done = c.done[:0]
	clear(c.leftRunning)
	clear(c.leftWith)
	if len(c.releases) > 0 {
		// Only drainer's own calls are judged: an operator or another tool
		// ending an instance drainer drains (no hook of drainer's holds
		// it) is the world's doing, which drainer cannot prevent.
		if cl != nil && cl.Caller == c.opts.Caller {
			for _, r := range c.releases {
				c.fail(1, r.id, "%s by %s's %s (%s → %s) before its hard deadline %s with tasks not STOPPED: %s",
					"released", cl.Caller, cl.Operation, r.from, r.to, r.rec.Deadline.Format(time.RFC3339), strings.Join(r.live, ", "))
			}
		}
		c.releases = nil
	}
	c.sweep(now)
}

// noteRecords reads the drain record a PutAttributes call may have just
// written, so that a drain counts even if its container instance is
// deregistered before anything else looks at it.
func (c *Checker) noteRecords(input any) {
	in, ok := input.(ecs.PutAttributesInput)
	if !ok {
		return
	}
	seen := map[string]bool{}
	for _, a := range in.Attributes {
		if seen[a.TargetId] || a.TargetType != "container-instance" {
			continue
		}
		seen[a.TargetId] = true
		if ci := c.containerInstance(in.Cluster, a.TargetId); ci != nil {
			c.record(ci.Ec2InstanceId)
		}
	}
}

// containerInstance finds a container instance of a cluster by ARN or id.
func (c *Checker) containerInstance(cluster, ref string) *ecs.ContainerInstance {
	id := awsid.ContainerInstanceID(ref)
	name := c.clusterOfRequest(cluster)
	if cl, err := awsid.ClusterOf(ref); err == nil {
		name = cl
	}
	for _, ci := range c.w.ECS.ContainerInstances(name) {
		if awsid.ContainerInstanceID(ci.ContainerInstanceArn) == id {
			return ci
		}
	}
	return nil
}

// Final checks what must hold once the story is over: every drained
// instance is terminated and deregistered, and no network interface is
// left available. Call it under no lock, after the clock stopped.
func (c *Checker) Final() []Violation {
	var out []Violation
	c.w.Do(func() {
		now := c.w.Env.Now()
		// Drains nothing changed since they were recorded count too.
		for _, cluster := range c.w.ECS.ClusterNames() {
			for _, ci := range c.w.ECS.ContainerInstances(cluster) {
				c.record(ci.Ec2InstanceId)
			}
		}
		for _, id := range c.Drained() {
			if rec := c.records[id]; now.Before(rec.Deadline.Add(FinalGrace)) {
				continue // may still be under way: its hard deadline has not come
			}
			host, ok := c.w.EC2.Instance(id)
			if ok && host.State != ec2.StateTerminated && host.State != ec2.StateShuttingDown {
				out = append(out, Violation{Time: now, Rule: 6, Instance: id, What: "drained instance still " + string(host.State) + " past its hard deadline"})
			}
			if ci := c.w.ECS.ContainerInstanceByEC2(id); ci != nil && ci.Status != "INACTIVE" {
				out = append(out, Violation{Time: now, Rule: 6, Instance: id, What: "container instance still " + ci.Status + " past its drain's hard deadline"})
			}
		}
		// Interfaces: those of hosts ended, or of tasks stopped, less than
		// a sweep interval ago may still be there (the sweep, watched after
		// every event, judges the hosts' when their interval ends); any
		// other left available is a leak.
		recent := map[string]bool{}
		for _, e := range c.ended {
			recent[e.id] = true
		}
		for _, eni := range c.w.EC2.NetworkInterfaces() {
			if freed, ok := c.eniFreed[eni.ID]; ok && now.Sub(freed) < c.opts.SweepInterval {
				continue
			}
			if host, ok := c.eniHost[eni.ID]; eni.Status == "available" && !(ok && recent[host]) {
				out = append(out, Violation{Time: now, Rule: 6, Instance: eni.ID, What: "network interface left available"})
			}
		}
	})
	return out
}

// FinalGrace is how long after a drain's hard deadline Final allows for
// the release and the host's end (drainer then waits for the host to go,
// DESIGN.md §3): a drain whose deadline is more recent may still be under
// way when a run stops, and is not judged.
const FinalGrace = 15 * time.Minute
