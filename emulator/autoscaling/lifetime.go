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
// maximum instance lifetime, oldest first and a few at a time so that at
// least 90% of desired capacity stays InService. Instances protected from
// scale-in are not replaced: the AWS documentation suggests scale-in
// protection precisely to keep individual instances from being replaced.
func (s *Service) replaceExpired(g *group) {
	now := s.now()
	limit := time.Duration(g.maxLifetime) * time.Second
	var expired []*instance
	inService, inFlight := int32(0), int32(0)
	for _, in := range g.instances {
		if in.reason == reasonLifetime {
			inFlight++
		}
		if in.state != StateInService || !in.counted() {
			continue
		}
		inService++
		if !in.protected && now.Sub(in.launchedAt) >= limit {
			expired = append(expired, in)
		}
	}
	if len(expired) == 0 {
		return
	}
	slices.SortStableFunc(expired, func(a, b *instance) int { return a.launchedAt.Compare(b.launchedAt) })
	keep := (g.desired*90 + 99) / 100
	for _, in := range expired {
		if inFlight > 0 && inService-1 < keep {
			return
		}
		s.beginTermination(in, reasonLifetime, joinCauses(
			causeAt(now, "an instance was taken out of service in response to the maximum instance lifetime of %d seconds being reached.", g.maxLifetime),
			causeAt(now, "instance %s was selected for termination.", in.id)), true)
		inService--
		inFlight++
	}
}

func secs(n int32) time.Duration { return time.Duration(n) * time.Second }
