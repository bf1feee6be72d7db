package sim

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/drain"
)

// TestOperatorDrainsWaitForTheBudget: with a budget of one drain per group,
// an operator's second drain is refused while the first runs, and accepted
// once it has finished; a forced deregistration never waits.
func TestOperatorDrainsWaitForTheBudget(t *testing.T) {
	h := story(t, 0)
	h.RunFor(5 * time.Minute)
	// The harness's controller, with the default budget of 1.
	startVoluntary := func(id string, tr drain.Trigger) error {
		return h.Do(func(ctx context.Context) error { return h.Controller.StartVoluntary(ctx, id, tr) })
	}

	var ids []string
	for id, state := range groupStates(h) {
		if state == "InService" {
			ids = append(ids, id)
		}
	}
	if len(ids) < 3 {
		t.Fatalf("need 3 InService instances, have %v", ids)
	}
	first, second, third := ids[0], ids[1], ids[2]
	if err := startVoluntary(first, drain.Trigger{Reason: drain.ReasonOperator, Graceful: 10 * time.Minute}); err != nil {
		t.Fatalf("first operator drain: %v", err)
	}
	err := startVoluntary(second, drain.Trigger{Reason: drain.ReasonOperator, Graceful: 10 * time.Minute})
	if !errors.Is(err, drain.ErrOverBudget) {
		t.Fatalf("second operator drain while the first runs: %v, want ErrOverBudget", err)
	}
	if !strings.Contains(err.Error(), "("+first+")") {
		t.Errorf("refusal %q does not name the drain that holds the budget, %s", err, first)
	}
	if err := startVoluntary(third, drain.Trigger{Reason: drain.ReasonForced}); err != nil {
		t.Fatalf("a forced deregistration waited for the budget: %v", err)
	}

	// Once both drains are over (and their instances gone), the group has
	// room again.
	h.RunUntil(h.World.Now().Add(time.Hour), func() bool { return len(events(h, drain.EventCompleted)) == 2 })
	h.RunFor(10 * time.Minute)
	if err := startVoluntary(second, drain.Trigger{Reason: drain.ReasonOperator, Graceful: 10 * time.Minute}); err != nil {
		t.Fatalf("second operator drain after the first finished: %v", err)
	}
	h.RunUntil(h.World.Now().Add(time.Hour), func() bool { return len(events(h, drain.EventCompleted)) == 3 })
	h.RunFor(10 * time.Minute)
	checkClean(t, h)
}
