package ecs

import (
	"sort"
	"strconv"

	"github.com/drainer-dev/drainer/emulator/ecs/query"
)

// pool holds the placement candidates of one AZ (ACTIVE, agent-connected
// container instances), sorted by remaining memory then registration, so
// binpack finds the tightest fit by binary search instead of a scan.
type pool struct {
	cis []*ContainerInstance
}

func poolLess(mem int, seq int64, b *ContainerInstance) bool {
	if mem != b.poolMem {
		return mem < b.poolMem
	}
	return seq < b.seq
}

func (p *pool) insert(ci *ContainerInstance) {
	ci.poolMem = ci.memFree
	i := sort.Search(len(p.cis), func(i int) bool { return poolLess(ci.poolMem, ci.seq, p.cis[i]) })
	p.cis = append(p.cis, nil)
	copy(p.cis[i+1:], p.cis[i:])
	p.cis[i] = ci
}

func (p *pool) remove(ci *ContainerInstance) {
	i := sort.Search(len(p.cis), func(i int) bool { return !poolLess(p.cis[i].poolMem, p.cis[i].seq, ci) })
	if i < len(p.cis) && p.cis[i] == ci {
		copy(p.cis[i:], p.cis[i+1:])
		p.cis[len(p.cis)-1] = nil
		p.cis = p.cis[:len(p.cis)-1]
	}
}

func (s *Service) poolAdd(ci *ContainerInstance) {
	if ci.inPool {
		return
	}
	c := ci.cl
	p := c.pools[ci.Host.AZ]
	if p == nil {
		p = &pool{}
		c.pools[ci.Host.AZ] = p
		c.azs = append(c.azs, ci.Host.AZ)
		sort.Strings(c.azs)
	}
	p.insert(ci)
	ci.inPool = true
}

func (s *Service) poolRemove(ci *ContainerInstance) {
	if !ci.inPool {
		return
	}
	ci.cl.pools[ci.Host.AZ].remove(ci)
	ci.inPool = false
}

// poolMove re-sorts ci after its remaining memory changed.
func (s *Service) poolMove(ci *ContainerInstance) {
	if ci.inPool && ci.poolMem != ci.memFree {
		p := ci.cl.pools[ci.Host.AZ]
		p.remove(ci)
		p.insert(ci)
	}
}

// demand is what a task needs from an instance.
type demand struct {
	cpu, mem  int
	eni       bool
	providers []string     // allowed capacity providers; empty: any instance
	memberOf  []query.Expr // memberOf constraints (task definition's and the caller's)
	distinct  string       // distinctInstance: no other live task of this group there
}

// Placement constraint failures, in ECS's words.
const (
	reasonMemberOf = "MemberOf placement constraint unsatisfied."
	reasonDistinct = "DistinctInstance placement constraint unsatisfied."
)

// unsatisfied returns the placement constraint ci fails, or "" (Amazon ECS
// task placement constraints: distinctInstance places each task of a group
// on a different container instance, memberOf restricts placement to the
// instances its cluster query matches;
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html).
func (d demand) unsatisfied(ci *ContainerInstance) string {
	if d.distinct != "" {
		for _, t := range ci.tasks {
			if t.live() && t.Group == d.distinct {
				return reasonDistinct
			}
		}
	}
	for _, e := range d.memberOf {
		if !e.Match(ciQuery{ci}) {
			return reasonMemberOf
		}
	}
	return ""
}

func (d demand) fits(ci *ContainerInstance) bool {
	return ci.cpuFree >= d.cpu && ci.memFree >= d.mem && (!d.eni || ci.enisUsed < ci.enisMax) && d.providerOK(ci)
}

func (d demand) providerOK(ci *ContainerInstance) bool {
	if len(d.providers) == 0 {
		return true
	}
	for _, p := range d.providers {
		if p == ci.CapacityProviderName {
			return true
		}
	}
	return false
}

// spreader counts tasks per AZ and per instance for spread strategies.
type spreader struct {
	az map[string]int
	ci map[*ContainerInstance]int
}

// choose picks an instance for d following the placement strategies, or
// returns nil and the reason nothing fits ("RESOURCE:MEMORY",
// "RESOURCE:CPU", "RESOURCE:ENI", or "" when there is no candidate at all).
func (s *Service) choose(c *cluster, d demand, strategies []PlacementStrategy, sp spreader) (*ContainerInstance, string) {
	if isDefaultStrategy(strategies) {
		return s.chooseDefault(c, d, sp)
	}
	var best *ContainerInstance
	var bestKey []int
	seen := false
	reason, unsatisfied := "RESOURCE:MEMORY", ""
	for _, az := range c.azs {
		for _, ci := range c.pools[az].cis {
			if !d.providerOK(ci) {
				continue
			}
			seen = true
			if !d.fits(ci) {
				reason = worse(reason, d, ci)
				continue
			}
			if r := d.unsatisfied(ci); r != "" {
				unsatisfied = r
				continue
			}
			key := make([]int, len(strategies))
			for i, st := range strategies {
				switch {
				case st.Type == "random":
					key[i] = s.env.Rand().IntN(1 << 30)
				case st.Type == "spread" && st.Field == "attribute:ecs.availability-zone":
					key[i] = sp.az[az]
				case st.Type == "spread":
					key[i] = sp.ci[ci]
				case st.Type == "binpack" && st.Field == "cpu":
					key[i] = ci.cpuFree
				case st.Type == "binpack":
					key[i] = ci.memFree
				}
			}
			if best == nil || keyLess(key, bestKey, ci, best) {
				best, bestKey = ci, key
			}
		}
	}
	if best != nil {
		return best, ""
	}
	if !seen {
		return nil, ""
	}
	if unsatisfied != "" {
		return nil, unsatisfied
	}
	return nil, reason
}

func keyLess(a, b []int, x, y *ContainerInstance) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return x.seq < y.seq
}

// worse refines the failure reason: memory first, then CPU, then ENIs.
func worse(reason string, d demand, ci *ContainerInstance) string {
	if ci.memFree >= d.mem {
		if ci.cpuFree < d.cpu {
			return "RESOURCE:CPU"
		}
		return "RESOURCE:ENI"
	}
	return reason
}

func isDefaultStrategy(st []PlacementStrategy) bool {
	return len(st) == 0 || len(st) == 2 &&
		st[0] == PlacementStrategy{Type: "spread", Field: "attribute:ecs.availability-zone"} &&
		st[1] == PlacementStrategy{Type: "binpack", Field: "memory"}
}

// chooseDefault is spread(AZ) then binpack(memory): AZs in order of fewest
// tasks, and in each the instance with least remaining memory that fits.
func (s *Service) chooseDefault(c *cluster, d demand, sp spreader) (*ContainerInstance, string) {
	azs := append(make([]string, 0, len(c.azs)), c.azs...)
	sort.SliceStable(azs, func(i, j int) bool { return sp.az[azs[i]] < sp.az[azs[j]] })
	seen := false
	reason, unsatisfied := "RESOURCE:MEMORY", ""
	for _, az := range azs {
		cis := c.pools[az].cis
		if len(cis) > 0 {
			seen = true
		}
		i := sort.Search(len(cis), func(i int) bool { return cis[i].poolMem >= d.mem })
		if i < len(cis) {
			reason = worse(reason, d, cis[len(cis)-1])
		}
		for _, ci := range cis[i:] {
			if !d.fits(ci) {
				continue
			}
			if r := d.unsatisfied(ci); r != "" {
				unsatisfied = r
				continue
			}
			return ci, ""
		}
	}
	if !seen {
		return nil, ""
	}
	if unsatisfied != "" {
		return nil, unsatisfied
	}
	return nil, reason
}

// validStrategies checks placement strategies as ECS does.
func validStrategies(st []PlacementStrategy) error {
	if len(st) > 5 {
		return invalid("The maximum number of placement strategies is 5.")
	}
	for _, p := range st {
		switch p.Type {
		case "random":
		case "spread":
			if p.Field == "" {
				return invalid("Placement strategy of type 'spread' requires a field.")
			}
		case "binpack":
			if p.Field != "cpu" && p.Field != "memory" {
				return invalid("Invalid field for binpack placement strategy: '%s'. Valid values are cpu and memory.", p.Field)
			}
		default:
			return invalid("Invalid placement strategy type: '%s'. Valid values are random, spread and binpack.", p.Type)
		}
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
