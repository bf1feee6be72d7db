package sqs

import (
	"time"

	"github.com/drainer-dev/drainer/clock"
)

// Queue attribute defaults and limits (SQS developer guide, quotas).
const (
	defaultVisibility   = 30
	defaultRetention    = 345600
	defaultMaxSize      = 1048576
	maxVisibility       = 43200
	maxDelay            = 900
	maxWait             = 20
	minRetention        = 60
	maxRetention        = 1209600
	minMaxSize          = 1024
	maxBatchEntries     = 10
	maxInflightLifetime = 12 * time.Hour
	purgeInterval       = 60 * time.Second
	recreateInterval    = 60 * time.Second
)

// queue is one standard queue. Its messages are kept in three heaps, so
// that sending, receiving, deleting and changing a visibility cost
// O(log n) in the queue's length: ready holds the messages known to be
// visible, oldest first (the delivery order); hidden those delayed or in
// flight, by the time they become visible; retention every message, by the
// time it was sent. Messages of hidden whose time has come move to ready
// (promote) before anything reads the queue.
type queue struct {
	name, url, arn string

	visibility, retention, delay, maxSize, wait int
	redrive                                     *redrivePolicy
	opaque                                      map[string]string // Policy, KMS and other stored-only attributes
	tags                                        map[string]string
	created, modified                           time.Time
	lastPurge                                   time.Time

	ready, hidden, retained msgHeap
	bySeq                   map[uint64]*message // live messages by sequence number
	inFlight                int                 // messages of hidden in flight (the others are delayed)
	faults                  Faults

	waiters []*waiter
	timer   clock.Timer
	timerAt time.Time
}

// redrivePolicy is the parsed RedrivePolicy attribute.
type redrivePolicy struct {
	targetARN  string
	maxReceive int
}

// message is one stored message (a duplicate made by a fault is a separate
// message with the same MessageId).
type message struct {
	seq          uint64
	id           string
	body         string
	attrs        map[string]MessageAttributeValue
	sysAttrs     map[string]MessageSystemAttributeValue
	md5Body      string
	sentAt       time.Time
	senderID     string
	dlqSource    string
	groupID      string
	visibleAt    time.Time // delayed or in flight until then
	receiveCount int
	firstReceive time.Time
	receivedAt   time.Time // start of the current in-flight period
	handle       string    // the latest receipt handle
	deleted      bool

	// pos is the message's place in each heap of its queue, plus one (0:
	// not in it), so that a copied or new message is in none.
	pos [heapKinds]int
	// inFlight tells, while the message is in hidden, whether it counts
	// as in flight (else delayed).
	inFlight bool
}

// state of a message at a given time.
type msgState int

const (
	stateVisible msgState = iota
	stateInflight
	stateDelayed
)

func (m *message) state(now time.Time) msgState {
	if !m.visibleAt.After(now) {
		return stateVisible
	}
	if m.receiveCount > 0 && !m.receivedAt.IsZero() {
		return stateInflight
	}
	return stateDelayed
}

func newQueue(name, url, arn string, now time.Time) *queue {
	return &queue{
		name: name, url: url, arn: arn,
		visibility: defaultVisibility, retention: defaultRetention, maxSize: defaultMaxSize,
		opaque:  map[string]string{"SqsManagedSseEnabled": "true"},
		created: now, modified: now,
		ready:    msgHeap{kind: byOrder},
		hidden:   msgHeap{kind: byVisibleAt},
		retained: msgHeap{kind: bySentAt},
		bySeq:    map[uint64]*message{},
	}
}

// sweep drops messages past the retention period.
func (q *queue) sweep(now time.Time) {
	limit := now.Add(-time.Duration(q.retention) * time.Second)
	for {
		m := q.retained.min()
		if m == nil || !m.sentAt.Before(limit) {
			return
		}
		q.remove(m)
	}
}

// add stores a new message: hidden until promote finds it visible.
func (q *queue) add(m *message) {
	q.bySeq[m.seq] = m
	q.retained.push(m)
	q.hide(m)
}

// hide puts m, which is in no heap of ready and hidden, in hidden.
func (q *queue) hide(m *message) {
	m.inFlight = m.receiveCount > 0 && !m.receivedAt.IsZero()
	if m.inFlight {
		q.inFlight++
	}
	q.hidden.push(m)
}

// unhide takes m out of hidden.
func (q *queue) unhide(m *message) {
	if m.inFlight {
		q.inFlight--
	}
	q.hidden.remove(m)
}

// promote moves the messages of hidden that are visible at now to ready.
func (q *queue) promote(now time.Time) {
	for {
		m := q.hidden.min()
		if m == nil || m.visibleAt.After(now) {
			return
		}
		q.unhide(m)
		q.ready.push(m)
	}
}

// retime moves m, visible at a new time (m.visibleAt, already set), within
// the heaps: back to hidden if it was ready, or to its new place in hidden.
func (q *queue) retime(m *message) {
	if q.ready.has(m) {
		q.ready.remove(m)
		q.hide(m)
		return
	}
	q.hidden.fix(m)
}

// remove deletes m from the queue.
func (q *queue) remove(m *message) {
	if m.deleted {
		return
	}
	m.deleted = true
	delete(q.bySeq, m.seq)
	q.retained.remove(m)
	if q.ready.has(m) {
		q.ready.remove(m)
	} else {
		q.unhide(m)
	}
}

// clear deletes every message.
func (q *queue) clear() {
	for _, m := range q.retained.items {
		m.deleted = true
		m.pos = [heapKinds]int{}
	}
	clear(q.bySeq)
	q.ready.items, q.hidden.items, q.retained.items = nil, nil, nil
	q.inFlight = 0
}

// counts returns the visible, in-flight and delayed message counts.
func (q *queue) counts(now time.Time) (visible, inFlight, delayed int) {
	q.promote(now)
	return len(q.ready.items), q.inFlight, len(q.hidden.items) - q.inFlight
}

// nextVisible is the earliest time a hidden message becomes visible, zero
// if none is hidden (after promote(now), every hidden one is after now).
func (q *queue) nextVisible() time.Time {
	if m := q.hidden.min(); m != nil {
		return m.visibleAt
	}
	return time.Time{}
}
