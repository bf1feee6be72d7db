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

// hold follows one instance's termination from Terminating:Wait until
// the instance is terminated: the lifecycle actions that held it, and
// whether drainer let it go (rules 4 and 7).
type hold struct {
	group string
	// served: the group's instances join a served cluster, so the
	// actions of owned hooks are drainer's.
	served bool
	// all are the termination actions the wait began with; actions are
	// those still pending, by token, as last seen.
	all     []autoscaling.LifecycleAction
	actions map[string]autoscaling.LifecycleAction
	// letGo says how drainer ended one of its actions ("" while none
	// ended by its doing): its call, or the action's timeout.
	letGo string
}

// endedAction is a lifecycle action seen gone after an event.
type endedAction struct {
	id     string
	h      *hold
	action autoscaling.LifecycleAction
}

// kill is a non-daemon task stopped because its host went away.
type kill struct {
	id, task, from, reason string
	provider               string // the capacity provider of its container instance
}

// holdStarted starts following an instance that enters Terminating:Wait.
func (c *Checker) holdStarted(group, id string) {
	h := &hold{group: group, served: c.groupServes(group), actions: map[string]autoscaling.LifecycleAction{}}
	for _, a := range c.w.AutoScaling.LifecycleActions(id) {
		if a.LifecycleTransition == autoscaling.TransitionTerminating {
			h.all = append(h.all, a)
			h.actions[a.Token] = a
		}
	}
	c.holds[id] = h
}

// drainers reports whether an instance's action of hook is drainer's: an
// owned hook of a group it serves, or the hook a drain it recorded names.
func (c *Checker) drainers(id string, h *hold, hook string) bool {
	if h.served && c.owns(hook) {
		return true
	}
	// A recorded drain makes its hook drainer's even where the checker did
	// not see the group serve a served cluster — if drainer owns the hook:
	// a record naming another hook is another drainer's.
	rec, _, ok := c.record(id)
	return ok && rec.Held() && rec.Hook == hook && c.owns(hook)
}

// followHolds notices the lifecycle actions that ended in the event that
// just happened and judges how each ended (rule 4).
func (c *Checker) followHolds(now time.Time, cl *emulator.Call, input any) {
	var ended []endedAction
	for id, h := range c.holds {
		if len(h.actions) == 0 {
			continue
		}
		cur := c.w.AutoScaling.LifecycleActions(id)
		for tok, a := range h.actions {
			if i := indexOfToken(cur, tok); i >= 0 {
				h.actions[tok] = cur[i]
				continue
			}
			delete(h.actions, tok)
			ended = append(ended, endedAction{id: id, h: h, action: a})
		}
	}
	sort.Slice(ended, func(i, j int) bool {
		if ended[i].id != ended[j].id {
			return ended[i].id < ended[j].id
		}
		return ended[i].action.LifecycleHookName < ended[j].action.LifecycleHookName
	})
	// An action ending at its expiry ends the others of its instance too
	// when its hook's default result is ABANDON: those are no owner's
	// completion (InEvents).
	timedOut := map[string]bool{}
	for _, e := range ended {
		if !now.Before(e.action.HeartbeatExpiry) {
			timedOut[e.id] = true
		}
	}
	for _, e := range ended {
		c.actionEnded(now, e, cl, input, timedOut[e.id])
	}
}

func indexOfToken(actions []autoscaling.LifecycleAction, token string) int {
	for i, a := range actions {
		if a.Token == token {
			return i
		}
	}
	return -1
}

// actionEnded judges how one of drainer's actions ended: completed by a
// call, timed out (rule 4), completed by an owner acting in events
// (Options.InEvents; rule 1), or ended with the instance (another hook's
// ABANDON, its host terminated) — and remembers whether drainer let the
// instance go. othersTimedOut says another action of the instance timed
// out in the same event.
func (c *Checker) actionEnded(now time.Time, e endedAction, cl *emulator.Call, input any, othersTimedOut bool) {
	a, h := e.action, e.h
	if !c.drainers(e.id, h, a.LifecycleHookName) {
		return
	}
	byDrainer := cl != nil && cl.Caller == c.opts.Caller
	var letGo string
	switch {
	case cl != nil && completes(*cl, input, h.group, e.id, a):
		if byDrainer {
			letGo = fmt.Sprintf("drainer completed hook %s's action at %s", a.LifecycleHookName, now.Format(time.RFC3339))
		}
	case !now.Before(a.HeartbeatExpiry):
		// Auto Scaling never lets the heartbeat expiry pass the global
		// one: an action that ends there timed out.
		c.fail(4, e.id, "lifecycle action of hook %s of group %s timed out (heartbeat expiry %s, global expiry %s)",
			a.LifecycleHookName, h.group, a.HeartbeatExpiry.Format(time.RFC3339), a.GlobalExpiry.Format(time.RFC3339))
		letGo = fmt.Sprintf("hook %s's action timed out at %s", a.LifecycleHookName, now.Format(time.RFC3339))
	case c.opts.InEvents && cl == nil && !othersTimedOut && c.ranUntilNow(e.id):
		letGo = fmt.Sprintf("hook %s's owner completed its action at %s", a.LifecycleHookName, now.Format(time.RFC3339))
		c.judgeOwnerCompletion(now, e)
	case byDrainer:
		letGo = fmt.Sprintf("drainer's %s ended hook %s's action at %s", cl.Operation, a.LifecycleHookName, now.Format(time.RFC3339))
	}
	if h.letGo == "" {
		h.letGo = letGo
	}
}

// completes reports whether call (with its request) completed action a of
// instance id in group.
func completes(call emulator.Call, input any, group, id string, a autoscaling.LifecycleAction) bool {
	in, ok := input.(autoscaling.CompleteLifecycleActionInput)
	return ok && call.Outcome == "OK" && in.AutoScalingGroupName == group && in.LifecycleHookName == a.LifecycleHookName &&
		(in.InstanceId == id || in.LifecycleActionToken == a.Token)
}

// noteKill keeps a non-daemon task that stopped because its host went away
// (the agent stops everything on a host shutting down) on an instance
// followed since its Terminating:Wait, to judge after the event (rule 7).
func (c *Checker) noteKill(t *ecs.Task, fromLast string) {
	ci := t.ContainerInstance()
	if ci == nil || c.holds[ci.Ec2InstanceId] == nil || c.w.ECS.TaskClass(t) == "daemon" {
		return
	}
	if !ci.AgentConnected {
		return // lost with its agent, before: nothing could stop it (drainer reports it)
	}
	if host, ok := c.w.EC2.Instance(ci.Ec2InstanceId); ok && (host.State == ec2.StateRunning || host.State == ec2.StatePending) {
		return // stopped on a live host: not the host's end
	}
	c.kills = append(c.kills, kill{id: ci.Ec2InstanceId, task: awsid.TaskID(t.TaskArn), from: fromLast, reason: t.StoppedReason,
		provider: ci.CapacityProviderName})
}

// judgeKills judges the tasks the event's host ends stopped (rule 7): a
// violation when drainer let the host go — its call ended it while its
// hook held the instance, or it completed the hook (or let it time out)
// earlier — before the drain's hard deadline.
func (c *Checker) judgeKills(now time.Time, cl *emulator.Call) {
	if len(c.kills) == 0 {
		return
	}
	byHost := map[string][]kill{}
	var hosts []string
	for _, k := range c.kills {
		if byHost[k.id] == nil {
			hosts = append(hosts, k.id)
		}
		byHost[k.id] = append(byHost[k.id], k)
	}
	c.kills = nil
	for _, id := range hosts {
		h := c.holds[id]
		pending := c.pendingHook(id, h)
		var cause string
		switch {
		case pending != "" && cl != nil && cl.Caller == c.opts.Caller:
			cause = fmt.Sprintf("drainer's %s ended the host while hook %s held it", cl.Operation, pending)
		case pending != "":
			continue // EC2 (Spot) or another caller ended the host: not drainer's doing
		case h.letGo != "":
			cause = h.letGo
		default:
			continue
		}
		if c.opts.RespectDrainingOff && c.drainingOff(byHost[id][0].provider) {
			continue
		}
		deadline, source := c.hardDeadline(id, h)
		if !now.Before(deadline) {
			continue
		}
		var tasks []string
		for _, k := range byHost[id] {
			tasks = append(tasks, k.task+"("+k.from+")")
		}
		c.fail(7, id, "non-daemon tasks stopped with their host (%s): %s; %s, before the drain's hard deadline %s (%s)",
			byHost[id][0].reason, strings.Join(tasks, ", "), cause, deadline.Format(time.RFC3339), source)
	}
}

// drainingOff reports whether a capacity provider turns managed draining
// off.
func (c *Checker) drainingOff(provider string) bool {
	cp := c.w.ECS.CapacityProviderByName(provider)
	return cp != nil && cp.AutoScalingGroupProvider != nil && cp.AutoScalingGroupProvider.ManagedDraining == "DISABLED"
}

// pendingHook names a pending action of drainer's that still holds the
// instance, "" when none does.
func (c *Checker) pendingHook(id string, h *hold) string {
	var names []string
	for _, a := range h.actions {
		if c.drainers(id, h, a.LifecycleHookName) {
			names = append(names, a.LifecycleHookName)
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// hardDeadline is the hard deadline of the drain of a held instance and
// where it comes from: the recorded one (a forced drain's has passed at
// once), else the Spot interruption time, else the earliest global expiry
// of drainer's actions (drainer's hard deadline is capped by it).
func (c *Checker) hardDeadline(id string, h *hold) (time.Time, string) {
	if rec, _, ok := c.record(id); ok {
		if rec.Reason == drain.ReasonForced {
			return time.Time{}, "forced"
		}
		return rec.Deadline, "recorded"
	}
	if t, ok := c.w.EC2.InterruptionTime(id); ok {
		return t, "Spot interruption"
	}
	var earliest time.Time
	hook := ""
	for _, a := range h.all {
		if c.drainers(id, h, a.LifecycleHookName) && (earliest.IsZero() || a.GlobalExpiry.Before(earliest)) {
			earliest, hook = a.GlobalExpiry, a.LifecycleHookName
		}
	}
	return earliest, "global expiry of hook " + hook
}
