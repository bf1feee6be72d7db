package lambdafn

import (
	"testing"
	"time"
)

func TestBudget(t *testing.T) {
	for _, tc := range []struct {
		remaining, reserve, period, want time.Duration
	}{
		{60 * time.Second, 10 * time.Second, time.Minute, 50 * time.Second},
		{15 * time.Minute, 10 * time.Second, time.Minute, 50 * time.Second}, // never past the next round
		{30 * time.Second, 10 * time.Second, time.Minute, 20 * time.Second},
		{10 * time.Second, 10 * time.Second, time.Minute, 0},
		{3 * time.Second, 10 * time.Second, time.Minute, -7 * time.Second},
		{-time.Second, 10 * time.Second, time.Minute, -11 * time.Second}, // past its deadline
	} {
		if got := Budget(tc.remaining, tc.reserve, tc.period); got != tc.want {
			t.Errorf("Budget(%v, %v, %v) = %v, want %v", tc.remaining, tc.reserve, tc.period, got, tc.want)
		}
	}
}

func TestScanDue(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name             string
		last, now        time.Time
		interval, period time.Duration
		want             bool
	}{
		{"never scanned", time.Time{}, t0, time.Minute, time.Minute, true},
		{"scans off", time.Time{}, t0, 0, time.Minute, false},
		{"every round: a round a little early", t0, t0.Add(58 * time.Second), time.Minute, time.Minute, true},
		{"every round: twice in one round's time", t0, t0.Add(20 * time.Second), time.Minute, time.Minute, false},
		{"every 5 minutes: 4 rounds later", t0, t0.Add(4 * time.Minute), 5 * time.Minute, time.Minute, false},
		{"every 5 minutes: 5 rounds later, a little early", t0, t0.Add(4*time.Minute + 50*time.Second), 5 * time.Minute, time.Minute, true},
		{"clock went back", t0, t0.Add(-time.Minute), time.Minute, time.Minute, false},
	} {
		if got := ScanDue(tc.last, tc.now, tc.interval, tc.period); got != tc.want {
			t.Errorf("%s: ScanDue = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestHeartbeatsKeptAcrossRounds plays the timing notes of timing.go:
// a heartbeat is sent at a round when it falls due within Ahead, then
// falls due again half the hook's timeout later; rounds come every period
// but one is lost now and then. For every timeout of at least
// MinHeartbeatTimeout the action never lapses; for a shorter one it does.
func TestHeartbeatsKeptAcrossRounds(t *testing.T) {
	const period = time.Minute
	lapses := func(timeout time.Duration, lost func(round int) bool) bool {
		var expiry, due time.Duration = timeout, timeout / 2 // the action starts at 0, its first heartbeat due at T/2
		for round := 1; round <= 600; round++ {
			now := time.Duration(round) * period
			if now >= expiry {
				return true
			}
			if lost(round) {
				continue
			}
			if due <= now+Ahead(period) {
				expiry, due = now+timeout, now+timeout/2
			}
		}
		return false
	}
	everyThird := func(round int) bool { return round%3 == 0 }
	for _, timeout := range []time.Duration{MinHeartbeatTimeout(period), 4 * time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 2 * time.Hour} {
		if lapses(timeout, everyThird) {
			t.Errorf("heartbeat timeout %v: the action lapsed with a round in three lost", timeout)
		}
	}
	if !lapses(2*period, func(round int) bool { return round == 5 }) {
		t.Errorf("heartbeat timeout %v survived a lost round: MinHeartbeatTimeout is not the least", 2*period)
	}
}

func TestHookMarginCoversLateLooks(t *testing.T) {
	// A look due at a deadline comes up to a period late, two with a lost
	// round; drainer run's minute stays on top.
	if got := HookMargin(time.Minute); got != 3*time.Minute {
		t.Errorf("HookMargin(1m) = %v, want 3m", got)
	}
	if got := Ahead(time.Minute); got != 2*time.Minute {
		t.Errorf("Ahead(1m) = %v, want 2m", got)
	}
}

func TestMaxTakeUpGrace(t *testing.T) {
	for _, tc := range []struct {
		period, reserve, want time.Duration
	}{
		{time.Minute, 10 * time.Second, 40 * time.Second},
		{2 * time.Minute, 10 * time.Second, 100 * time.Second},
		{time.Minute, 50 * time.Second, 0},
		{time.Minute, 55 * time.Second, -5 * time.Second},
	} {
		if got := MaxTakeUpGrace(tc.period, tc.reserve); got != tc.want {
			t.Errorf("MaxTakeUpGrace(%v, %v) = %v, want %v", tc.period, tc.reserve, got, tc.want)
		}
	}
}
