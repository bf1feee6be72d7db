package intake

import "time"

// backoff is the pause after the n-th consecutive failure (n ≥ 1): lo,
// doubling each time, never above hi. There is no jitter: a drainer
// process has one consumer per queue, so there is no herd to spread.
func backoff(lo, hi time.Duration, n int) time.Duration {
	d := lo
	for i := 1; i < n && d < hi; i++ {
		d *= 2
	}
	return min(d, hi)
}
