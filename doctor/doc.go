// Package doctor checks a drainer setup against AWS, for `drainer doctor`:
// every Auto Scaling group of the served ECS clusters has a termination
// lifecycle hook with a sensible heartbeat timeout and default result that
// notifies drainer's queue; EventBridge rules send Spot interruption warnings
// and ECS task state changes to that queue; no instance is kept past its
// group's maximum instance lifetime by scale-in protection; no service sits
// at 100/100, which can never drain.
//
// Observe reads what the checks need through Reader (read-only calls of
// package cloud's interfaces); Decide, a pure function of what was read and
// the time, turns it into Findings; Check does both. Findings are values
// (severity, subject, message, advice) for the caller to print.
package doctor
