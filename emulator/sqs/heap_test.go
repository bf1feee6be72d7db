package sqs

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestHeapAgainstList runs random pushes, removals and key changes on a
// heap and on a plain list side by side: the heap's least message is
// always the list's, and every message knows its place.
func TestHeapAgainstList(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	h := msgHeap{kind: byVisibleAt}
	var list []*message
	least := func() *message {
		var best *message
		for _, m := range list {
			if best == nil || h.less(m, best) {
				best = m
			}
		}
		return best
	}
	for i := range 5000 {
		switch op := rng.IntN(3); {
		case op == 0 || len(list) == 0:
			m := &message{seq: uint64(i), visibleAt: start.Add(time.Duration(rng.IntN(50)) * time.Second)}
			h.push(m)
			list = append(list, m)
		case op == 1:
			j := rng.IntN(len(list))
			h.remove(list[j])
			if h.has(list[j]) {
				t.Fatalf("step %d: a removed message still has a place", i)
			}
			list = append(list[:j], list[j+1:]...)
		default:
			m := list[rng.IntN(len(list))]
			m.visibleAt = start.Add(time.Duration(rng.IntN(50)) * time.Second)
			h.fix(m)
		}
		if got, want := h.min(), least(); got != want {
			t.Fatalf("step %d: heap's least is %+v, want %+v", i, got, want)
		}
		for j, m := range h.items {
			if m.pos[h.kind] != j+1 {
				t.Fatalf("step %d: message at %d thinks it is at %d", i, j, m.pos[h.kind]-1)
			}
		}
	}
}
