package drain

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Budget limits how many instances of one Auto Scaling group voluntary
// drains (idle, TTL, operator, rebalance) may hold at once: a count, or a
// percentage of the group's desired capacity. Involuntary drains (lifecycle
// actions, Spot) are never delayed by it, but they use it up.
type Budget struct {
	Count   int
	Percent int // used when Count is 0
}

// ParseBudget reads "2" or "10%". A budget always allows at least one
// drain, so that a small group still drains.
func ParseBudget(s string) (Budget, error) {
	s = strings.TrimSpace(s)
	if p, ok := strings.CutSuffix(s, "%"); ok {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100 {
			return Budget{}, fmt.Errorf("disruption budget %q: want a percentage from 1%% to 100%%", s)
		}
		return Budget{Percent: n}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return Budget{}, fmt.Errorf("disruption budget %q: want a count of at least 1 or a percentage such as 10%%", s)
	}
	return Budget{Count: n}, nil
}

func (b Budget) String() string {
	if b.Count > 0 {
		return strconv.Itoa(b.Count)
	}
	return strconv.Itoa(b.Percent) + "%"
}

// Limit is how many instances of a group of size desired may be draining
// at once (rounded down, at least one).
func (b Budget) Limit(desired int) int {
	n := b.Count
	if n == 0 {
		n = desired * b.Percent / 100
	}
	return max(n, 1)
}

// Allows reports whether one more voluntary drain may start in a group of
// size desired where draining instances are already draining (for any
// reason).
func (b Budget) Allows(desired, draining int) bool { return draining < b.Limit(desired) }

// ErrOverBudget means a voluntary drain must wait: its group already has as
// many instances draining as its disruption budget allows.
var ErrOverBudget = errors.New("held by the disruption budget")

// Disrupted says whether one instance of a group uses up the group's
// disruption budget, by what AWS shows of it — so that two drainers, or a
// drainer and a restarted one, count alike: Auto Scaling is terminating
// it (lifecycle state Terminating, Terminating:Wait, Terminating:Proceed…),
// or its container instance is DRAINING. A drain drainer has just started
// counts too (drainer) until ECS shows it DRAINING.
func Disrupted(lifecycleState string, containerInstanceDraining, drainer bool) bool {
	return strings.HasPrefix(lifecycleState, "Terminating") || containerInstanceDraining || drainer
}
