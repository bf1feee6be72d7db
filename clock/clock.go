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

// Detached returns c as a clock whose goroutines (Go) are ordinary ones and
// whose waits block like any other: for code that runs beside a Virtual
// clock moved by RunScaled but waits on what that clock cannot see, such
// as a drainer talking to the emulator over TCP (a goroutine of the
// clock blocked on a socket would keep the clock from moving).
func Detached(c Clock) Clock { return detached{c} }

type detached struct{ c Clock }

func (d detached) Now() time.Time                              { return d.c.Now() }
func (d detached) AfterFunc(dur time.Duration, f func()) Timer { return d.c.AfterFunc(dur, f) }
