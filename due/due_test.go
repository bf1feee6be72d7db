package due

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func TestQueueOrdersByTimeThenQueueOrder(t *testing.T) {
	var q Queue[string]
	q.Push(t0.Add(2*time.Second), "c")
	q.Push(t0.Add(time.Second), "a")
	q.Push(t0.Add(2*time.Second), "d")
	q.Push(t0.Add(time.Second), "b")
	var got []string
	for e, ok := q.Pop(); ok; e, ok = q.Pop() {
		if e.Queued() {
			t.Fatalf("popped %s still reports queued", e.Value)
		}
		got = append(got, e.Value)
	}
	if want := []string{"a", "b", "c", "d"}; !slices.Equal(got, want) {
		t.Fatalf("popped %v, want %v", got, want)
	}
}

func TestQueueRemoveAndMove(t *testing.T) {
	var q Queue[string]
	a := q.Push(t0.Add(time.Second), "a")
	b := q.Push(t0.Add(2*time.Second), "b")
	c := q.Push(t0.Add(3*time.Second), "c")
	if !q.Remove(b) || q.Remove(b) {
		t.Fatal("Remove of a queued entry must report true once, then false")
	}
	if !q.Move(c, t0) {
		t.Fatal("Move of a queued entry reported false")
	}
	if e, _ := q.Peek(); e != c || !e.At().Equal(t0) {
		t.Fatalf("after Move the first entry is %v at %v, want c at t0", e.Value, e.At())
	}
	if !q.Move(a, t0) {
		t.Fatal("Move of a queued entry reported false")
	}
	// Moved to the same time as c, later: c stays first.
	if e, _ := q.Pop(); e != c {
		t.Fatalf("popped %s, want c (moved there first)", e.Value)
	}
	q.Pop()
	if q.Move(a, t0) || q.Len() != 0 {
		t.Fatal("Move of a popped entry must report false and leave the queue empty")
	}
	if _, ok := q.Pop(); ok {
		t.Fatal("Pop of an empty queue reported a value")
	}
}

func TestQueueMatchesSortedOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var q Queue[int]
	type item struct {
		at  time.Duration
		seq int
	}
	var want []item
	handles := map[int]*Entry[int]{}
	for i := range 500 {
		at := time.Duration(r.IntN(50)) * time.Second
		handles[i] = q.Push(t0.Add(at), i)
		want = append(want, item{at, i})
	}
	// Remove a third of them.
	var kept []item
	for _, it := range want {
		if it.seq%3 == 0 {
			q.Remove(handles[it.seq])
			continue
		}
		kept = append(kept, it)
	}
	slices.SortStableFunc(kept, func(a, b item) int { return int(a.at - b.at) })
	for _, it := range kept {
		e, ok := q.Pop()
		if !ok || e.Value != it.seq {
			t.Fatalf("popped %v, want %d", e.Value, it.seq)
		}
	}
}
