package cloud

import (
	"context"
	"fmt"
)

// Priority orders the calls waiting for the client's share of one AWS rate
// bucket: every waiter of a higher priority goes before any of a lower one,
// first come first served within a priority. It never skips the wait, and
// calls of different buckets never wait for each other.
//
// The zero Priority is PriorityNormal.
type Priority int

// The priorities, lowest first.
const (
	// PriorityBackground is for work nobody waits on: the periodic scans
	// (idle, lifetime, protection, sweeps) and the dashboard. It yields to
	// every drain.
	PriorityBackground Priority = -1
	// PriorityNormal is a drain's own reads and writes, and the intake.
	PriorityNormal Priority = 0
	// PriorityUrgent is a call whose lateness costs an instance: a lifecycle
	// heartbeat that keeps a hook from timing out, the completion that
	// releases it. Package cloud/aws sends RecordLifecycleActionHeartbeat
	// and CompleteLifecycleAction at this priority whatever the context
	// says.
	PriorityUrgent Priority = 1
	// PriorityHeartbeat is above every other: package cloud/aws sends
	// RecordLifecycleActionHeartbeat and CompleteLifecycleAction at it,
	// first come first served (a heartbeat late by a moment costs the
	// action its hook's timeout; a completion ends its action's need for
	// heartbeats, and the look waiting for it holds a worker every other
	// drain's look needs). WithPriority clamps to PriorityUrgent: no other
	// call can ask for it.
	PriorityHeartbeat Priority = 2
)

func (p Priority) String() string {
	switch p {
	case PriorityBackground:
		return "background"
	case PriorityNormal:
		return "normal"
	case PriorityUrgent:
		return "urgent"
	case PriorityHeartbeat:
		return "heartbeat"
	}
	return fmt.Sprintf("priority(%d)", int(p))
}

type priorityKey struct{}

// WithPriority returns ctx marked with p: every AWS call made with it (or a
// context derived from it) waits for its rate bucket at that priority. A
// value outside the three priorities is clamped to the nearest one.
func WithPriority(ctx context.Context, p Priority) context.Context {
	return context.WithValue(ctx, priorityKey{}, min(max(p, PriorityBackground), PriorityUrgent))
}

// PriorityOf returns the priority ctx is marked with, PriorityNormal when
// it is not.
func PriorityOf(ctx context.Context) Priority {
	if p, ok := ctx.Value(priorityKey{}).(Priority); ok {
		return p
	}
	return PriorityNormal
}
