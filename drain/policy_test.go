package drain

import (
	"testing"
	"time"
)

func TestPlanDeadlines(t *testing.T) {
	p := DefaultPolicy()
	tests := []struct {
		name            string
		trigger         Trigger
		graceful, hard  time.Duration
		group, hookName string
	}{
		{"lifecycle, 15 min heartbeat: hook's global timeout 25 h bounds both",
			Trigger{Reason: ReasonLifecycle, Group: "g", Hook: "h", Token: "t", HookGlobalTimeout: 25 * time.Hour},
			25*time.Hour - time.Minute - 5*time.Minute, 25*time.Hour - time.Minute, "g", "h"},
		{"lifecycle, 2 h heartbeat: the 48 h global timeout",
			Trigger{Reason: ReasonLifecycle, Group: "g", Hook: "h", Token: "t", HookGlobalTimeout: 48 * time.Hour},
			48*time.Hour - 6*time.Minute, 48*time.Hour - time.Minute, "g", "h"},
		{"lifecycle, 30 s heartbeat: 50 min global timeout",
			Trigger{Reason: ReasonLifecycle, Group: "g", Hook: "h", Token: "t", HookGlobalTimeout: 50 * time.Minute},
			44 * time.Minute, 49 * time.Minute, "g", "h"},
		{"spot: the instance dies 120 s after the warning", Trigger{Reason: ReasonSpot}, 80 * time.Second, 120 * time.Second, "", ""},
		{"idle: one hour", Trigger{Reason: ReasonIdle}, time.Hour, time.Hour + 5*time.Minute, "", ""},
		{"ttl: 48 h graceful, 7 days hard", Trigger{Reason: ReasonTTL}, 48 * time.Hour, 7 * 24 * time.Hour, "", ""},
		{"operator with --deadline 10m", Trigger{Reason: ReasonOperator, Graceful: 10 * time.Minute}, 10 * time.Minute, 15 * time.Minute, "", ""},
		{"operator asking for more than ECS's DRAINING limit", Trigger{Reason: ReasonOperator, Graceful: 100 * time.Hour}, 48 * time.Hour, 48*time.Hour + 5*time.Minute, "", ""},
		{"forced: no graceful phase, the hard stop at once", Trigger{Reason: ReasonForced}, 0, 5 * time.Minute, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.trigger.At = t0
			r := p.Plan(tt.trigger)
			if err := r.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := r.GracefulUntil.Sub(t0); got != tt.graceful {
				t.Errorf("graceful until +%v, want +%v", got, tt.graceful)
			}
			if got := r.Deadline.Sub(t0); got != tt.hard {
				t.Errorf("hard deadline +%v, want +%v", got, tt.hard)
			}
			if r.Group != tt.group || r.Hook != tt.hookName || !r.Started.Equal(t0) {
				t.Errorf("record = %+v", r)
			}
		})
	}
}

func TestMergeKeepsTheEarliestDeadlinesAndTheLifecycleAction(t *testing.T) {
	p := DefaultPolicy()
	spot := p.Plan(Trigger{Reason: ReasonSpot, At: t0})
	hook := p.Plan(Trigger{Reason: ReasonLifecycle, At: t0.Add(time.Second), Group: "g", Hook: "h", Token: "t", HookGlobalTimeout: 25 * time.Hour})
	for _, m := range []Record{Merge(spot, hook), Merge(hook, spot)} {
		if !m.Deadline.Equal(spot.Deadline) || !m.GracefulUntil.Equal(spot.GracefulUntil) || m.Reason != ReasonSpot {
			t.Errorf("merged = %+v: want the Spot deadlines and reason", m)
		}
		if m.Hook != "h" || m.Token != "t" || m.Group != "g" {
			t.Errorf("merged = %+v: lost the lifecycle action", m)
		}
		if !m.Started.Equal(t0) {
			t.Errorf("merged start %v, want the earliest", m.Started)
		}
		if err := m.Validate(); err != nil {
			t.Error(err)
		}
	}
	if again := Merge(hook, hook); again != hook {
		t.Errorf("merging a redelivered trigger changed the drain: %+v", again)
	}
}

func TestParseStandalone(t *testing.T) {
	for _, s := range []string{"wait", "stop-at-deadline", "stop"} {
		if _, err := ParseStandalone(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	if _, err := ParseStandalone("later"); err == nil {
		t.Error("accepted an unknown policy")
	}
}

func TestTriggerTimeDistrustsImplausibleTimes(t *testing.T) {
	p := DefaultPolicy()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		t    Trigger
		want time.Time
	}{
		{"lifecycle action a minute old", Trigger{Reason: ReasonLifecycle, At: now.Add(-time.Minute), HookGlobalTimeout: 100 * time.Minute}, now.Add(-time.Minute)},
		{"at the hook's global timeout", Trigger{Reason: ReasonLifecycle, At: now.Add(-100 * time.Minute), HookGlobalTimeout: 100 * time.Minute}, now.Add(-100 * time.Minute)},
		{"older than the hook can hold it", Trigger{Reason: ReasonLifecycle, At: now.Add(-101 * time.Minute), HookGlobalTimeout: 100 * time.Minute}, now},
		{"8 days old, hook unknown", Trigger{Reason: ReasonLifecycle, At: now.Add(-8 * 24 * time.Hour)}, now},
		{"two days old, hook unknown", Trigger{Reason: ReasonLifecycle, At: now.Add(-47 * time.Hour)}, now.Add(-47 * time.Hour)},
		{"from the future", Trigger{Reason: ReasonLifecycle, At: now.Add(4 * time.Minute), HookGlobalTimeout: time.Hour}, now},
		{"no time at all", Trigger{Reason: ReasonOperator}, now},
		{"Spot warning a minute old", Trigger{Reason: ReasonSpot, At: now.Add(-time.Minute)}, now.Add(-time.Minute)},
		{"Spot warning past its two minutes", Trigger{Reason: ReasonSpot, At: now.Add(-3 * time.Minute)}, now},
		{"rebalance an hour old: counts from now", Trigger{Reason: ReasonRebalance, At: now.Add(-time.Hour)}, now},
		{"operator request", Trigger{Reason: ReasonOperator, At: now.Add(-time.Second)}, now},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := p.TriggerTime(c.t, now); !got.Equal(c.want) {
				t.Fatalf("TriggerTime = %v, want %v", got, c.want)
			}
			// No drain starts in the future; one replaced by now gets its whole time.
			tr := c.t
			tr.At = p.TriggerTime(c.t, now)
			r := p.Plan(tr)
			if r.Started.After(now) || (tr.At.Equal(now) && !r.Deadline.After(now)) {
				t.Fatalf("plan %+v from a trigger at %v", r, tr.At)
			}
		})
	}
}
