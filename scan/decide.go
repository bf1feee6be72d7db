package scan

import (
	"time"

	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
)

// Policy is what drainer does for one Auto Scaling group: the two settings
// of DESIGN.md §3's matrix, named after the ECS capacity provider settings
// they mirror (managed termination protection and managed draining,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-termination-protection.html).
type Policy struct {
	// Protect: busy instances (a non-daemon task on them) carry scale-in
	// protection, idle ones do not (managed termination protection).
	Protect bool
	// Drain: terminating instances are drained (managed draining); when
	// false, a termination lifecycle action is completed at once with
	// CONTINUE and drainer starts no drain in the group.
	Drain bool
	// Provider is the ECS capacity provider the policy comes from, "" when
	// the group has none (the defaults or overrides applied).
	Provider string
	// ECSProtects: the provider has managed termination protection on, so
	// ECS itself keeps scale-in protection on the group's instances that
	// run non-daemon tasks, draining ones included
	// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-termination-protection.html).
	ECSProtects bool
}

// Config is what the scans are asked to do.
type Config struct {
	// IdleAfter reclaims instances with no non-daemon task for that long,
	// in groups above their minimum (0 = off).
	IdleAfter time.Duration
	// MaxLifetime replaces instances at that age (drainer's time-to-live;
	// 0 = off).
	MaxLifetime time.Duration
	// Budget limits the voluntary drains of a group (idle, TTL) by the
	// instances of the group already draining; the zero Budget allows one.
	Budget drain.Budget
}

// Observation is what one pass read of the world, with what the scanner
// remembers from the passes before. Decide never modifies it.
type Observation struct {
	Now time.Time
	// Groups are the Auto Scaling groups holding at least one container
	// instance of a served cluster, with their instances, in the order the
	// plan follows (the Scanner sorts them by name).
	Groups []cloud.Group
	// ContainerInstances are the container instances of the served
	// clusters (every status but INACTIVE) by EC2 instance id.
	ContainerInstances map[string]cloud.ContainerInstance
	// Busy says, by EC2 instance id, whether a task that is not a daemon
	// task runs (or is about to) on a container instance. An instance
	// missing counts as busy: never reclaimed or unprotected on a guess.
	Busy map[string]bool
	// LaunchTimes are the EC2 launch times by instance id, read only for
	// the time-to-live; an instance missing is aged from its container
	// instance's registration.
	LaunchTimes map[string]time.Time
	// Draining holds the instances drainer drains now (by EC2 instance id).
	Draining map[string]bool
	// Policies are the groups' policies by name; a group missing neither
	// protects nor drains.
	Policies map[string]Policy
	// IdleSince is when each instance was first seen idle in the passes
	// before (see Idle).
	IdleSince map[string]time.Time
	// Stale holds the container instances (by EC2 instance id) known only
	// from an earlier pass's read: what ContainerInstances and Busy say of
	// them may have changed since. The plan neither protects, unprotects
	// nor drains them (Instance.Stale); they still count for the budgets
	// and minimums. Nil: every instance was read in this pass.
	Stale map[string]bool
}

// ProtectionBatch is one SetInstanceProtection call: at most
// MaxProtectionBatch instances of one group, sorted.
type ProtectionBatch struct {
	Group       string
	Protect     bool
	InstanceIDs []string
}

// Start is one voluntary drain to start (Reason ReasonTTL or ReasonIdle,
// At the observation's time, Group the instance's group).
type Start struct {
	InstanceID string
	Trigger    drain.Trigger
}

// Plan is what one pass does, in order: the protection calls, then the
// drains to start.
type Plan struct {
	// Instances are the container instances of the observed groups as the
	// rules saw them (busy, draining, launch time), in group order.
	Instances []Instance
	// Protection lists the calls per group, in group order, the batches
	// that set protection before those that remove it.
	Protection []ProtectionBatch
	// Starts are the time-to-live drains (oldest instance first), then the
	// idle ones (oldest first), each within its group's disruption budget.
	// Each counts against the budget as if it starts: a drain that fails to
	// start holds its place until the next pass.
	Starts []Start
	// HeldByBudget are the instances due for a voluntary drain that the
	// budget holds back (an instance due for both reasons is listed twice).
	HeldByBudget []string
	// Traps are the instances kept past their group's maximum lifetime by
	// scale-in protection, longest first.
	Traps []Trap
	// IdleSince is what to remember for the next pass's Observation.
	IdleSince map[string]time.Time
	// Waiting are the instances in Terminating:Wait with no drain of
	// drainer's, in group order: a lifecycle action of drainer's may hold
	// them with no drain to complete it (a message lost, a drain waiting
	// for its agent when drainer restarted). The scanner asks whether one
	// does, and takes it up.
	Waiting []WaitingInstance
}

// WaitingInstance is an instance in Terminating:Wait with no drain.
type WaitingInstance struct {
	Group, InstanceID string
}

// Decide plans one pass: a pure function of the observation and the
// configuration. It acts only on what the pass read: instances known only
// from an earlier pass (Observation.Stale) are left as they are.
//
// Protection is reconciled in the groups whose policy protects: busy
// instances protected, idle and draining ones unprotected, at most 50 per
// call. Voluntary drains start only in groups whose policy drains, and
// only while the group's disruption budget allows: instances drainer
// drains, container instances DRAINING and instances terminating (any
// Terminating lifecycle state) count against it, and so does each drain the
// plan starts. Time-to-live drains (instance age ≥ MaxLifetime) come first;
// an instance they take is no longer idle. Idle drains (no non-daemon task
// for IdleAfter) never take a group below its minimum.
func Decide(o Observation, cfg Config) Plan {
	v := join(o)
	p := Plan{Instances: v.instances, IdleSince: o.IdleSince}
	for _, name := range v.order {
		p.Protection = append(p.Protection, protectionBatches(v.instances, v.groups[name])...)
	}
	p.Starts, p.HeldByBudget, p.IdleSince = v.voluntary(o, cfg)
	p.Traps = LifetimeTraps(v.instances, v.groups, o.Now)
	p.Waiting = waiting(o)
	return p
}

// waiting lists the instances of the observed groups in Terminating:Wait
// that no drain of drainer's covers.
func waiting(o Observation) []WaitingInstance {
	var out []WaitingInstance
	for _, g := range o.Groups {
		for _, gi := range g.Instances {
			if gi.LifecycleState == cloud.LifecycleTerminatingWait && !o.Draining[gi.InstanceID] {
				out = append(out, WaitingInstance{Group: g.Name, InstanceID: gi.InstanceID})
			}
		}
	}
	return out
}

// view is an observation joined: the groups and their container
// instances as the rules see them, and how many instances of each group
// are draining.
type view struct {
	order     []string
	groups    map[string]Group
	instances []Instance
	draining  map[string]int
}

func join(o Observation) view {
	v := view{groups: make(map[string]Group, len(o.Groups)), draining: map[string]int{}}
	for _, g := range o.Groups {
		pol := o.Policies[g.Name]
		v.order = append(v.order, g.Name)
		v.groups[g.Name] = Group{Name: g.Name, Desired: g.DesiredCapacity, Min: g.MinSize,
			Protect: pol.Protect, ECSProtects: pol.ECSProtects, Drain: pol.Drain, MaxLifetime: g.MaxInstanceLifetime}
		for _, gi := range g.Instances {
			in, isCI := o.instance(g.Name, gi)
			if drain.Disrupted(gi.LifecycleState, in.Draining, false) {
				v.draining[g.Name]++
			}
			if isCI {
				v.instances = append(v.instances, in)
			}
		}
	}
	return v
}

// instance is gi as the rules see it; isCI is false when gi is no
// container instance of a served cluster (Draining is then all it says).
func (o Observation) instance(group string, gi cloud.GroupInstance) (in Instance, isCI bool) {
	id := gi.InstanceID
	ci, isCI := o.ContainerInstances[id]
	in = Instance{ID: id, Group: group, Draining: o.Draining[id] || (isCI && ci.Status == cloud.ContainerInstanceDraining)}
	if !isCI {
		return in, false
	}
	busy, known := o.Busy[id]
	in.InService = gi.LifecycleState == cloud.LifecycleInService
	in.Protected = gi.ProtectedFromScaleIn
	in.Registered = ci.Status == cloud.ContainerInstanceActive
	in.Busy = busy || !known
	in.LaunchTime = ci.RegisteredAt
	in.Stale = o.Stale[id]
	if t, ok := o.LaunchTimes[id]; ok {
		in.LaunchTime = t
	}
	return in, true
}

func protectionBatches(instances []Instance, g Group) []ProtectionBatch {
	protect, unprotect := Protection(instances, g)
	var out []ProtectionBatch
	for _, ids := range protect {
		out = append(out, ProtectionBatch{Group: g.Name, Protect: true, InstanceIDs: ids})
	}
	for _, ids := range unprotect {
		out = append(out, ProtectionBatch{Group: g.Name, Protect: false, InstanceIDs: ids})
	}
	return out
}

// voluntary plans the time-to-live and idle drains within the budget, and
// returns the idle times to remember.
func (v view) voluntary(o Observation, cfg Config) (starts []Start, held []string, idleSince map[string]time.Time) {
	var drainable []Instance
	for _, in := range v.instances {
		if v.groups[in.Group].Drain {
			drainable = append(drainable, in)
		}
	}
	propose := func(in Instance, reason drain.Reason) bool {
		if !cfg.Budget.Allows(v.groups[in.Group].Desired, v.draining[in.Group]) {
			held = append(held, in.ID)
			return false
		}
		v.draining[in.Group]++
		starts = append(starts, Start{InstanceID: in.ID, Trigger: drain.Trigger{Reason: reason, At: o.Now, Group: in.Group}})
		return true
	}
	ttl := map[string]bool{}
	for _, in := range Expired(drainable, o.Now, cfg.MaxLifetime) {
		ttl[in.ID] = propose(in, drain.ReasonTTL)
	}
	if cfg.IdleAfter <= 0 {
		return starts, held, o.IdleSince
	}
	for i := range drainable {
		drainable[i].Draining = drainable[i].Draining || ttl[drainable[i].ID]
	}
	idle, idleSince := Idle(drainable, v.groups, o.IdleSince, o.Now, cfg.IdleAfter)
	for _, in := range idle {
		propose(in, drain.ReasonIdle)
	}
	return starts, held, idleSince
}
