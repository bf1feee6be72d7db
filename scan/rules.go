package scan

import (
	"sort"
	"time"
)

// Instance is one container instance of an Auto Scaling group, as a scan
// sees it.
type Instance struct {
	ID         string
	Group      string
	LaunchTime time.Time
	// InService is the Auto Scaling lifecycle state InService (not Pending,
	// not already terminating).
	InService bool
	Protected bool
	// Registered: its ECS container instance is ACTIVE (not DRAINING, not
	// gone); Draining: drainer already drains it.
	Registered bool
	Draining   bool
	// Busy: a task that is not a daemon task runs on it (not STOPPED).
	Busy bool
	// Stale: what Registered, Draining (its ECS status) and Busy say was
	// read in an earlier pass, and may have changed since: the rules
	// neither protect, unprotect nor drain it (verify, then act), though
	// it counts for the group's minimum and Idle keeps its idle time.
	Stale bool
}

// Group is what a scan needs of an Auto Scaling group.
type Group struct {
	Name         string
	Desired, Min int
	// Protect: drainer keeps scale-in protection on busy instances
	// (managed termination protection).
	Protect bool
	// ECSProtects: ECS keeps that protection too (its capacity provider
	// has managed termination protection on), on busy draining instances
	// as well; drainer then follows ECS's rule instead of undoing it.
	ECSProtects bool
	// Drain: drainer may start idle and time-to-live drains in the group
	// (managed draining).
	Drain bool
	// MaxLifetime is the group's maximum instance lifetime (0 = none).
	MaxLifetime time.Duration
}

// Idle returns the instances to reclaim: InService, registered, not
// draining, with no non-daemon task for at least idleAfter, in groups above
// their minimum — oldest first, never taking a group below its minimum
// (instances already draining use up the room above it).
//
// since is when each instance was first seen idle in earlier scans; Idle
// does not modify it and returns it as seen at now: the instances idle now
// keep their time (or start counting at now), every other one is dropped,
// so an instance that gets a task counts again from zero. A stale instance
// idle when last read keeps its time but is not returned until read again.
// After a restart idleness counts again from the first scan: an instance is
// reclaimed late rather than early.
func Idle(instances []Instance, groups map[string]Group, since map[string]time.Time, now time.Time, idleAfter time.Duration) ([]Instance, map[string]time.Time) {
	next := make(map[string]time.Time, len(since))
	var idle []Instance
	for _, in := range instances {
		if in.Busy || !in.InService || !in.Registered || in.Draining {
			continue
		}
		from, ok := since[in.ID]
		if !ok {
			from = now
		}
		next[in.ID] = from
		if !in.Stale && now.Sub(from) >= idleAfter {
			idle = append(idle, in)
		}
	}
	oldestFirst(idle)
	return aboveMinimum(idle, instances, groups), next
}

// aboveMinimum keeps, in order, the candidates their group has room for
// above its minimum, counting the instances already draining against it.
func aboveMinimum(candidates, instances []Instance, groups map[string]Group) []Instance {
	room := make(map[string]int, len(groups))
	for name, g := range groups {
		room[name] = g.Desired - g.Min
	}
	for _, in := range instances {
		if in.Draining {
			room[in.Group]--
		}
	}
	var out []Instance
	for _, in := range candidates {
		if _, known := groups[in.Group]; !known || room[in.Group] <= 0 {
			continue
		}
		room[in.Group]--
		out = append(out, in)
	}
	return out
}

// Expired returns the instances at or past maxLifetime (drainer's
// time-to-live), oldest first, that are not already draining (nor
// stale).
func Expired(instances []Instance, now time.Time, maxLifetime time.Duration) []Instance {
	if maxLifetime <= 0 {
		return nil
	}
	var out []Instance
	for _, in := range instances {
		if in.InService && !in.Draining && !in.Stale && now.Sub(in.LaunchTime) >= maxLifetime {
			out = append(out, in)
		}
	}
	oldestFirst(out)
	return out
}

// MaxProtectionBatch is Auto Scaling's limit of instances per
// SetInstanceProtection call: "You can specify up to 50 instances"
// (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_SetInstanceProtection.html).
const MaxProtectionBatch = 50

// Protection returns, for one group that keeps managed protection, the
// instances whose scale-in protection must be set (busy, unprotected) and
// removed (idle, protected, or draining: a draining instance is on its way
// out and must not block the scale-in that would take it), in batches of at
// most 50 ids, sorted. Where ECS keeps the protection itself
// (g.ECSProtects) a busy draining instance stays protected, as ECS keeps
// it: drainer never undoes what ECS sets (its own release terminates the
// instance whatever its protection). Stale instances are left as they are.
func Protection(instances []Instance, g Group) (protect, unprotect [][]string) {
	if !g.Protect {
		return nil, nil
	}
	var on, off []string
	for _, in := range instances {
		if in.Group != g.Name || !in.InService || in.Stale {
			continue
		}
		want := in.Busy && (!in.Draining || g.ECSProtects)
		switch {
		case want && !in.Protected:
			on = append(on, in.ID)
		case !want && in.Protected:
			off = append(off, in.ID)
		}
	}
	return batches(on), batches(off)
}

// Trap is an instance kept past its group's maximum lifetime because it is
// protected from scale-in: Auto Scaling will not replace it.
type Trap struct {
	Instance Instance
	Age      time.Duration
	Lifetime time.Duration
}

// LifetimeTraps finds the instances kept past their group's maximum
// instance lifetime by scale-in protection, for `drainer doctor`.
func LifetimeTraps(instances []Instance, groups map[string]Group, now time.Time) []Trap {
	var traps []Trap
	for _, in := range instances {
		g, ok := groups[in.Group]
		if !ok || g.MaxLifetime <= 0 || !in.Protected {
			continue
		}
		if age := now.Sub(in.LaunchTime); age > g.MaxLifetime {
			traps = append(traps, Trap{Instance: in, Age: age, Lifetime: g.MaxLifetime})
		}
	}
	sort.Slice(traps, func(i, j int) bool { return traps[i].Age > traps[j].Age })
	return traps
}

func oldestFirst(in []Instance) {
	sort.SliceStable(in, func(i, j int) bool {
		if !in[i].LaunchTime.Equal(in[j].LaunchTime) {
			return in[i].LaunchTime.Before(in[j].LaunchTime)
		}
		return in[i].ID < in[j].ID
	})
}

func batches(ids []string) [][]string {
	sort.Strings(ids)
	var out [][]string
	for len(ids) > 0 {
		n := min(len(ids), MaxProtectionBatch)
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	return out
}
