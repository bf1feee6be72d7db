package sqs

import (
	"slices"
	"time"
)

// waiter is a long poller registered with Notify.
type waiter struct {
	fn func()
}

// Notify registers fn to run, under the world lock, each time a message
// becomes visible in the queue (sent, delay over, visibility timeout over),
// until cancel is called. It is not called for messages already visible:
// the wire front receives first and waits only when nothing came back.
func (s *Service) Notify(queueURL string, fn func()) (cancel func(), err error) {
	q, qerr := s.byURL(queueURL)
	if qerr != nil {
		return func() {}, qerr
	}
	w := &waiter{fn: fn}
	q.waiters = append(q.waiters, w)
	s.arm(q)
	return func() {
		for i, x := range q.waiters {
			if x == w {
				q.waiters = append(q.waiters[:i:i], q.waiters[i+1:]...)
				break
			}
		}
		if len(q.waiters) == 0 && q.timer != nil {
			q.timer.Stop()
			q.timer = nil
		}
	}, nil
}

// wake runs the waiters if some message is visible now. The slice is
// copied because a waiter typically cancels itself.
func (s *Service) wake(q *queue) {
	if len(q.waiters) == 0 {
		return
	}
	q.promote(s.env.Now())
	if q.ready.min() == nil {
		return
	}
	for _, w := range append([]*waiter(nil), q.waiters...) {
		if slices.Contains(q.waiters, w) { // an earlier waiter may have cancelled it
			w.fn()
		}
	}
}

// arm keeps one timer per queue, at the earliest moment a hidden message
// becomes visible, and only while someone waits: queues nobody polls cost
// no events.
func (s *Service) arm(q *queue) {
	if s.queues[q.name] != q {
		return
	}
	var next time.Time
	if len(q.waiters) > 0 {
		q.promote(s.env.Now())
		next = q.nextVisible()
	}
	if q.timer != nil {
		if next.Equal(q.timerAt) {
			return
		}
		q.timer.Stop()
		q.timer = nil
	}
	if next.IsZero() {
		return
	}
	q.timerAt = next
	q.timer = s.env.At(next, func() {
		q.timer = nil
		s.wake(q)
		s.arm(q)
	})
}
