package intake

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/drainer-dev/drainer/clock"
)

// fakeQueue is an in-memory SQS queue on a virtual clock: long polling,
// visibility timeouts, receive counts and a fresh receipt handle per
// receive, with every call recorded at its virtual time.
type fakeQueue struct {
	clock *clock.Virtual
	start time.Time

	mu      sync.Mutex
	msgs    []*fakeMsg
	arrived *clock.Signal
	calls   []call
	// receiveErrs are returned by successive receives; a nil entry lets
	// that receive proceed.
	receiveErrs []error
	extendErr   error
	deleteErr   error
	// noWait makes an empty receive return at once, like a queue that does
	// not long-poll.
	noWait bool
	// latency is how long each receive takes before it looks (a round
	// trip to SQS).
	latency time.Duration
}

type fakeMsg struct {
	id, body, handle string
	receives         int
	hiddenUntil      time.Time
	deleted          bool
}

// call is one queue call: op is receive, delete or extend.
type call struct {
	at      time.Duration // since the start
	op      string
	handles []string
	max     int
	wait    time.Duration
	timeout time.Duration
	err     error
}

func newFakeQueue(c *clock.Virtual) *fakeQueue {
	return &fakeQueue{clock: c, start: c.Now(), arrived: clock.NewSignal(c)}
}

// add enqueues bodies and returns their message ids.
func (q *fakeQueue) add(bodies ...string) []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	var ids []string
	for _, b := range bodies {
		id := fmt.Sprintf("m%d", len(q.msgs)+1)
		q.msgs = append(q.msgs, &fakeMsg{id: id, body: b})
		ids = append(ids, id)
	}
	q.arrived.Notify()
	return ids
}

func (q *fakeQueue) record(c call) {
	c.at = q.clock.Now().Sub(q.start)
	q.calls = append(q.calls, c)
}

func (q *fakeQueue) Receive(ctx context.Context, max int, wait, visibility time.Duration) ([]Message, error) {
	q.mu.Lock()
	var err error
	if len(q.receiveErrs) > 0 {
		err, q.receiveErrs = q.receiveErrs[0], q.receiveErrs[1:]
	}
	q.record(call{op: "receive", max: max, wait: wait, timeout: visibility, err: err})
	q.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if q.latency > 0 {
		if err := clock.Sleep(ctx, q.clock, q.latency); err != nil {
			return nil, err
		}
	}
	deadline := q.clock.Now().Add(wait)
	for {
		q.mu.Lock()
		now := q.clock.Now()
		var out []Message
		next := deadline // when a hidden message shows again, if sooner
		for _, m := range q.msgs {
			switch {
			case m.deleted:
			case m.hiddenUntil.After(now):
				if m.hiddenUntil.Before(next) {
					next = m.hiddenUntil
				}
			case len(out) < max:
				m.receives++
				m.handle = fmt.Sprintf("%s#%d", m.id, m.receives)
				m.hiddenUntil = now.Add(visibility)
				out = append(out, Message{ID: m.id, ReceiptHandle: m.handle, Body: m.body, ReceiveCount: m.receives})
			}
		}
		noWait := q.noWait
		q.mu.Unlock()
		if len(out) > 0 || noWait || !now.Before(deadline) {
			return out, nil
		}
		if _, err := q.arrived.Wait(ctx, next); err != nil {
			return nil, err
		}
	}
}

func (q *fakeQueue) Delete(ctx context.Context, handles ...string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.record(call{op: "delete", handles: handles, err: q.deleteErr})
	if q.deleteErr != nil {
		return q.deleteErr
	}
	var errs []error
	for _, h := range handles {
		m := q.byHandle(h)
		if m == nil {
			errs = append(errs, fmt.Errorf("receipt handle %s is invalid", h))
			continue
		}
		m.deleted = true
	}
	return errors.Join(errs...)
}

func (q *fakeQueue) ChangeVisibility(ctx context.Context, handle string, timeout time.Duration) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.record(call{op: "extend", handles: []string{handle}, timeout: timeout, err: q.extendErr})
	if q.extendErr != nil {
		return q.extendErr
	}
	m := q.byHandle(handle)
	if m == nil {
		return fmt.Errorf("receipt handle %s is invalid", handle)
	}
	m.hiddenUntil = q.clock.Now().Add(timeout)
	return nil
}

// byHandle finds the live message whose latest receipt handle is h.
func (q *fakeQueue) byHandle(h string) *fakeMsg {
	for _, m := range q.msgs {
		if m.handle == h && !m.deleted {
			return m
		}
	}
	return nil
}

// callsOf returns the recorded calls of one op.
func (q *fakeQueue) callsOf(op string) []call {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []call
	for _, c := range q.calls {
		if c.op == op {
			out = append(out, c)
		}
	}
	return out
}

// deleted reports whether the message with this id was deleted.
func (q *fakeQueue) deleted(id string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.ContainsFunc(q.msgs, func(m *fakeMsg) bool { return m.id == id && m.deleted })
}

func (q *fakeQueue) receives(id string) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, m := range q.msgs {
		if m.id == id {
			return m.receives
		}
	}
	return 0
}

func (q *fakeQueue) set(f func(q *fakeQueue)) {
	q.mu.Lock()
	defer q.mu.Unlock()
	f(q)
}
