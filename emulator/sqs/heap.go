package sqs

// heapKind names a queue's heaps, and the order each keeps.
type heapKind int

const (
	byOrder     heapKind = iota // ready: send order (sequence number)
	byVisibleAt                 // hidden: when visible, then send order
	bySentAt                    // retained: when sent, then send order
	heapKinds
)

// msgHeap is a binary min-heap of messages in which each message knows its
// place (message.pos), so that a message is removed or moved in O(log n).
type msgHeap struct {
	kind  heapKind
	items []*message
}

func (h *msgHeap) less(a, b *message) bool {
	switch h.kind {
	case byVisibleAt:
		if !a.visibleAt.Equal(b.visibleAt) {
			return a.visibleAt.Before(b.visibleAt)
		}
	case bySentAt:
		if !a.sentAt.Equal(b.sentAt) {
			return a.sentAt.Before(b.sentAt)
		}
	}
	return a.seq < b.seq
}

// has reports whether m is in h.
func (h *msgHeap) has(m *message) bool { return m.pos[h.kind] > 0 }

// min returns the least message, nil when h is empty.
func (h *msgHeap) min() *message {
	if len(h.items) == 0 {
		return nil
	}
	return h.items[0]
}

func (h *msgHeap) push(m *message) {
	h.items = append(h.items, m)
	h.set(len(h.items)-1, m)
	h.up(len(h.items) - 1)
}

// remove takes m out of h (nothing if it is not in it).
func (h *msgHeap) remove(m *message) {
	i := m.pos[h.kind] - 1
	if i < 0 {
		return
	}
	last := len(h.items) - 1
	if i != last {
		h.set(i, h.items[last])
	}
	h.items[last] = nil
	h.items = h.items[:last]
	m.pos[h.kind] = 0
	if i != last {
		h.fixAt(i)
	}
}

// fix restores the order after m's key changed.
func (h *msgHeap) fix(m *message) {
	if i := m.pos[h.kind] - 1; i >= 0 {
		h.fixAt(i)
	}
}

func (h *msgHeap) fixAt(i int) {
	if !h.down(i) {
		h.up(i)
	}
}

func (h *msgHeap) set(i int, m *message) {
	h.items[i] = m
	m.pos[h.kind] = i + 1
}

func (h *msgHeap) up(i int) {
	m := h.items[i]
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(m, h.items[p]) {
			break
		}
		h.set(i, h.items[p])
		i = p
	}
	h.set(i, m)
}

// down sifts the item at i down; it reports whether it moved.
func (h *msgHeap) down(i int) bool {
	m, n, start := h.items[i], len(h.items), i
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && h.less(h.items[r], h.items[c]) {
			c = r
		}
		if !h.less(h.items[c], m) {
			break
		}
		h.set(i, h.items[c])
		i = c
	}
	h.set(i, m)
	return i > start
}
