package aws

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/cloud"
)

// How a bucket slows down after AWS throttles one of its calls, and
// recovers: additive increase, multiplicative decrease (AIMD), as TCP
// shares a link. A throttle halves the paced rate (at most once per
// slowDownEvery, since the calls in flight at that moment are throttled
// together) and empties the bucket; the rate then climbs back by
// 1/recoverOver of the base rate each second, from half to full in 15 s.
// It never falls below 1/minRateDivisor of the base rate.
const (
	slowDownEvery  = time.Second
	recoverOver    = 30 * time.Second
	minRateDivisor = 16
)

// BucketStats is what one of the client's rate buckets did (Client.Pacing).
type BucketStats struct {
	// Bucket names the AWS bucket: "ecs:cluster-resource-read",
	// "autoscaling", "ec2:DescribeInstances"… (see DefaultShare).
	Bucket string
	// BaseRate is the paced rate in calls a second, Burst the calls that
	// may go without waiting for it; Rate is the rate now, lower than
	// BaseRate while the bucket recovers from a throttle. Ceiling is the
	// most calls that go in any one second (AWS's own rate for the
	// bucket), spaced evenly: a burst drains at that pace; 0: none.
	BaseRate, Rate float64
	Burst          int
	Ceiling        float64
	// Calls is the attempts let through (retries included); Waited how many
	// of them waited for a token, Wait for how long in all (on the
	// client's clock) and MaxWait the longest.
	Calls, Waited uint64
	Wait, MaxWait time.Duration
	// Throttles is the attempts AWS answered with a throttling error.
	Throttles uint64
	// Waiting is the calls waiting for a token now.
	Waiting int
}

// bucket paces the calls of one AWS bucket: a token bucket of burst
// tokens refilled at rate a second, on a clock, under a ceiling: at most
// one call every 1/ceiling seconds (0: no ceiling), so that a burst spent
// at once never puts more calls into one second than AWS's own rate. A
// call takes a token at once when one is there and nobody waits;
// otherwise it waits in line, by priority then arrival, and is woken only
// once its own token is granted, so no two waiters ever wake for the same
// token.
type bucket struct {
	name    string
	clk     clock.Clock
	base    float64 // paced rate, tokens a second; +Inf: no pacing
	burst   float64
	ceiling float64 // calls a second at most, one at a time; 0: none

	mu       sync.Mutex
	rate     float64
	tokens   float64
	spacing  float64      // the ceiling's own token, 0 to 1
	at       time.Time    // when tokens and rate were last brought up to date
	slowedAt time.Time    // last decrease; zero: never
	lines    [4][]*ticket // by priority: heartbeats, urgent, normal, background
	timer    clock.Timer  // grants the head of the line its token
	stats    BucketStats
}

// ticket is a call waiting in a bucket's line.
type ticket struct {
	wake    *clock.Signal
	since   time.Time
	granted bool
}

func newBucket(name string, rate float64, burst int, clk clock.Clock) *bucket {
	burst = max(burst, 1)
	return &bucket{name: name, clk: clk, base: rate, burst: float64(burst), rate: rate,
		tokens: float64(burst), spacing: 1, at: clk.Now(),
		stats: BucketStats{Bucket: name, BaseRate: rate, Burst: burst}}
}

// withCeiling sets the bucket's ceiling: at most perSecond calls in any
// second, spaced 1/perSecond apart (0: none). It returns b.
func (b *bucket) withCeiling(perSecond float64) *bucket {
	b.ceiling = perSecond
	b.stats.Ceiling = perSecond
	return b
}

// ready reports whether a call may go now: a token, and the ceiling's
// spacing. b.mu is held.
func (b *bucket) ready() bool {
	return b.tokens >= 1-epsilon && (b.ceiling <= 0 || b.spacing >= 1-epsilon)
}

// spend takes a call's token (and the ceiling's). b.mu is held.
func (b *bucket) spend() {
	b.tokens--
	if b.ceiling > 0 {
		b.spacing--
	}
}

// line is the index of priority p's line: heartbeats first, then the
// other urgent calls, normal, background.
func line(p cloud.Priority) int {
	switch {
	case p > cloud.PriorityUrgent:
		return 0
	case p == cloud.PriorityUrgent:
		return 1
	case p <= cloud.PriorityBackground:
		return 3
	}
	return 2
}

// take waits for a token at priority p. It returns ctx's error, with no
// token taken, if ctx ends first.
func (b *bucket) take(ctx context.Context, p cloud.Priority) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	now := b.clk.Now()
	b.advance(now)
	if math.IsInf(b.base, 1) || b.waiting() == 0 && b.ready() {
		if !math.IsInf(b.base, 1) {
			b.spend()
		}
		b.stats.Calls++
		b.mu.Unlock()
		return nil
	}
	t := &ticket{wake: clock.NewSignal(b.clk), since: now}
	b.lines[line(p)] = append(b.lines[line(p)], t)
	if b.timer == nil {
		b.schedule(now)
	}
	b.mu.Unlock()

	for {
		_, err := t.wake.Wait(ctx, time.Time{})
		b.mu.Lock()
		if t.granted {
			if err != nil {
				// Granted as ctx ended: the token goes to the next in line.
				b.tokens = min(b.burst, b.tokens+1)
				if b.ceiling > 0 {
					b.spacing = min(1, b.spacing+1)
				}
				b.stats.Calls--
				wake := b.grant(b.clk.Now())
				b.mu.Unlock()
				notify(wake)
				return err
			}
			b.mu.Unlock()
			return nil
		}
		if err != nil {
			i := line(p)
			b.lines[i] = slices.DeleteFunc(b.lines[i], func(x *ticket) bool { return x == t })
			b.mu.Unlock()
			return err
		}
		b.mu.Unlock()
	}
}

// epsilon absorbs the rounding of token arithmetic: a timer set for the
// instant a token is due must find it there.
const epsilon = 1e-9

// throttled slows the bucket down: AWS answered one of its calls with a
// throttling error.
func (b *bucket) throttled() {
	b.mu.Lock()
	now := b.clk.Now()
	b.advance(now)
	b.stats.Throttles++
	if !math.IsInf(b.base, 1) && (b.slowedAt.IsZero() || now.Sub(b.slowedAt) >= slowDownEvery) {
		b.rate = max(b.base/minRateDivisor, b.rate/2)
		b.slowedAt = now
		// AWS's own bucket is empty: start again from nothing.
		b.tokens = min(b.tokens, 0)
		if b.timer != nil {
			b.timer.Stop()
			b.timer = nil
			b.schedule(now)
		}
	}
	b.mu.Unlock()
}

// advance brings the tokens and the recovering rate up to now. b.mu is
// held.
func (b *bucket) advance(now time.Time) {
	dt := now.Sub(b.at).Seconds()
	if dt <= 0 {
		return
	}
	b.at = now
	if b.ceiling > 0 {
		b.spacing = min(1, b.spacing+dt*b.ceiling)
	}
	if math.IsInf(b.rate, 1) {
		b.tokens = b.burst
		return
	}
	b.tokens = min(b.burst, b.tokens+dt*b.rate)
	if b.rate < b.base {
		b.rate = min(b.base, b.rate+dt*b.base/recoverOver.Seconds())
	}
}

func (b *bucket) waiting() int {
	n := 0
	for _, l := range b.lines {
		n += len(l)
	}
	return n
}

// grant hands the tokens there are to the heads of the lines, highest
// priority first, and sets the timer for the next one. It returns the
// signals of the waiters granted, to notify once b.mu is released. b.mu
// is held.
func (b *bucket) grant(now time.Time) []*clock.Signal {
	b.advance(now)
	var wake []*clock.Signal
	for i := range b.lines {
		for len(b.lines[i]) > 0 && b.ready() {
			t := b.lines[i][0]
			b.lines[i][0] = nil
			b.lines[i] = b.lines[i][1:]
			b.spend()
			t.granted = true
			waited := now.Sub(t.since)
			b.stats.Calls++
			b.stats.Waited++
			b.stats.Wait += waited
			b.stats.MaxWait = max(b.stats.MaxWait, waited)
			wake = append(wake, t.wake)
		}
	}
	if b.timer == nil {
		b.schedule(now)
	}
	return wake
}

// schedule sets the timer for when the next token is due, if anyone
// waits. b.mu is held and no timer is set.
func (b *bucket) schedule(now time.Time) {
	if b.waiting() == 0 {
		return
	}
	d := time.Duration(0)
	if missing := 1 - b.tokens; missing > 0 {
		d = time.Duration(math.Ceil(missing / b.rate * float64(time.Second)))
	}
	if missing := 1 - b.spacing; b.ceiling > 0 && missing > 0 {
		d = max(d, time.Duration(math.Ceil(missing/b.ceiling*float64(time.Second))))
	}
	b.timer = b.clk.AfterFunc(d, func() {
		b.mu.Lock()
		b.timer = nil
		wake := b.grant(b.clk.Now())
		b.mu.Unlock()
		notify(wake)
	})
}

func notify(signals []*clock.Signal) {
	for _, s := range signals {
		s.Notify()
	}
}

// snapshot returns the bucket's statistics now.
func (b *bucket) snapshot() BucketStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advance(b.clk.Now())
	s := b.stats
	s.Rate = b.rate
	s.Waiting = b.waiting()
	return s
}
