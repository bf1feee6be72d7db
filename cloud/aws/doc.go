// Package aws implements package cloud's interfaces on aws-sdk-go-v2: the
// production path, also used against the emulator's endpoint by tests and
// `drainer dev`.
//
// Around the SDK it adds what a controller needs under load: adaptive retry
// mode with backoff on throttling, one client-side token bucket per API
// family waiting on an injected clock (so virtual-time tests work), an
// OnCall hook for every attempt (metrics count calls and throttles by
// operation), pagination everywhere, batching to each API's limits, caches
// of immutable facts (task definitions, service scheduling strategies), and
// errors mapped onto cloud's sentinels without hiding the AWS error.
package aws
