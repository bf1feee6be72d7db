package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
)

// publisher sends drain events to EventBridge in the background: Publish
// never blocks a drain; when the buffer is full the event is dropped,
// logged and counted.
type publisher struct {
	events  eventPutter
	bus     string
	log     *slog.Logger
	count   func(outcome string)
	queue   chan drain.Event
	stopped chan struct{}
}

const publishBuffer = 1024

// eventPutter is all the publisher needs of EventBridge.
type eventPutter interface {
	PutEvents(ctx context.Context, events []cloud.Event) ([]cloud.Failure, error)
}

func newPublisher(events eventPutter, bus string, log *slog.Logger, count func(string)) *publisher {
	return &publisher{events: events, bus: bus, log: log, count: count,
		queue: make(chan drain.Event, publishBuffer), stopped: make(chan struct{})}
}

// eventDetail is the detail of a published drain event.
type eventDetail struct {
	InstanceID string `json:"instanceId"`
	Cluster    string `json:"cluster"`
	Reason     string `json:"reason"`
	Phase      string `json:"phase"`
	Detail     string `json:"detail,omitempty"`
	Overdue    bool   `json:"overdue,omitempty"`
}

// Publish queues ev for EventBridge.
func (p *publisher) Publish(ev drain.Event) {
	select {
	case p.queue <- ev:
	default:
		p.count("dropped")
		p.log.Warn("drain event not published: the EventBridge buffer is full", "type", ev.Type, "instance", ev.InstanceID)
	}
}

// Run sends queued events, up to ten a call, until ctx ends; it then
// sends what is still queued, bounded by a few seconds, and returns.
func (p *publisher) Run(ctx context.Context) {
	defer close(p.stopped)
	for {
		select {
		case ev := <-p.queue:
			p.send(ctx, p.batch(ev))
		case <-ctx.Done():
			flush, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			for {
				select {
				case ev := <-p.queue:
					p.send(flush, p.batch(ev))
				default:
					return
				}
			}
		}
	}
}

// Done is closed once Run has returned.
func (p *publisher) Done() <-chan struct{} { return p.stopped }

func (p *publisher) batch(first drain.Event) []drain.Event {
	evs := []drain.Event{first}
	for len(evs) < 10 {
		select {
		case ev := <-p.queue:
			evs = append(evs, ev)
		default:
			return evs
		}
	}
	return evs
}

func (p *publisher) send(ctx context.Context, evs []drain.Event) {
	out := make([]cloud.Event, len(evs))
	for i, ev := range evs {
		detail, _ := json.Marshal(eventDetail{InstanceID: ev.InstanceID, Cluster: ev.Cluster, Reason: string(ev.Reason), Phase: string(ev.Phase), Detail: ev.Detail, Overdue: ev.Overdue})
		out[i] = cloud.Event{Source: cloud.EventSource, DetailType: ev.Type, Detail: string(detail), Time: ev.Time, Bus: p.bus}
	}
	call, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	failures, err := p.events.PutEvents(call, out)
	if err != nil {
		for range evs {
			p.count("failed")
		}
		p.log.Warn("drain events not published to EventBridge", "events", len(evs), "error", err)
		return
	}
	for range len(evs) - len(failures) {
		p.count("published")
	}
	for _, f := range failures {
		p.count("failed")
		p.log.Warn("EventBridge refused a drain event", "index", f.ID, "code", f.Code, "message", f.Message)
	}
}
