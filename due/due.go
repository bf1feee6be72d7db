// Package due is a queue of values ordered by the time they fall due:
// earliest first, and among values due at the same time, the one queued
// first. The virtual clock keeps its events in one, the reconciler its
// drains' next looks; both need a handle to move or remove a queued value.
//
// A Queue is not safe for concurrent use: its owner guards it.
package due

import (
	"container/heap"
	"time"
)

// Queue holds values of type T by due time. The zero Queue is empty and
// ready to use.
type Queue[T any] struct {
	h   entries[T]
	seq uint64
}

// Entry is one queued value; it is the handle to move or remove it.
type Entry[T any] struct {
	Value T
	at    time.Time
	seq   uint64
	index int // in the heap; -1 once popped or removed
}

// At is when the entry falls (or fell) due.
func (e *Entry[T]) At() time.Time { return e.at }

// Queued reports whether the entry is still in its queue.
func (e *Entry[T]) Queued() bool { return e.index >= 0 }

// Len is the number of queued values.
func (q *Queue[T]) Len() int { return len(q.h) }

// Push queues v due at at and returns its handle.
func (q *Queue[T]) Push(at time.Time, v T) *Entry[T] {
	q.seq++
	e := &Entry[T]{Value: v, at: at, seq: q.seq}
	heap.Push(&q.h, e)
	return e
}

// Peek returns the entry due first without removing it.
func (q *Queue[T]) Peek() (*Entry[T], bool) {
	if len(q.h) == 0 {
		return nil, false
	}
	return q.h[0], true
}

// Pop removes and returns the entry due first.
func (q *Queue[T]) Pop() (*Entry[T], bool) {
	if len(q.h) == 0 {
		return nil, false
	}
	return heap.Pop(&q.h).(*Entry[T]), true
}

// Remove takes e out of the queue; it reports false if e was not queued.
func (q *Queue[T]) Remove(e *Entry[T]) bool {
	if e.index < 0 || e.index >= len(q.h) || q.h[e.index] != e {
		return false
	}
	heap.Remove(&q.h, e.index)
	return true
}

// Move makes a queued e due at at, keeping its place among values due at
// the same time as if it had been queued now; it reports false if e was
// not queued.
func (q *Queue[T]) Move(e *Entry[T], at time.Time) bool {
	if e.index < 0 || e.index >= len(q.h) || q.h[e.index] != e {
		return false
	}
	q.seq++
	e.at, e.seq = at, q.seq
	heap.Fix(&q.h, e.index)
	return true
}

type entries[T any] []*Entry[T]

func (h entries[T]) Len() int { return len(h) }
func (h entries[T]) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h entries[T]) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *entries[T]) Push(x any) {
	e := x.(*Entry[T])
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *entries[T]) Pop() any {
	old := *h
	n := len(old)
	e := old[n-1]
	old[n-1] = nil
	e.index = -1
	*h = old[:n-1]
	return e
}
