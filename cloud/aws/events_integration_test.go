package aws_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/cloud"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
)

// TestPutEventsReachTheQueue publishes twelve drain events (two calls of
// ten); the scenario's rule routes source "drainer" to the queue.
func TestPutEventsReachTheQueue(t *testing.T) {
	w := world(t, demoWorld)
	var logs bytes.Buffer
	c := client(t, w, cloudaws.Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	ctx := ctxT(t)

	var events []cloud.Event
	for i := range 12 {
		events = append(events, cloud.Event{
			DetailType: "Drain Started",
			Detail:     fmt.Sprintf(`{"instance":"i-%d"}`, i),
			Resources:  []string{fmt.Sprintf("i-%d", i)},
			Time:       w.Now(),
		})
	}
	failures, err := c.PutEvents(ctx, events)
	noErr(t, err)
	if len(failures) != 0 {
		t.Fatalf("PutEvents failures %+v", failures)
	}
	if n := count(w, "events", "PutEvents"); n != 2 {
		t.Errorf("PutEvents called %d times for 12 events, want 2", n)
	}
	if n := strings.Count(logs.String(), "service=events operation=PutEvents"); n != 2 {
		t.Errorf("%d debug lines for PutEvents, want 2:\n%s", n, logs.String())
	}

	url, err := c.QueueURL(ctx, "drainer")
	noErr(t, err)
	seen := map[string]bool{}
	for range 5 {
		msgs, err := c.ReceiveMessages(ctx, url, cloud.ReceiveOptions{})
		noErr(t, err)
		var handles []string
		for _, m := range msgs {
			var env struct {
				Source     string `json:"source"`
				DetailType string `json:"detail-type"`
				Detail     struct{ Instance string }
			}
			noErr(t, json.Unmarshal([]byte(m.Body), &env))
			if env.Source == cloud.EventSource && env.DetailType == "Drain Started" {
				seen[env.Detail.Instance] = true
			}
			handles = append(handles, m.ReceiptHandle)
		}
		_, err = c.DeleteMessages(ctx, url, handles)
		noErr(t, err)
	}
	if len(seen) != 12 {
		t.Fatalf("%d distinct drain events reached the queue, want 12", len(seen))
	}
}

// TestVisibilityAndLongPoll: a long poll waits in virtual time and holds
// no rate-limit token while it waits; a message made visible again comes
// back at once.
func TestVisibilityAndLongPoll(t *testing.T) {
	w := world(t, demoWorld)
	c := client(t, w, cloudaws.Options{})
	ctx := ctxT(t)
	url, err := c.QueueURL(ctx, "drainer")
	noErr(t, err)
	_, err = c.PutEvents(ctx, []cloud.Event{{DetailType: "Drain Started", Detail: `{}`}})
	noErr(t, err)

	msgs, err := c.ReceiveMessages(ctx, url, cloud.ReceiveOptions{Max: 1, Visibility: time.Hour})
	noErr(t, err)
	if len(msgs) != 1 {
		t.Fatalf("received %d, want 1", len(msgs))
	}
	noErr(t, c.ChangeMessageVisibility(ctx, url, msgs[0].ReceiptHandle, 0))
	again, err := c.ReceiveMessages(ctx, url, cloud.ReceiveOptions{Max: 1})
	noErr(t, err)
	if len(again) != 1 || again[0].ID != msgs[0].ID || again[0].ReceiveCount != 2 {
		t.Fatalf("after visibility 0: %+v", again)
	}
	// Empty the queue (the hook's test notification is there too).
	for {
		msgs, err := c.ReceiveMessages(ctx, url, cloud.ReceiveOptions{})
		noErr(t, err)
		if len(msgs) == 0 {
			break
		}
		for _, m := range msgs {
			_, err = c.DeleteMessages(ctx, url, []string{m.ReceiptHandle})
			noErr(t, err)
		}
	}

	// An empty queue: the poll waits its 20 virtual seconds. With SQS
	// limited to one call a second, a second call made meanwhile still
	// goes through long before the poll ends.
	limited := client(t, w, cloudaws.Options{Limits: cloudaws.Limits{
		SQS: cloudaws.Limit{Rate: 1, Burst: 1}, ECS: fast, AutoScaling: fast, EC2: fast, Events: fast,
	}})
	// Both calls run as goroutines of the world's clock: the poll waits in
	// virtual time, and nothing but the clock's own goroutines moves it.
	start := w.Now()
	var pollErr error
	var during, end time.Time
	clock.Go(ctx, w.Clock, func(ctx context.Context) {
		msgs, err := limited.ReceiveMessages(ctx, url, cloud.ReceiveOptions{Wait: 20 * time.Second})
		if err == nil && len(msgs) > 0 {
			err = fmt.Errorf("received %d from an empty queue", len(msgs))
		}
		pollErr, end = err, w.Now()
	})
	clock.Go(ctx, w.Clock, func(ctx context.Context) {
		_, err := limited.QueueURL(ctx, "drainer")
		noErr(t, err)
		during = w.Now()
	})
	w.Clock.RunFor(time.Minute)
	noErr(t, pollErr)
	if waited := end.Sub(start); waited != 20*time.Second {
		t.Errorf("long poll returned after %v of virtual time, want 20s", waited)
	}
	if during.IsZero() || during.Sub(start) >= 20*time.Second {
		t.Errorf("a call during the long poll came back at +%v: the poll held the limit", during.Sub(start))
	}
}

var fast = cloudaws.Limit{Rate: 1e6, Burst: 1e6}
