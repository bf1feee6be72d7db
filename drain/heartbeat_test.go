package drain

import (
	"testing"
	"time"
)

func TestNextHeartbeat(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		last    time.Time
		timeout time.Duration
		want    time.Time
	}{
		{"never extended: at once", time.Time{}, 15 * time.Minute, t0},
		{"unknown timeout: at once", t0.Add(-time.Minute), 0, t0},
		{"at half the timeout after the last", t0.Add(-time.Minute), 15 * time.Minute, t0.Add(-time.Minute + 450*time.Second)},
		{"overdue: its due time is past, so at once", t0.Add(-20 * time.Minute), 15 * time.Minute, t0.Add(-20*time.Minute + 450*time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NextHeartbeat(tt.last, tt.timeout, t0); !got.Equal(tt.want) {
				t.Fatalf("NextHeartbeat = %s, want %s", got.Sub(t0), tt.want.Sub(t0))
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		failures  int
		throttled bool
		u         float64
		want      time.Duration
	}{
		{1, false, 0, time.Second},
		{1, false, 0.75, 1750 * time.Millisecond},
		{2, false, 0, 2 * time.Second},
		{3, false, 0.5, 6 * time.Second},
		{1, true, 0, 2500 * time.Millisecond},
		{2, true, 1, 10 * time.Second},
		{10, false, 0, 30 * time.Second}, // capped at a minute
		{10, true, 1, time.Minute},
		{0, false, 0, time.Second}, // read as the first
		{1, false, -3, time.Second},
		{1, false, 7, 2 * time.Second}, // u clamped to [0, 1]
	}
	for _, tt := range tests {
		if got := Backoff(tt.failures, tt.throttled, tt.u); got != tt.want {
			t.Errorf("Backoff(%d, %v, %v) = %s, want %s", tt.failures, tt.throttled, tt.u, got, tt.want)
		}
	}
}

func TestBackoffSpreadsRetries(t *testing.T) {
	// A thousand drains throttled at one instant retry over the whole
	// window, not at one instant.
	seen := map[time.Duration]bool{}
	for i := range 1000 {
		seen[Backoff(1, true, float64(i)/1000).Truncate(100*time.Millisecond)] = true
	}
	if len(seen) < 20 {
		t.Fatalf("retries fall in %d distinct 100 ms slots, want them spread over 2.5 s", len(seen))
	}
}

func TestHeartbeatRetryFitsInTheTimeout(t *testing.T) {
	if got := HeartbeatRetry(10, true, time.Minute, 1); got != 7500*time.Millisecond {
		t.Fatalf("HeartbeatRetry capped at %s, want an eighth of the 1m timeout", got)
	}
	if got := HeartbeatRetry(1, false, 15*time.Minute, 0); got != time.Second {
		t.Fatalf("HeartbeatRetry = %s, want the first backoff", got)
	}
}
