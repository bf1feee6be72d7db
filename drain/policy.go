package drain

import (
	"fmt"
	"time"
)

// Standalone says what happens to standalone tasks (RunTask/StartTask, no
// service) in the graceful phase. ECS never moves them.
type Standalone string

// The standalone-task policies.
const (
	// StandaloneWait lets them run until the graceful phase ends.
	StandaloneWait Standalone = "wait"
	// StandaloneStopAtDeadline stops each at GracefulUntil minus its stop
	// timeout, so it still gets its whole graceful stop inside phase 1.
	StandaloneStopAtDeadline Standalone = "stop-at-deadline"
	// StandaloneStop stops them as soon as the drain starts.
	StandaloneStop Standalone = "stop"
)

// ParseStandalone reads a --standalone flag value.
func ParseStandalone(s string) (Standalone, error) {
	switch v := Standalone(s); v {
	case StandaloneWait, StandaloneStopAtDeadline, StandaloneStop:
		return v, nil
	}
	return "", fmt.Errorf("standalone policy %q: want wait, stop-at-deadline or stop", s)
}

// Policy holds the deadlines and rules drains follow.
type Policy struct {
	Standalone Standalone
	// DrainingLimit caps the graceful phase: ECS keeps an instance DRAINING
	// for at most 48 hours.
	DrainingLimit time.Duration
	// HardStop is the time kept between the end of the graceful phase and
	// the hard deadline, for phase 2 to stop what is left.
	HardStop time.Duration
	// HookMargin: a lifecycle action is completed at least this long before
	// its hook's global timeout.
	HookMargin time.Duration
	// Graceful is the default graceful phase by reason (lifecycle drains
	// use DrainingLimit, bounded by the hook).
	Graceful map[Reason]time.Duration
	// TTLDeadline is the hard deadline of a time-to-live drain after its
	// start.
	TTLDeadline time.Duration
	// SpotWarning is the time between a Spot interruption warning and the
	// instance's end; SpotHardStop the part of it kept for phase 2.
	SpotWarning  time.Duration
	SpotHardStop time.Duration
	// FallbackPoll bounds the time between two looks at a drain when no
	// event wakes it.
	FallbackPoll time.Duration
	// ReleaseWait is how long a released drain waits for its host to go
	// (so that the network interfaces its tasks leave behind can be
	// deleted) before cleaning up anyway; ReleasePoll how often it looks.
	ReleaseWait time.Duration
	ReleasePoll time.Duration
	// RegistrationGrace is how long after its launch a terminating
	// instance whose ECS agent has not registered is watched (drained if
	// it registers) before it is released.
	RegistrationGrace time.Duration
	// AgentGrace is how long a draining instance's ECS agent may stay
	// disconnected before the container instance is deregistered with
	// force, so that ECS places its service tasks elsewhere.
	AgentGrace time.Duration
}

// DefaultPolicy is drainer's default: DESIGN.md §3's deadlines,
// standalone tasks stopped at the deadline minus their stop timeout.
func DefaultPolicy() Policy {
	return Policy{
		Standalone:    StandaloneStopAtDeadline,
		DrainingLimit: 48 * time.Hour,
		HardStop:      5 * time.Minute,
		HookMargin:    time.Minute,
		Graceful: map[Reason]time.Duration{
			ReasonIdle:      time.Hour,
			ReasonTTL:       48 * time.Hour,
			ReasonRebalance: 30 * time.Minute,
			ReasonOperator:  time.Hour,
		},
		TTLDeadline:  7 * 24 * time.Hour,
		SpotWarning:  2 * time.Minute,
		SpotHardStop: 40 * time.Second,
		FallbackPoll: 2 * time.Minute,
		ReleaseWait:  10 * time.Minute,
		ReleasePoll:  15 * time.Second,

		RegistrationGrace: 5 * time.Minute,
		AgentGrace:        5 * time.Minute,
	}
}

// Trigger is what starts (or joins) a drain.
type Trigger struct {
	Reason Reason
	// At is when it happened: the notice time of a Spot warning, the start
	// of a lifecycle action, the time of an operator's request.
	At time.Time
	// Group, Hook and Token identify the lifecycle action, if any, and
	// HookGlobalTimeout is its hook's global timeout.
	Group, Hook, Token string
	HookGlobalTimeout  time.Duration
	// Graceful overrides the graceful phase (an operator's --deadline).
	Graceful time.Duration
	// Beat is when the lifecycle action was last extended as far as the
	// caller knows (a heartbeat it sent); zero when it does not know. The
	// drain's heartbeats of that action then begin half its hook's
	// heartbeat timeout after Beat instead of at once. Start takes the
	// action's start (At) for Beat when At is plausible (Policy.
	// TriggerTime): a thousand actions taken up at once then cost no
	// heartbeat each at once in Auto Scaling's one bucket.
	Beat time.Time
}

// TriggerTime is when a trigger happened as far as its drain's deadlines
// are concerned. Only AWS's own clocks bind a drain: a lifecycle action
// (its hook times out counting from its start) and a Spot warning (the
// instance goes two minutes after it); their message's time is used when
// it is plausible — not in the future, not older than the hook's global
// timeout (DrainingLimit when unknown) or the Spot warning's two minutes —
// else now, when drainer observed it: messages are not trusted, and an
// implausible time would give deadlines already passed, or negative
// durations. Every other drain counts from now.
func (p Policy) TriggerTime(t Trigger, now time.Time) time.Time {
	var window time.Duration
	switch {
	case t.Reason == ReasonSpot:
		window = p.SpotWarning
	case t.Reason != ReasonLifecycle:
		return now
	case t.HookGlobalTimeout > 0:
		window = t.HookGlobalTimeout
	default:
		window = p.DrainingLimit
	}
	if t.At.IsZero() || t.At.After(now) || t.At.Before(now.Add(-window)) {
		return now
	}
	return t.At
}

// Plan turns a trigger into a drain record with absolute deadlines.
func (p Policy) Plan(t Trigger) Record {
	r := Record{Reason: t.Reason, Started: t.At.UTC(), Group: t.Group, Hook: t.Hook, Token: t.Token}
	at := r.Started
	var graceful, hard time.Time
	switch t.Reason {
	case ReasonForced:
		// No graceful phase, but phase 2 still stops every task (daemon
		// tasks last) before the instance goes.
		graceful, hard = at, at.Add(p.HardStop)
	case ReasonSpot:
		hard = at.Add(p.SpotWarning)
		graceful = hard.Add(-p.SpotHardStop)
	case ReasonTTL:
		graceful = at.Add(p.graceful(t))
		hard = at.Add(p.TTLDeadline)
	default: // lifecycle, idle, rebalance, operator
		graceful = at.Add(p.graceful(t))
		hard = graceful.Add(p.HardStop)
	}
	if t.HookGlobalTimeout > 0 {
		// The action must be completed before the hook gives up on it.
		if limit := at.Add(t.HookGlobalTimeout - p.HookMargin); hard.After(limit) {
			hard = limit
		}
		if limit := hard.Add(-p.HardStop); graceful.After(limit) {
			graceful = limit
		}
	}
	if graceful.Before(at) {
		graceful = at
	}
	if hard.Before(graceful) {
		hard = graceful
	}
	r.GracefulUntil, r.Deadline = graceful, hard
	return r
}

func (p Policy) graceful(t Trigger) time.Duration {
	if t.Graceful > 0 {
		return min(t.Graceful, p.DrainingLimit)
	}
	if d, ok := p.Graceful[t.Reason]; ok {
		return min(d, p.DrainingLimit)
	}
	return p.DrainingLimit
}

// Merge joins a second trigger's record into a drain already under way:
// one drain per instance, the earliest deadlines win, and a lifecycle
// action learned later is kept so that it is completed.
func Merge(cur, next Record) Record {
	out := cur
	if next.Started.Before(out.Started) {
		out.Started = next.Started
	}
	if next.Deadline.Before(out.Deadline) {
		out.Deadline = next.Deadline
		out.Reason = next.Reason
	}
	if next.GracefulUntil.Before(out.GracefulUntil) {
		out.GracefulUntil = next.GracefulUntil
	}
	if out.GracefulUntil.After(out.Deadline) {
		out.GracefulUntil = out.Deadline
	}
	if next.Hook != "" && (out.Hook == "" || out.Token != next.Token) {
		out.Group, out.Hook, out.Token = next.Group, next.Hook, next.Token
	}
	return out
}
