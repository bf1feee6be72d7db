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

// queue is one standard queue. Messages are kept in send order, which is
// the delivery order (oldest visible first).
type queue struct {
	name, url, arn string

	visibility, retention, delay, maxSize, wait int
	redrive                                     *redrivePolicy
	opaque                                      map[string]string // Policy, KMS and other stored-only attributes
	tags                                        map[string]string
	created, modified                           time.Time
	lastPurge                                   time.Time

	msgs   []*message          // send order; deleted ones compacted lazily
	bySeq  map[uint64]*message // live messages by sequence number
	dead   int                 // deleted entries still in msgs
	faults Faults

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
		bySeq: map[uint64]*message{},
	}
}

// sweep drops messages past the retention period.
func (q *queue) sweep(now time.Time) {
	limit := now.Add(-time.Duration(q.retention) * time.Second)
	for _, m := range q.msgs {
		if !m.deleted && m.sentAt.Before(limit) {
			q.remove(m)
		}
	}
	q.compact()
}

func (q *queue) add(m *message) {
	q.msgs = append(q.msgs, m)
	q.bySeq[m.seq] = m
}

func (q *queue) remove(m *message) {
	if m.deleted {
		return
	}
	m.deleted = true
	delete(q.bySeq, m.seq)
	q.dead++
}

// compact drops deleted entries once they are at least half the slice, so
// deletion stays amortised O(1).
func (q *queue) compact() {
	if q.dead == 0 || q.dead*2 < len(q.msgs) {
		return
	}
	live := q.msgs[:0]
	for _, m := range q.msgs {
		if !m.deleted {
			live = append(live, m)
		}
	}
	clear(q.msgs[len(live):])
	q.msgs = live
	q.dead = 0
}

// counts returns the visible, in-flight and delayed message counts.
func (q *queue) counts(now time.Time) (visible, inFlight, delayed int) {
	for _, m := range q.msgs {
		if m.deleted {
			continue
		}
		switch m.state(now) {
		case stateVisible:
			visible++
		case stateInflight:
			inFlight++
		default:
			delayed++
		}
	}
	return
}
