// Package health tells whether a running drainer is alive and whether it
// is ready, for the /healthz and /readyz endpoints of its API.
//
// Alive: drainer can still reach what its drains depend on — its SQS
// queue (the receives of the consumer) and AWS (every other call). A
// dependency that has failed, without a success since, for longer than
// the configured time (--unhealthy-after, 5 min by default) makes drainer
// unhealthy: /healthz answers 503 with the reasons, so that whatever runs
// drainer (ECS, Kubernetes, systemd) restarts or flags it, instead of a
// controller that retries for ever while saying "ok".
//
// A call that hangs (a half-open connection) counts once its attempt
// fails: cloud/aws bounds every attempt over a real connection, so the
// failure comes at most a couple of minutes after the dependency stopped
// answering, well within --unhealthy-after.
//
// Ready: the controller has adopted the drains recorded on the clusters
// (it resumed them at start) and, with a queue, has read it once — the
// start check of the queue does, before the API serves — so a drainer is
// ready as soon as it serves, not after its first long poll returns.
//
// Tracker records what happens (fed by cloud/aws's OnCall hook) on an
// injected clock; Live and Ready are the pure decisions over what it
// recorded; Tracker's Healthz and Readyz serve them as JSON.
package health
