// Package core is what every emulated AWS service shares: virtual time
// applied under the one world lock, seeded randomness and identifiers, the
// account and region, AWS-style errors and timestamps, and the seams through
// which services publish events and queue messages.
//
// Service packages never lock anything themselves. Everything that touches
// the world runs either as an event scheduled with Env.After (the Env takes
// the world lock around it) or inside Env.Do (API calls, test actions).
// Service code must not call Do: it is already under the lock.
package core

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/drainer-dev/drainer/clock"
)

// Defaults for the emulated account.
const (
	DefaultRegion  = "us-east-1"
	DefaultAccount = "123456789012"
)

// Options configure an Env.
type Options struct {
	Region  string
	Account string
	Seed    uint64
}

// Env is the runtime every emulated service lives in.
type Env struct {
	Region  string
	Account string

	clock *clock.Virtual
	mu    sync.Mutex
	rng   *rand.Rand
	after []func()
}

// NewEnv returns an Env on the given virtual clock.
func NewEnv(c *clock.Virtual, opts Options) *Env {
	if opts.Region == "" {
		opts.Region = DefaultRegion
	}
	if opts.Account == "" {
		opts.Account = DefaultAccount
	}
	return &Env{
		Region:  opts.Region,
		Account: opts.Account,
		clock:   c,
		rng:     rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
	}
}

// Clock returns the virtual clock the world runs on.
func (e *Env) Clock() *clock.Virtual { return e.clock }

// Now returns the current virtual time.
func (e *Env) Now() time.Time { return e.clock.Now() }

// After schedules f as a world event d from now: it runs under the world
// lock, and the observers registered with OnEvent run after it.
func (e *Env) After(d time.Duration, f func()) clock.Timer {
	return e.clock.AfterFunc(d, func() { e.Do(f) })
}

// At schedules f as a world event at t (now if t has passed).
func (e *Env) At(t time.Time, f func()) clock.Timer {
	return e.clock.At(t, func() { e.Do(f) })
}

// Do runs f under the world lock, then the observers. API calls and test
// actions enter the world through Do; service code never calls it.
func (e *Env) Do(f func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	f()
	for _, obs := range e.after {
		obs()
	}
}

// OnEvent registers f to run, under the world lock, after every event and
// every Do. Tests check invariants this way; f must not call Do.
func (e *Env) OnEvent(f func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.after = append(e.after, f)
}

// Rand is the world's seeded random source. Use it only under the world
// lock, so that a seeded run is reproducible.
func (e *Env) Rand() *rand.Rand { return e.rng }

// Chance reports true with probability p.
func (e *Env) Chance(p float64) bool {
	if p <= 0 {
		return false
	}
	return e.rng.Float64() < p
}

// Hex returns n random lowercase hex digits.
func (e *Env) Hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[e.rng.IntN(16)]
	}
	return string(b)
}

// ID returns prefix followed by n random hex digits, e.g. ID("i-", 17).
func (e *Env) ID(prefix string, n int) string { return prefix + e.Hex(n) }

// UUID returns a random version-4 UUID string.
func (e *Env) UUID() string {
	h := e.Hex(32)
	variant := "89ab"[e.rng.IntN(4)]
	return fmt.Sprintf("%s-%s-4%s-%c%s-%s", h[0:8], h[8:12], h[13:16], variant, h[17:20], h[20:32])
}

// ARN returns arn:aws:service:region:account:resource.
func (e *Env) ARN(service, resource string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, e.Region, e.Account, resource)
}
