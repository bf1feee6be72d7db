// Package scan holds the rules of drainer's periodic scans: the work that
// sends no message. An idle instance is reclaimed, an instance past its
// time-to-live is replaced, scale-in protection follows the tasks, and an
// instance kept past its group's maximum lifetime by that protection is
// reported. The rules are pure; the caller reads the world and acts.
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
}

// Group is what a scan needs of an Auto Scaling group.
type Group struct {
	Name         string
	Desired, Min int
	// Protect: drainer keeps scale-in protection on busy instances
	// (managed termination protection).
	Protect bool
	// MaxLifetime is the group's maximum instance lifetime (0 = none).
	MaxLifetime time.Duration
}

// IdleTracker remembers since when each instance has been idle, across
// scans. After a restart idleness counts again from the first scan: an
// instance is reclaimed late rather than early.
type IdleTracker struct {
	since map[string]time.Time
}

// NewIdleTracker returns an empty tracker.
func NewIdleTracker() *IdleTracker { return &IdleTracker{since: map[string]time.Time{}} }

// Idle returns the instances to reclaim: InService, registered, not
// draining, with no non-daemon task for at least idleAfter, in groups above
// their minimum — oldest first, never taking a group below its minimum.
// It updates the tracker with what it saw at now.
func (tr *IdleTracker) Idle(instances []Instance, groups map[string]Group, now time.Time, idleAfter time.Duration) []Instance {
	seen := make(map[string]bool, len(instances))
	var idle []Instance
	for _, in := range instances {
		seen[in.ID] = true
		if in.Busy || !in.InService || !in.Registered || in.Draining {
			delete(tr.since, in.ID)
			continue
		}
		since, ok := tr.since[in.ID]
		if !ok {
			tr.since[in.ID] = now
			since = now
		}
		if now.Sub(since) >= idleAfter {
			idle = append(idle, in)
		}
	}
	for id := range tr.since {
		if !seen[id] {
			delete(tr.since, id)
		}
	}
	oldestFirst(idle)
	room := map[string]int{}
	for name, g := range groups {
		room[name] = g.Desired - g.Min
	}
	for _, in := range instances {
		if in.Draining {
			room[in.Group]--
		}
	}
	var out []Instance
	for _, in := range idle {
		if _, known := groups[in.Group]; !known || room[in.Group] <= 0 {
			continue
		}
		room[in.Group]--
		out = append(out, in)
	}
	return out
}

// Expired returns the instances at or past maxLifetime (drainer's
// time-to-live), oldest first, that are not already draining.
func Expired(instances []Instance, now time.Time, maxLifetime time.Duration) []Instance {
	if maxLifetime <= 0 {
		return nil
	}
	var out []Instance
	for _, in := range instances {
		if in.InService && !in.Draining && now.Sub(in.LaunchTime) >= maxLifetime {
			out = append(out, in)
		}
	}
	oldestFirst(out)
	return out
}

// MaxProtectionBatch is Auto Scaling's limit of instances per
// SetInstanceProtection call.
const MaxProtectionBatch = 50

// Protection returns, for one group that keeps managed protection, the
// instances whose scale-in protection must be set (busy, unprotected) and
// removed (idle, protected, or draining: a draining instance is on its way
// out and must not block the scale-in that would take it), in batches of at
// most 50 ids, sorted.
func Protection(instances []Instance, g Group) (protect, unprotect [][]string) {
	if !g.Protect {
		return nil, nil
	}
	var on, off []string
	for _, in := range instances {
		if in.Group != g.Name || !in.InService {
			continue
		}
		want := in.Busy && !in.Draining
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
