// Package cloud is the narrow seam between drainer and AWS: one small
// interface per service (ECS, AutoScaling, EC2, Queue, Events), Cloud
// embedding them all, and plain Go domain types so that no SDK type leaks
// into the reconciler, the intake or the scans.
//
// The production implementation is package cloud/aws (aws-sdk-go-v2); tests
// and `drainer dev` use that same implementation pointed at the emulator's
// endpoint, so the production path is the one that gets tested. Fakes for
// unit tests of drainer's own logic can implement just the interface they
// need.
//
// Every method takes a context, pages through every result, batches to the
// API limits, and returns errors that wrap the sentinels below (ErrNotFound,
// ErrNoActiveLifecycleAction, ErrThrottled) with context, while the AWS
// error itself stays reachable with errors.As(err, &smithy.APIError). Each
// method documents which sentinels it returns and when; any method may
// return ErrThrottled; every other failure (a refusal about something else,
// a network error, the context ending) is the underlying error wrapped with
// what was being done, carrying no sentinel.
//
// AWS throttles each account by buckets shared by every tool of the
// account; the implementation paces its calls to a share of each bucket,
// and a call waits its turn in its bucket's line. WithPriority marks a
// context so that its calls wait at that priority: urgent calls (lifecycle
// heartbeats and completions, always) go first, background scans last.
// Reads that AWS answers in batches (container instances, tasks, group
// instances, EC2 instances) and the ECS drain are coalesced: concurrent
// callers asking within a few milliseconds share one call, and each gets
// its own items.
package cloud
