package intake

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
)

// TestHandleBatch: a batch handed in by an SQS event source keeps exactly
// the messages whose handling failed (an error, a panic), and the unknown
// or malformed ones only when told to keep them for the dead-letter
// queue; the handled ones and the recognised ones that need nothing are
// left to be deleted.
func TestHandleBatch(t *testing.T) {
	lifecycle := readSample(t, "lifecycle-direct.json")
	failing := strings.ReplaceAll(lifecycle, "i-0abc1234def567890", "i-0aaaaaaaaaaaaaaa1")
	panicking := strings.ReplaceAll(lifecycle, "i-0abc1234def567890", "i-0aaaaaaaaaaaaaaa2")
	msgs := []Message{
		{ID: "ok", Body: lifecycle},
		{ID: "spot", Body: readSample(t, "spot-interruption.json")},
		{ID: "fails", Body: failing},
		{ID: "test", Body: readSample(t, "test-notification-direct.json")},
		{ID: "not-json", Body: "{not json"},
		{ID: "panics", Body: panicking},
		{ID: "unknown", Body: `{"hello":"world"}`},
	}
	h := func(ctx context.Context, n Notice) error {
		switch n.Instance() {
		case "i-0aaaaaaaaaaaaaaa1":
			return errors.New("AWS said no")
		case "i-0aaaaaaaaaaaaaaa2":
			panic("handler bug")
		}
		return ctx.Err()
	}
	for _, tc := range []struct {
		name          string
		keepMalformed bool
		want          []string
		skipped       map[string]int
	}{
		{"malformed dropped", false, []string{"fails", "panics"}, map[string]int{ReasonTestNotification: 1, ReasonNotJSON: 1, ReasonUnknownShape: 1}},
		{"malformed kept", true, []string{"fails", "not-json", "panics", "unknown"}, map[string]int{ReasonTestNotification: 1, ReasonNotJSON: 1, ReasonUnknownShape: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCounts()
			keep := HandleBatch(t.Context(), msgs, h, Options{Metrics: c.metrics(), KeepMalformed: tc.keepMalformed, Logger: slog.New(slog.DiscardHandler)})
			if !slices.Equal(keep, tc.want) {
				t.Errorf("kept %v, want %v", keep, tc.want)
			}
			if got := c.get(func(c *counts) int { return c.handled[KindLifecycleAction] + c.handled[KindSpotInterruption] }); got != 2 {
				t.Errorf("%d handled, want 2", got)
			}
			if got := c.get(func(c *counts) int { return c.failed[KindLifecycleAction] }); got != 2 {
				t.Errorf("%d failed, want 2 (an error, a panic)", got)
			}
			for reason, n := range tc.skipped {
				if got := c.get(func(c *counts) int { return c.skipped[reason] }); got != n {
					t.Errorf("skipped for %q: %d, want %d", reason, got, n)
				}
			}
		})
	}
}

// TestHandleBatchAfterItsContextEnded keeps every notice: no handler can
// make its effect durable any more.
func TestHandleBatchAfterItsContextEnded(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	msgs := []Message{{ID: "a", Body: readSample(t, "lifecycle-direct.json")}, {ID: "b", Body: readSample(t, "spot-interruption.json")}}
	keep := HandleBatch(ctx, msgs, func(ctx context.Context, n Notice) error { return ctx.Err() }, Options{Logger: slog.New(slog.DiscardHandler)})
	if !slices.Equal(keep, []string{"a", "b"}) {
		t.Fatalf("kept %v, want both", keep)
	}
}
