// Package invariant checks the invariants of DESIGN.md §7 on an emulated
// world while drainer drains in it: after every event and every API call,
// from the world's ground truth, so that a scenario test fails at the first
// moment a rule is broken, not only at the end.
//
//  1. No lifecycle action is completed, and no instance terminated, while a
//     non-daemon task on it is not STOPPED — unless its hard deadline has
//     passed or the drain was forced.
//  2. Daemon tasks on a draining instance stop only after every other task
//     there has stopped.
//  3. drainer does not stop service tasks itself before the end of a drain's
//     graceful phase (ECS does the moving, within the deployment limits).
//  4. Every lifecycle action drainer took on is completed before its hook
//     times out.
//  5. Deadlines are absolute and survive a restart (checked by the tests
//     that restart drainer, with Records).
//  6. Nothing leaks: every drained instance ends deregistered and
//     terminated, with no available network interface left (Final).
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

// Violation is one broken invariant.
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
	violations []Violation
	waiting    map[string][]autoscaling.LifecycleAction // instances in Terminating:Wait → their actions, as last seen
	drained    map[string]bool                          // instances that carried a drain record
	records    map[string]drain.Record                  // the first record seen per instance
	releases   []release                                // releases waiting to be attributed (rule 1)
	lastSeq    int
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

// Watch starts checking w. Call it before the world runs.
func Watch(w *emulator.World) *Checker {
	c := &Checker{w: w, waiting: map[string][]autoscaling.LifecycleAction{}, drained: map[string]bool{}, records: map[string]drain.Record{}}
	w.AutoScaling.OnLifecycleChange(c.lifecycleChanged)
	w.ECS.OnTaskChange(c.taskChanged)
	w.OnEvent(c.afterEvent)
	return c
}

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
		return drain.Record{}, nil, false
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
	if to == autoscaling.StateTerminatingWait {
		c.waiting[id] = c.w.AutoScaling.LifecycleActions(id)
	}
	rec, ci, ok := c.record(id)
	if from == autoscaling.StateTerminatingWait {
		actions := c.waiting[id]
		delete(c.waiting, id)
		if ok && rec.Held() {
			for _, a := range actions {
				if a.LifecycleHookName == rec.Hook && (!now.Before(a.HeartbeatExpiry) || !now.Before(a.GlobalExpiry)) {
					c.fail(4, id, "lifecycle action of hook %s timed out (heartbeat expiry %s, global expiry %s)", a.LifecycleHookName,
						a.HeartbeatExpiry.Format(time.RFC3339), a.GlobalExpiry.Format(time.RFC3339))
				}
			}
		}
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
		if hasRecord && strings.HasPrefix(t.StoppedReason, "drainer:") && rec.Reason != drain.ReasonForced && c.w.Env.Now().Before(rec.GracefulUntil) {
			c.fail(3, id, "drainer stopped service task %s in the graceful phase (until %s)", awsid.TaskID(t.TaskArn), rec.GracefulUntil.Format(time.RFC3339))
		}
	}
}

func (c *Checker) afterEvent() {
	if len(c.releases) > 0 {
		// The observers run right after the event or call that caused the
		// releases: a new entry in the call log means a caller did it.
		if call, ok := c.w.Calls.Last(); ok && call.Seq > c.lastSeq && call.Time.Equal(c.w.Env.Now()) {
			for _, r := range c.releases {
				c.fail(1, r.id, "%s by %s's %s (%s → %s) before its hard deadline %s with tasks not STOPPED: %s",
					"released", call.Caller, call.Operation, r.from, r.to, r.rec.Deadline.Format(time.RFC3339), strings.Join(r.live, ", "))
			}
		}
		c.releases = nil
	}
	if call, ok := c.w.Calls.Last(); ok {
		c.lastSeq = call.Seq
	}
	for id := range c.waiting {
		if actions := c.w.AutoScaling.LifecycleActions(id); len(actions) > 0 {
			c.waiting[id] = actions
		}
	}
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
			host, ok := c.w.EC2.Instance(id)
			if ok && host.State != ec2.StateTerminated && host.State != ec2.StateShuttingDown {
				out = append(out, Violation{Time: now, Rule: 6, Instance: id, What: "drained instance still " + string(host.State)})
			}
			if ci := c.w.ECS.ContainerInstanceByEC2(id); ci != nil && ci.Status != "INACTIVE" {
				out = append(out, Violation{Time: now, Rule: 6, Instance: id, What: "container instance still " + ci.Status})
			}
		}
		for _, eni := range c.w.EC2.NetworkInterfaces() {
			if eni.Status == "available" {
				out = append(out, Violation{Time: now, Rule: 6, Instance: eni.ID, What: "network interface left available"})
			}
		}
	})
	return out
}
