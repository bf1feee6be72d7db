package scenario

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ECSManaged returns the world of sc with ECS's own managed instance
// draining in the place of drainer: the same clusters, groups, services,
// jobs, faults and timeline, with
//
//   - every group wired to an Auto Scaling group capacity provider of its
//     cluster with managed draining on (ECS then puts its termination hook,
//     ecs-managed-draining-termination-hook, on the group). A group that
//     has a capacity provider keeps it, its name and its managed
//     termination protection; a group without one gets "cp-GROUP" (its
//     name with what ECS refuses in a capacity provider's name replaced by
//     hyphens, made unique with "-2", "-3", …), without managed
//     termination protection, which would change which instances a
//     scale-in picks;
//   - ECS itself keeping scale-in protection where managed termination
//     protection is on (ECSProtects), as no drainer's protection scan
//     stands in for it;
//   - the termination hooks named in drainerHooks (drainer's --hook)
//     removed from every group, and the scenario's drainer settings
//     dropped: no drainer plays.
//
// Hooks of other names (another team's) stay. The queues and rules stay
// too, with nobody reading them. sc is not changed; the result shares
// with it the slices it does not change (groups are copied).
//
// The error says why the result is no world ECS could drain: sc has no
// Auto Scaling group (managed draining acts through a group's capacity
// provider), or the result does not validate.
//
// Source: "Safely stop Amazon ECS workloads running on EC2 instances"
// (managed instance draining, on by default for a new capacity provider)
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instance-draining.html
// and "Configuring Amazon ECS capacity providers to safely shut down
// instances"
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/enable-managed-instance-draining.html;
// capacity provider names: CreateCapacityProvider
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCapacityProvider.html.
func ECSManaged(sc Scenario, drainerHooks []string) (Scenario, error) {
	if len(sc.Groups) == 0 {
		return Scenario{}, fmt.Errorf("scenario %s with ECS's managed draining: no Auto Scaling group (ECS drains the instances of a group through its capacity provider)", sc.Name)
	}
	taken := map[string]bool{}
	for _, g := range sc.Groups {
		if g.CapacityProvider != nil {
			taken[g.CapacityProvider.Name] = true
		}
	}
	out := sc
	out.Drainer = nil
	out.Groups = make([]Group, len(sc.Groups))
	for i, g := range sc.Groups {
		g.Hooks = slices.DeleteFunc(slices.Clone(g.Hooks), func(h Hook) bool {
			return h.Transition != "launching" && slices.Contains(drainerHooks, h.Name)
		})
		var cp CapacityProvider
		if g.CapacityProvider != nil {
			cp = *g.CapacityProvider
		} else {
			cp.Name = providerName(g.Name, taken)
			taken[cp.Name] = true
		}
		cp.ManagedDraining = true
		cp.ECSProtects = cp.ManagedTerminationProtection
		g.CapacityProvider = &cp
		out.Groups[i] = g
	}
	if err := out.Validate(); err != nil {
		return Scenario{}, fmt.Errorf("scenario %s with ECS's managed draining: %w", sc.Name, err)
	}
	return out, nil
}

// maxProviderName is the longest capacity provider name ECS accepts.
const maxProviderName = 255

// providerName is the capacity provider name ECSManaged gives a group
// without one: "cp-" and the group's name with every character ECS
// refuses in the name (anything but letters, digits, hyphens and
// underscores) as a hyphen, at most maxProviderName long, made unique
// among taken with a numbered suffix. The "cp-" prefix keeps clear of the
// prefixes ECS reserves (aws, ecs, fargate).
func providerName(group string, taken map[string]bool) string {
	var b strings.Builder
	b.WriteString("cp-")
	for _, r := range group {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	base := b.String()
	if len(base) > maxProviderName {
		base = base[:maxProviderName]
	}
	name := base
	for n := 2; taken[name]; n++ {
		suffix := "-" + strconv.Itoa(n)
		name = base[:min(len(base), maxProviderName-len(suffix))] + suffix
	}
	return name
}
