// Package clock is the single source of time for drainer and its emulator.
//
// Everything that waits goes through a Clock, so that production uses the
// wall clock while tests and simulations use a Virtual clock that jumps from
// event to event (a simulated day in seconds) or runs at a scaled real-time
// speed for interactive use.
package clock

import "time"

// Clock tells the time and runs functions later.
type Clock interface {
	Now() time.Time
	// AfterFunc runs f once, d from now, on a goroutine of the clock's
	// choosing. A Virtual clock runs it on the goroutine that advances time.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc.
type Timer interface {
	// Stop cancels the call; it reports whether the call was still pending.
	Stop() bool
}

// Real is the wall clock.
type Real struct{}

// Now returns the wall-clock time.
func (Real) Now() time.Time { return time.Now() }

// AfterFunc runs f on its own goroutine after d.
func (Real) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
