package autoscaling

import (
	"slices"
	"time"
)

// scheduleLifetimeCheck arms the periodic maximum-lifetime check while some
// group has a maximum instance lifetime (an idle world schedules nothing).
func (s *Service) scheduleLifetimeCheck() {
	if s.lifeTimer != nil {
		return
	}
	for _, g := range s.groups {
		if g.maxLifetime > 0 {
			s.lifeTimer = s.env.After(s.lifeEvery, func() {
				s.lifeTimer = nil
				for _, n := range s.GroupNames() {
					if g := s.groups[n]; g.maxLifetime > 0 {
						s.replaceExpired(g)
					}
				}
				s.scheduleLifetimeCheck()
			})
			return
		}
	}
}

// replaceExpired terminates InService instances older than the group's
// maximum instance lifetime, oldest first. Auto Scaling usually replaces
// them one at a time; when several are due together (the lifetime leaves
// no time to replace each alone) it replaces up to 10 % of the group's
// current capacity at once, never more. Instances still on their way out
// for their lifetime count, those held by termination hooks included, so
// a slow hook slows the replacement down instead of letting expired
// instances pile up in Terminating:Wait. Instances protected from scale in
// are not replaced: the documentation suggests scale-in protection
// precisely to keep individual instances from being replaced.
//
// Source: "Replace Auto Scaling instances based on maximum instance
// lifetime" (https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-max-instance-lifetime.html):
// "Amazon EC2 Auto Scaling will usually replace instances one at a time,
// with a pause between replacements. However, if the specified maximum
// instance lifetime doesn't provide enough time to replace each instance
// individually, Amazon EC2 Auto Scaling must replace more than one
// instance at a time. Several instances might be replaced at once, up to
// 10 percent of the current capacity of your Auto Scaling group."
func (s *Service) replaceExpired(g *group) {
	now := s.now()
	limit := time.Duration(g.maxLifetime) * time.Second
	var expired []*instance
	inFlight := 0
	for _, in := range g.instances {
		if in.reason == reasonLifetime {
			inFlight++
		}
		if in.state != StateInService || !in.counted() || in.protected {
			continue
		}
		if now.Sub(in.launchedAt) >= limit {
			expired = append(expired, in)
		}
	}
	slices.SortStableFunc(expired, func(a, b *instance) int { return a.launchedAt.Compare(b.launchedAt) })
	room := max(0, lifetimeBatch(g.desired, len(expired)+inFlight)-inFlight)
	for _, in := range expired[:min(len(expired), room)] {
		s.beginTermination(in, reasonLifetime, joinCauses(
			causeAt(now, "an instance was taken out of service in response to the maximum instance lifetime of %d seconds being reached.", g.maxLifetime),
			causeAt(now, "instance %s was selected for termination.", in.id)), true)
	}
}

// lifetimeBatch is how many instances may be on their way out for their
// maximum lifetime at once: one, or when more than one is due, 10 % of the
// capacity (at least one).
func lifetimeBatch(capacity int32, due int) int {
	if due <= 1 {
		return 1
	}
	return max(1, int(capacity)/10)
}

func secs(n int32) time.Duration { return time.Duration(n) * time.Second }
