package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"testing"

	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
)

type fakeEvents struct {
	mu    sync.Mutex
	got   []cloud.Event
	err   error
	block chan struct{}
}

func (f *fakeEvents) PutEvents(ctx context.Context, evs []cloud.Event) ([]cloud.Failure, error) {
	if f.block != nil {
		<-f.block
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	f.got = append(f.got, evs...)
	return nil, nil
}

type outcomes struct {
	mu sync.Mutex
	n  map[string]int
}

func (o *outcomes) count(s string) { o.mu.Lock(); o.n[s]++; o.mu.Unlock() }

func TestPublisherSendsDrainEvents(t *testing.T) {
	f := &fakeEvents{}
	o := &outcomes{n: map[string]int{}}
	p := newPublisher(f, "ops", slog.New(slog.DiscardHandler), o.count)
	for i := 0; i < 12; i++ {
		p.Publish(drain.Event{Type: drain.EventStarted, InstanceID: "i-1", Cluster: "demo", Reason: drain.ReasonOperator, Phase: drain.PhaseGraceful})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Run then sends what is queued and returns.
	p.Run(ctx)
	if len(f.got) != 12 || o.n["published"] != 12 {
		t.Fatalf("published %d events, counted %v; want 12", len(f.got), o.n)
	}
	ev := f.got[0]
	var d eventDetail
	if err := json.Unmarshal([]byte(ev.Detail), &d); err != nil {
		t.Fatal(err)
	}
	if ev.Source != "drainer" || ev.DetailType != "Drain Started" || ev.Bus != "ops" || d.InstanceID != "i-1" || d.Reason != "operator" || d.Phase != "graceful" {
		t.Errorf("event = %+v, detail %+v", ev, d)
	}
}

func TestPublisherNeverBlocksAndCountsFailures(t *testing.T) {
	f := &fakeEvents{err: errors.New("AccessDenied")}
	o := &outcomes{n: map[string]int{}}
	p := newPublisher(f, "", slog.New(slog.DiscardHandler), o.count)
	// Nothing sends yet: the buffer fills and the rest is dropped.
	for i := 0; i < publishBuffer+3; i++ {
		p.Publish(drain.Event{Type: drain.EventPhaseChanged})
	}
	if o.n["dropped"] != 3 {
		t.Fatalf("dropped %d, want 3", o.n["dropped"])
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p.Run(ctx)
	if o.n["failed"] != publishBuffer || o.n["published"] != 0 {
		t.Errorf("counts %v, want %d failed", o.n, publishBuffer)
	}
}
