package lambdafn

import "time"

// The Lambda mode's timing. Its process is there only while an invocation
// runs: between two it is frozen, and it may be thrown away and replaced
// by a fresh one at any time. So the time-driven work of `drainer run` —
// heartbeats, deadlines, fallback looks, scans — comes from a scheduled
// EventBridge rule, one round every Period (a minute: the finest rate a
// schedule takes), and a round does only what is due by its own time or,
// for heartbeats, before the next round can come.
//
// Heartbeats across invocations. A lifecycle action is extended by a
// heartbeat for its hook's heartbeat timeout T; drainer sends the next one
// T/2 after the last (drain.NextHeartbeat). A round sends every heartbeat
// due by its time plus Ahead (two periods), not only those due by its
// time: a heartbeat due between two rounds goes in the round before, and
// when one round is lost or late the next still comes before the action's
// expiry, provided T is at least MinHeartbeatTimeout (three periods). A
// fresh process knows no heartbeat: its first look at each drain (every
// round resumes the drains recorded on the container instances) sends one
// at once, which costs a call per drain and never lets an action lapse.

// DefaultPeriod is the period of the scheduled rule: a minute, the finest
// rate an EventBridge schedule expression takes ("rate(1 minute)";
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html).
const DefaultPeriod = time.Minute

// DefaultReserve is the time an invocation keeps free before its deadline:
// the work of a round or a batch ends then, and the drain events still
// queued are published (each PutEvents is bounded by 10 s).
const DefaultReserve = 10 * time.Second

// Ahead is how far ahead of its own time a round sends heartbeats, for
// rounds every period: two periods, so that a heartbeat falling due before
// the next round, or the one after it when a round is lost, goes now.
func Ahead(period time.Duration) time.Duration { return 2 * period }

// MinHeartbeatTimeout is the shortest hook heartbeat timeout that rounds
// every period keep alive: a heartbeat goes in every round once the
// timeout is that short, and the action must outlive one lost round (two
// periods between heartbeats) plus a period for a late or slow round.
// A hook with a shorter one times out between rounds (the Lambda mode
// warns of it).
func MinHeartbeatTimeout(period time.Duration) time.Duration { return 3 * period }

// HookMargin is how long before its hook's global timeout the Lambda mode
// completes a lifecycle action at the latest (drain.Policy.HookMargin): a
// look due at a deadline runs at the first round after it, up to a period
// late, or two when a round is lost, so the minute `drainer run` keeps
// grows by two periods.
func HookMargin(period time.Duration) time.Duration { return time.Minute + 2*period }

// Budget is how long an invocation may work: until reserve before its
// deadline (remaining is the time left until it), and never longer than
// a period less reserve, so that a round ends before the next is due. Zero
// or less means no time to work.
func Budget(remaining, reserve, period time.Duration) time.Duration {
	return min(remaining, period) - reserve
}

// ScanDue reports whether a round at now runs the periodic scans, the
// last having run at last (zero: never in this process) and the scans
// being wanted every interval (0 or less: never): due once the interval
// has passed less half a period, since rounds come about a period apart
// and a round a moment early must not put the scan off a whole period.
func ScanDue(last, now time.Time, interval, period time.Duration) bool {
	switch {
	case interval <= 0:
		return false
	case last.IsZero():
		return true
	}
	return now.Sub(last) >= interval-period/2
}

// DefaultTakeUpGrace is how long, unless Options.TakeUpGrace says
// otherwise, a round waits after its scan found them before it takes up
// the instances in Terminating:Wait with no drain the scan found so for
// the first time: a lifecycle message reaches the function within seconds
// of its action, and one handled meanwhile in another execution
// environment has then recorded its drain on the container instance, which
// the take-up joins rather than starting a second.
const DefaultTakeUpGrace = 15 * time.Second

// TakeUpWork is the least time a round must have left, once its take-up
// grace has passed, to take up what its scan found; with less, the next
// round does.
const TakeUpWork = 10 * time.Second

// MaxTakeUpGrace is the longest take-up grace that still leaves a round
// TakeUpWork to take up what its scan found, for rounds every period that
// keep reserve free before their deadline (Budget): period − reserve −
// TakeUpWork, less than that in practice by the time the scan takes.
// Zero or less means no grace fits.
func MaxTakeUpGrace(period, reserve time.Duration) time.Duration {
	return period - reserve - TakeUpWork
}
