// Package doctor checks a drainer setup against AWS, for `drainer doctor`:
// drainer's queue exists and may be read; every Auto Scaling group of the
// served ECS clusters (found as `drainer setup` finds them, package
// membership) has a termination lifecycle hook drainer owns
// (Config.Hooks), with a heartbeat timeout that suits drainer's heartbeat
// schedule, default result CONTINUE, and lifecycle actions that reach the
// queue (its notification target, or an EventBridge rule); EventBridge
// rules send Spot interruption warnings and ECS task state changes to the
// queue; no instance is kept past its group's maximum instance lifetime by
// scale-in protection; no service sits at 100/100, which can never drain.
// Hooks drainer does not own (another team's, ECS's managed draining
// hook) are never given advice: doctor only warns when one can cut a drain
// short.
//
// Observe reads what the checks need through Reader (read-only calls of
// package cloud's interfaces); Decide, a pure function of what was read and
// the time, turns it into Findings; Check does both. Findings are values
// (severity, subject, message, advice) for the caller to print; the
// advice names `drainer setup` first where it fixes the finding, and the
// AWS CLI commands making what setup would make (fix.go).
package doctor
