// Package metrics holds drainer's Prometheus collectors on a registry of
// their own, and the small methods the running controller wires to the
// reconciler's events (OnEvent), the AWS client's per-attempt hook
// (OnCall), the queue consumer (Intake) and the EventBridge publisher
// (EventPublished). Handler serves them on /metrics.
package metrics
