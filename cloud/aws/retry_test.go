package aws

import (
	"slices"
	"testing"
	"time"
)

// TestBackoffJitterSpreadsRetries: a hundred calls throttled at the same
// instant come back at a hundred different instants spread over the whole
// first window, each retry's window doubling up to the cap; the same seed
// gives the same waits (a seeded simulation replays), another seed others.
func TestBackoffJitterSpreadsRetries(t *testing.T) {
	b := newBackoff(20*time.Second, 42)
	waits := make([]time.Duration, 100)
	for i := range waits {
		waits[i] = b.delay(1)
	}
	slices.Sort(waits)
	if waits[0] < 0 || waits[len(waits)-1] > time.Second {
		t.Fatalf("first retries waited %v to %v, want within [0, 1s]", waits[0], waits[len(waits)-1])
	}
	if len(slices.Compact(slices.Clone(waits))) != len(waits) {
		t.Fatal("two of a hundred first retries would come back at the same instant")
	}
	// Spread over the window: each tenth of it holds some.
	tenths := map[int]int{}
	for _, w := range waits {
		tenths[min(9, int(w*10/time.Second))]++
	}
	if len(tenths) != 10 {
		t.Fatalf("first retries fill %d tenths of the window, want all 10: %v", len(tenths), tenths)
	}
	for retry, ceil := range map[int]time.Duration{2: 2 * time.Second, 3: 4 * time.Second, 5: 16 * time.Second, 6: 20 * time.Second, 30: 20 * time.Second} {
		longest := time.Duration(0)
		for range 200 {
			longest = max(longest, b.delay(retry))
		}
		if longest > ceil || longest < ceil/2 {
			t.Errorf("retry %d: longest of 200 waits %v, want within (%v, %v]", retry, longest, ceil/2, ceil)
		}
	}

	again, other := newBackoff(20*time.Second, 42), newBackoff(20*time.Second, 43)
	same, differ := true, false
	first := newBackoff(20*time.Second, 42)
	for range 50 {
		w := first.delay(3)
		same = same && again.delay(3) == w
		differ = differ || other.delay(3) != w
	}
	if !same || !differ {
		t.Fatalf("seeded backoff: same seed same waits %t, other seed other waits %t", same, differ)
	}
}
