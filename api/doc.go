// Package api is the running controller's HTTP API: operators start drains
// and forced deregistrations and list the drains in progress; monitoring
// reads /healthz (liveness), /readyz (readiness) and /metrics.
//
//	POST /v1/drains      {"instanceId":"i-…","deadline":"30m","reason":"…"}
//	POST /v1/deregister  {"instanceId":"i-…","force":true}
//	GET  /v1/drains
//	GET  /healthz
//	GET  /readyz
//	GET  /metrics
//
// Errors are JSON objects {"error":"…"}: 400 for bad input, 404 for an
// instance that is no container instance of a served cluster, 429 when the
// group's disruption budget is spent, 503 when the drain could not be
// recorded on the instance.
//
// Client is the typed Go client of this API, which drainer's own
// commands (drain, deregister, status, watch) use.
package api
