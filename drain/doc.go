// Package drain decides what a drain of one container instance does next.
//
// It is the pure core of drainer's reconciler, in the shape of etcd's raft:
// Decide reads an Observation (the instance, its tasks, its lifecycle
// action, the drain's durable Record and the time) and returns the actions
// to take and when to look again. It performs no I/O and keeps no state, so
// every rule is a table test and a restarted drainer decides exactly as the
// one before it: the deadlines are absolute times in the Record, which the
// caller keeps on the container instance as drainer.* ECS attributes.
//
// A drain has two phases and one release:
//  1. Graceful, until GracefulUntil: the instance is DRAINING; ECS moves the
//     service tasks within their deployment limits (drainer never stops a
//     service task in this phase); standalone tasks run, or are stopped by
//     policy (at GracefulUntil minus their stop timeout by default); daemon
//     tasks stop only once nothing else is left; the lifecycle action is kept
//     alive with heartbeats.
//  2. Hard, from GracefulUntil (at once when forced): every remaining task is
//     stopped, daemon tasks last.
//
// When the instance is empty — every task observed STOPPED, never merely
// asked to stop — or the hard Deadline has come, the instance is released:
// the lifecycle action completed with CONTINUE (or the instance terminated)
// and the container instance deregistered, in that order, since
// deregistering deletes the drain's record; past the hard deadline with
// tasks still there, it is deregistered with force first, so that ECS
// replaces the orphaned service tasks at once. Last, once the host is
// going, the network interfaces its tasks left behind are deleted.
package drain
