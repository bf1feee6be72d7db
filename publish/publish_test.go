package publish

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
)

var epoch = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

type fakeEvents struct {
	mu    sync.Mutex
	calls int
	got   []cloud.Event
	err   error
}

func (f *fakeEvents) PutEvents(ctx context.Context, evs []cloud.Event) ([]cloud.Failure, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	f.got = append(f.got, evs...)
	var fails []cloud.Failure
	for i, ev := range evs {
		if ev.DetailType == "refused" {
			fails = append(fails, cloud.Failure{ID: string(rune('0' + i)), Code: "InternalFailure"})
		}
	}
	return fails, nil
}

type outcomes struct {
	mu sync.Mutex
	n  map[string]int
}

func (o *outcomes) count(s string) { o.mu.Lock(); o.n[s]++; o.mu.Unlock() }

// TestPublisherSendsAsEventsCome runs the publisher on a virtual clock:
// each event is sent the instant it is published, ten a call at most.
func TestPublisherSendsAsEventsCome(t *testing.T) {
	v := clock.NewVirtual(epoch)
	f := &fakeEvents{}
	o := &outcomes{n: map[string]int{}}
	p := New(Options{Events: f, Bus: "ops", Clock: v, Count: o.count})
	ctx, cancel := context.WithCancel(context.Background())
	clock.Go(ctx, v, p.Run)
	v.AfterFunc(time.Minute, func() {
		for range 12 {
			p.Publish(drain.Event{Type: drain.EventStarted, InstanceID: "i-1", Cluster: "demo", Reason: drain.ReasonOperator, Phase: drain.PhaseGraceful})
		}
	})
	v.RunFor(2 * time.Minute)
	if len(f.got) != 12 || f.calls != 2 || o.n["published"] != 12 {
		t.Fatalf("published %d events in %d calls, counted %v; want 12 in 2", len(f.got), f.calls, o.n)
	}
	ev := f.got[0]
	var d Detail
	if err := json.Unmarshal([]byte(ev.Detail), &d); err != nil {
		t.Fatal(err)
	}
	if ev.Source != "drainer" || ev.DetailType != "Drain Started" || ev.Bus != "ops" || d.InstanceID != "i-1" || d.Reason != "operator" || d.Phase != "graceful" {
		t.Errorf("event = %+v, detail %+v", ev, d)
	}
	cancel()
	v.Settle()
	if n := v.Goroutines(); n != 0 {
		t.Fatalf("Run still running after its context ended (%d goroutines)", n)
	}
}

func TestPublisherNeverBlocksAndCountsFailures(t *testing.T) {
	f := &fakeEvents{err: errors.New("AccessDenied")}
	o := &outcomes{n: map[string]int{}}
	p := New(Options{Events: f, Logger: slog.New(slog.DiscardHandler), Count: o.count})
	// Nothing sends yet: the buffer fills and the rest is dropped.
	for range Buffer + 3 {
		p.Publish(drain.Event{Type: drain.EventPhaseChanged})
	}
	if o.n["dropped"] != 3 {
		t.Fatalf("dropped %d, want 3", o.n["dropped"])
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Run then sends what is queued and returns.
	p.Run(ctx)
	if o.n["failed"] != Buffer || o.n["published"] != 0 {
		t.Errorf("counts %v, want %d failed", o.n, Buffer)
	}
}

func TestPublisherCountsRefusedEntries(t *testing.T) {
	f := &fakeEvents{}
	o := &outcomes{n: map[string]int{}}
	p := New(Options{Events: f, Count: o.count})
	p.Publish(drain.Event{Type: "Drain Started"})
	p.Publish(drain.Event{Type: "refused"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p.Run(ctx)
	if o.n["published"] != 1 || o.n["failed"] != 1 {
		t.Errorf("counts %v, want 1 published and 1 failed", o.n)
	}
}
