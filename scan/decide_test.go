package scan

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
)

// host is one instance of a group in a test observation.
type host struct {
	id string
	// state is the Auto Scaling lifecycle state ("" = InService).
	state string
	// ci is the container instance's status: "" = ACTIVE, "-" = no
	// container instance of a served cluster.
	ci        cloud.ContainerInstanceStatus
	age       time.Duration
	tasks     string // "busy", "idle" or "" (no answer)
	protected bool
	draining  bool // drainer drains it
	idleFor   time.Duration
	// stale: known only from an earlier pass's read.
	stale bool
}

type grp struct {
	name         string
	desired, min int
	lifetime     time.Duration
	pol          Policy
	hosts        []host
}

func observe(groups ...grp) Observation {
	o := Observation{Now: t0, ContainerInstances: map[string]cloud.ContainerInstance{}, Busy: map[string]bool{},
		Draining: map[string]bool{}, Policies: map[string]Policy{}, IdleSince: map[string]time.Time{}}
	for _, g := range groups {
		cg := cloud.Group{Name: g.name, DesiredCapacity: g.desired, MinSize: g.min, MaxInstanceLifetime: g.lifetime}
		for _, h := range g.hosts {
			state := h.state
			if state == "" {
				state = cloud.LifecycleInService
			}
			cg.Instances = append(cg.Instances, cloud.GroupInstance{InstanceID: h.id, Group: g.name, LifecycleState: state, ProtectedFromScaleIn: h.protected})
			if h.ci != "-" {
				status := h.ci
				if status == "" {
					status = cloud.ContainerInstanceActive
				}
				o.ContainerInstances[h.id] = cloud.ContainerInstance{EC2InstanceID: h.id, Status: status, RegisteredAt: t0.Add(-h.age)}
			}
			if h.tasks != "" {
				o.Busy[h.id] = h.tasks == "busy"
			}
			if h.draining {
				o.Draining[h.id] = true
			}
			if h.idleFor > 0 {
				o.IdleSince[h.id] = t0.Add(-h.idleFor)
			}
			if h.stale {
				if o.Stale == nil {
					o.Stale = map[string]bool{}
				}
				o.Stale[h.id] = true
			}
		}
		o.Groups = append(o.Groups, cg)
		o.Policies[g.name] = g.pol
	}
	return o
}

// summary renders a plan's actions: protection calls as "g+a,b" (set) or
// "g-a" (removed), starts as "ttl:i-1", held instances as "held:i-2",
// traps as "trap:i-3".
func summary(p Plan) string {
	var out []string
	for _, b := range p.Protection {
		sign := "-"
		if b.Protect {
			sign = "+"
		}
		out = append(out, b.Group+sign+strings.Join(b.InstanceIDs, ","))
	}
	for _, s := range p.Starts {
		out = append(out, string(s.Trigger.Reason)+":"+s.InstanceID)
	}
	for _, id := range p.HeldByBudget {
		out = append(out, "held:"+id)
	}
	for _, tr := range p.Traps {
		out = append(out, "trap:"+tr.Instance.ID)
	}
	return strings.Join(out, " ")
}

var (
	protects = Policy{Protect: true}
	drains   = Policy{Drain: true}
	both     = Policy{Protect: true, Drain: true}
	day      = 24 * time.Hour
)

func TestDecide(t *testing.T) {
	for _, tc := range []struct {
		name   string
		groups []grp
		cfg    Config
		want   string
	}{
		{"nothing to do", []grp{{name: "g", desired: 2, pol: both, hosts: []host{
			{id: "i-1", tasks: "busy", protected: true}, {id: "i-2", tasks: "idle"}}}}, Config{}, ""},
		{"protection follows the tasks", []grp{{name: "g", desired: 4, pol: protects, hosts: []host{
			{id: "i-busy", tasks: "busy"}, {id: "i-idle", tasks: "idle", protected: true},
			{id: "i-drain", tasks: "busy", protected: true, draining: true}, {id: "i-unknown", protected: true}}}},
			Config{}, "g+i-busy g-i-drain,i-idle"},
		{"an unknown answer counts as busy", []grp{{name: "g", desired: 1, pol: protects, hosts: []host{{id: "i-1"}}}}, Config{}, "g+i-1"},
		{"protection only InService", []grp{{name: "g", desired: 2, pol: protects, hosts: []host{
			{id: "i-pending", state: "Pending", tasks: "busy"}, {id: "i-going", state: cloud.LifecycleTerminatingWait, tasks: "idle", protected: true}}}},
			Config{}, ""},
		{"no protection without the policy", []grp{{name: "g", desired: 2, pol: drains, hosts: []host{
			{id: "i-busy", tasks: "busy"}, {id: "i-idle", tasks: "idle", protected: true}}}}, Config{}, ""},
		{"groups in order, set before removed", []grp{
			{name: "a", desired: 2, pol: protects, hosts: []host{{id: "i-a1", tasks: "idle", protected: true}, {id: "i-a2", tasks: "busy"}}},
			{name: "b", desired: 1, pol: protects, hosts: []host{{id: "i-b1", tasks: "busy"}}}},
			Config{}, "a+i-a2 a-i-a1 b+i-b1"},
		{"time-to-live, oldest first, within the budget", []grp{{name: "g", desired: 4, pol: drains, hosts: []host{
			{id: "i-young", age: day, tasks: "busy"}, {id: "i-old", age: 8 * day, tasks: "busy"}, {id: "i-older", age: 9 * day, tasks: "busy"}}}},
			Config{MaxLifetime: 7 * day, Budget: drain.Budget{Count: 1}}, "ttl:i-older held:i-old"},
		{"time-to-live off", []grp{{name: "g", desired: 1, pol: drains, hosts: []host{{id: "i-old", age: 9 * day, tasks: "busy"}}}},
			Config{}, ""},
		{"no voluntary drain in a group that does not drain", []grp{{name: "g", desired: 2, min: 0, pol: protects, hosts: []host{
			{id: "i-old", age: 9 * day, tasks: "busy", protected: true}, {id: "i-idle", tasks: "idle", idleFor: time.Hour}}}},
			Config{MaxLifetime: 7 * day, IdleAfter: time.Minute, Budget: drain.Budget{Percent: 100}}, ""},
		{"draining, DRAINING and terminating use up the budget", []grp{{name: "g", desired: 10, pol: drains, hosts: []host{
			{id: "i-ours", tasks: "busy", draining: true}, {id: "i-ecs", ci: cloud.ContainerInstanceDraining, tasks: "busy"},
			{id: "i-going", ci: "-", state: cloud.LifecycleTerminatingProceed},
			{id: "i-old", age: 9 * day, tasks: "busy"}, {id: "i-older", age: 10 * day, tasks: "busy"}}}},
			Config{MaxLifetime: 7 * day, Budget: drain.Budget{Count: 4}}, "ttl:i-older held:i-old"},
		{"a draining instance is not started again", []grp{{name: "g", desired: 2, pol: drains, hosts: []host{
			{id: "i-old", age: 9 * day, tasks: "busy", draining: true}}}},
			Config{MaxLifetime: 7 * day, Budget: drain.Budget{Count: 2}}, ""},
		{"budgets are per group", []grp{
			{name: "a", desired: 1, pol: drains, hosts: []host{{id: "i-a", age: 9 * day, tasks: "busy"}}},
			{name: "b", desired: 1, pol: drains, hosts: []host{{id: "i-b", age: 9 * day, tasks: "busy"}}}},
			Config{MaxLifetime: 7 * day}, "ttl:i-a ttl:i-b"},
		{"idle after its time, above the minimum", []grp{{name: "g", desired: 4, min: 2, pol: drains, hosts: []host{
			{id: "i-1", age: 3 * time.Hour, tasks: "idle", idleFor: time.Hour}, {id: "i-2", age: 2 * time.Hour, tasks: "idle", idleFor: time.Hour},
			{id: "i-3", age: 4 * time.Hour, tasks: "idle", idleFor: time.Hour}, {id: "i-new", tasks: "idle", idleFor: time.Minute}}}},
			Config{IdleAfter: 30 * time.Minute, Budget: drain.Budget{Percent: 100}}, "idle:i-3 idle:i-1"},
		{"idle within the budget", []grp{{name: "g", desired: 4, pol: drains, hosts: []host{
			{id: "i-1", age: 2 * time.Hour, tasks: "idle", idleFor: time.Hour}, {id: "i-2", age: time.Hour, tasks: "idle", idleFor: time.Hour}}}},
			Config{IdleAfter: 30 * time.Minute, Budget: drain.Budget{Count: 1}}, "idle:i-1 held:i-2"},
		{"idle: unregistered, not InService or unknown are never idle", []grp{{name: "g", desired: 4, pol: drains, hosts: []host{
			{id: "i-unknown", idleFor: time.Hour}, {id: "i-pending", state: "Pending", tasks: "idle", idleFor: time.Hour},
			{id: "i-registering", ci: cloud.ContainerInstanceRegistering, tasks: "idle", idleFor: time.Hour}}}},
			Config{IdleAfter: 30 * time.Minute, Budget: drain.Budget{Percent: 100}}, ""},
		{"a time-to-live drain is not also an idle one", []grp{{name: "g", desired: 4, pol: drains, hosts: []host{
			{id: "i-old", age: 9 * day, tasks: "idle", idleFor: time.Hour}, {id: "i-idle", age: time.Hour, tasks: "idle", idleFor: time.Hour}}}},
			Config{MaxLifetime: 7 * day, IdleAfter: 30 * time.Minute, Budget: drain.Budget{Count: 2}}, "ttl:i-old idle:i-idle"},
		{"held for time-to-live, held again when idle", []grp{{name: "g", desired: 4, pol: drains, hosts: []host{
			{id: "i-going", ci: "-", state: cloud.LifecycleTerminating}, {id: "i-old", age: 9 * day, tasks: "idle", idleFor: time.Hour}}}},
			Config{MaxLifetime: 7 * day, IdleAfter: 30 * time.Minute, Budget: drain.Budget{Count: 1}}, "held:i-old held:i-old"},
		{"stale instances are neither protected, unprotected nor drained", []grp{{name: "g", desired: 6, pol: both, hosts: []host{
			{id: "i-busy", tasks: "busy", stale: true}, {id: "i-idle", tasks: "idle", protected: true, idleFor: time.Hour, stale: true},
			{id: "i-old", age: 9 * day, tasks: "busy", protected: true, stale: true},
			{id: "i-fresh-busy", tasks: "busy"}, {id: "i-fresh-idle", tasks: "idle", protected: true, idleFor: time.Hour}}}},
			Config{MaxLifetime: 7 * day, IdleAfter: 30 * time.Minute, Budget: drain.Budget{Percent: 100}},
			"g+i-fresh-busy g-i-fresh-idle idle:i-fresh-idle"},
		{"stale instances count for the budget and the minimum", []grp{{name: "g", desired: 3, min: 1, pol: drains, hosts: []host{
			{id: "i-theirs", ci: cloud.ContainerInstanceDraining, tasks: "busy", stale: true},
			{id: "i-1", age: time.Hour, tasks: "idle", idleFor: time.Hour}, {id: "i-2", tasks: "idle", idleFor: time.Hour}}}},
			Config{IdleAfter: 30 * time.Minute, Budget: drain.Budget{Count: 2}}, "idle:i-1"},
		{"a protected instance past the group's lifetime is a trap", []grp{{name: "g", desired: 3, lifetime: day, pol: both, hosts: []host{
			{id: "i-trapped", age: 2 * day, tasks: "busy", protected: true}, {id: "i-free", age: 2 * day, tasks: "busy", ci: cloud.ContainerInstanceDraining},
			{id: "i-young", age: time.Hour, tasks: "busy", protected: true}}}},
			Config{}, "trap:i-trapped"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := summary(Decide(observe(tc.groups...), tc.cfg)); got != tc.want {
				t.Errorf("plan %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDecideProtectsInBatchesOfFifty(t *testing.T) {
	g := grp{name: "g", desired: 120, pol: protects}
	for i := range 120 {
		g.hosts = append(g.hosts, host{id: fmt.Sprintf("i-%03d", i), tasks: "busy"})
	}
	p := Decide(observe(g), Config{})
	var sizes []int
	for _, b := range p.Protection {
		sizes = append(sizes, len(b.InstanceIDs))
	}
	if fmt.Sprint(sizes) != "[50 50 20]" {
		t.Fatalf("batches of %v, want [50 50 20]", sizes)
	}
}

func TestDecideStartsAtTheObservedTimeInTheGroup(t *testing.T) {
	o := observe(grp{name: "g", desired: 2, pol: drains, hosts: []host{{id: "i-old", age: 9 * day, tasks: "busy"}}})
	p := Decide(o, Config{MaxLifetime: 7 * day})
	want := drain.Trigger{Reason: drain.ReasonTTL, At: t0, Group: "g"}
	if len(p.Starts) != 1 || p.Starts[0].Trigger != want {
		t.Fatalf("starts %+v, want one with %+v", p.Starts, want)
	}
}

func TestDecideAgesFromTheLaunchTime(t *testing.T) {
	o := observe(grp{name: "g", desired: 2, pol: drains, hosts: []host{{id: "i-1", age: time.Hour, tasks: "busy"}}})
	o.LaunchTimes = map[string]time.Time{"i-1": t0.Add(-8 * day)}
	if got := summary(Decide(o, Config{MaxLifetime: 7 * day})); got != "ttl:i-1" {
		t.Fatalf("plan %q: the EC2 launch time must beat the registration time", got)
	}
}

func TestDecideRemembersIdleTimes(t *testing.T) {
	o := observe(grp{name: "g", desired: 3, pol: drains, hosts: []host{
		{id: "i-new", tasks: "idle"}, {id: "i-old", tasks: "idle", idleFor: 10 * time.Minute}, {id: "i-busy", tasks: "busy", idleFor: time.Hour}}})
	before := fmt.Sprint(o.IdleSince)
	p := Decide(o, Config{IdleAfter: time.Hour})
	if fmt.Sprint(o.IdleSince) != before {
		t.Fatalf("Decide changed the observation's idle times: %v", o.IdleSince)
	}
	want := map[string]time.Time{"i-new": t0, "i-old": t0.Add(-10 * time.Minute)}
	if fmt.Sprint(p.IdleSince) != fmt.Sprint(want) {
		t.Fatalf("idle times to remember %v, want %v", p.IdleSince, want)
	}
	// With idle reclamation off, the idle times are left as they were.
	if p := Decide(o, Config{}); fmt.Sprint(p.IdleSince) != before {
		t.Fatalf("idle reclamation off changed the idle times: %v", p.IdleSince)
	}
}

// A stale instance idle when last read keeps its idle time, though not
// reclaimed; one busy when last read starts no idle time.
func TestDecideKeepsTheIdleTimesOfStaleInstances(t *testing.T) {
	o := observe(grp{name: "g", desired: 3, pol: drains, hosts: []host{
		{id: "i-idle", tasks: "idle", idleFor: time.Hour, stale: true}, {id: "i-new", tasks: "idle", stale: true}, {id: "i-busy", tasks: "busy", idleFor: time.Hour, stale: true}}})
	p := Decide(o, Config{IdleAfter: time.Minute, Budget: drain.Budget{Percent: 100}})
	want := map[string]time.Time{"i-idle": t0.Add(-time.Hour), "i-new": t0}
	if len(p.Starts) != 0 || fmt.Sprint(p.IdleSince) != fmt.Sprint(want) {
		t.Fatalf("starts %+v, idle times %v; want none started, idle times %v", p.Starts, p.IdleSince, want)
	}
}

func TestDecideSeesContainerInstancesOnly(t *testing.T) {
	o := observe(grp{name: "g", desired: 2, pol: both, hosts: []host{{id: "i-ci", tasks: "busy", protected: true}, {id: "i-other", ci: "-"}}})
	p := Decide(o, Config{})
	if len(p.Instances) != 1 || p.Instances[0].ID != "i-ci" || !p.Instances[0].Busy || !p.Instances[0].Registered {
		t.Fatalf("instances %+v, want only the container instance, busy and registered", p.Instances)
	}
}
