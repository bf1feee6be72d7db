// Package publish sends drain events to Amazon EventBridge, with source
// "drainer" and the event type as detail-type, so that operators can route
// them (alerts, chat, audit logs) with their own rules.
//
// Publishing never holds up a drain: Publish queues the event and returns;
// a Publisher's Run sends what is queued, ten events a PutEvents call (the
// most EventBridge takes,
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html).
// When the queue is full the event is dropped, logged and counted.
package publish

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
)

// Buffer is how many events wait to be sent before new ones are dropped.
const Buffer = 1024

// maxBatch is the most entries one PutEvents call takes.
const maxBatch = 10

// Events is all a Publisher needs of EventBridge.
type Events interface {
	PutEvents(ctx context.Context, events []cloud.Event) ([]cloud.Failure, error)
}

// Options configure a Publisher; every field but Events is optional.
type Options struct {
	Events Events
	// Bus is the event bus, "" for the account's default bus.
	Bus string
	// Clock is what Run waits on (default the wall clock).
	Clock  clock.Clock
	Logger *slog.Logger
	// Count is told the outcome of each event: "published", "failed" or
	// "dropped".
	Count func(outcome string)
}

// Publisher queues drain events and sends them.
type Publisher struct {
	opts  Options
	mu    sync.Mutex
	queue []drain.Event
	ready *clock.Signal
}

// New returns a Publisher; call Run to send.
func New(opts Options) *Publisher {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Count == nil {
		opts.Count = func(string) {}
	}
	return &Publisher{opts: opts, ready: clock.NewSignal(opts.Clock)}
}

// Detail is the detail of a published drain event.
type Detail struct {
	InstanceID string `json:"instanceId"`
	Cluster    string `json:"cluster"`
	Reason     string `json:"reason"`
	Phase      string `json:"phase"`
	Detail     string `json:"detail,omitempty"`
	Overdue    bool   `json:"overdue,omitempty"`
	// Tasks counts tasks by class: on "Drain Tasks Lost", those lost.
	Tasks map[string]int `json:"tasks,omitempty"`
}

// Publish queues ev for EventBridge; it never blocks.
func (p *Publisher) Publish(ev drain.Event) {
	p.mu.Lock()
	if len(p.queue) >= Buffer {
		p.mu.Unlock()
		p.opts.Count("dropped")
		p.opts.Logger.Warn("drain event not published: the EventBridge buffer is full", "type", ev.Type, "instance", ev.InstanceID)
		return
	}
	p.queue = append(p.queue, ev)
	p.mu.Unlock()
	p.ready.Notify()
}

// Run sends queued events until ctx ends; it then sends what is still
// queued, each call bounded by a few seconds, and returns. Start it with
// clock.Go on the Publisher's clock.
func (p *Publisher) Run(ctx context.Context) {
	for {
		for evs := p.take(); len(evs) > 0; evs = p.take() {
			p.send(ctx, evs)
		}
		if _, err := p.ready.Wait(ctx, time.Time{}); err != nil {
			flush := context.WithoutCancel(ctx)
			for evs := p.take(); len(evs) > 0; evs = p.take() {
				p.send(flush, evs)
			}
			return
		}
	}
}

// take removes up to a batch of events from the queue.
func (p *Publisher) take() []drain.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := min(len(p.queue), maxBatch)
	evs := append([]drain.Event(nil), p.queue[:n]...)
	p.queue = p.queue[n:]
	return evs
}

// Entry is the EventBridge entry of a drain event.
func Entry(ev drain.Event, bus string) cloud.Event {
	detail, _ := json.Marshal(Detail{InstanceID: ev.InstanceID, Cluster: ev.Cluster, Reason: string(ev.Reason), Phase: string(ev.Phase), Detail: ev.Detail, Overdue: ev.Overdue, Tasks: ev.Tasks})
	return cloud.Event{Source: cloud.EventSource, DetailType: ev.Type, Detail: string(detail), Time: ev.Time, Bus: bus}
}

func (p *Publisher) send(ctx context.Context, evs []drain.Event) {
	out := make([]cloud.Event, len(evs))
	for i, ev := range evs {
		out[i] = Entry(ev, p.opts.Bus)
	}
	call, cancel := clock.WithTimeout(ctx, p.opts.Clock, 10*time.Second)
	defer cancel()
	failures, err := p.opts.Events.PutEvents(call, out)
	if err != nil {
		for range evs {
			p.opts.Count("failed")
		}
		p.opts.Logger.Warn("drain events not published to EventBridge", "events", len(evs), "error", err)
		return
	}
	for range len(evs) - len(failures) {
		p.opts.Count("published")
	}
	for _, f := range failures {
		p.opts.Count("failed")
		p.opts.Logger.Warn("EventBridge refused a drain event", "index", f.ID, "code", f.Code, "message", f.Message)
	}
}
