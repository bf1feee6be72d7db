package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is drainer's set of collectors. It is safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	drainsStarted      *prometheus.CounterVec
	drainsCompleted    *prometheus.CounterVec
	drainsNotRecorded  *prometheus.CounterVec
	drainDuration      *prometheus.HistogramVec
	tasksStopped       *prometheus.CounterVec
	lifecycleCompleted prometheus.Counter
	heartbeats         prometheus.Counter
	queueMessages      *prometheus.CounterVec
	queueErrors        *prometheus.CounterVec
	apiCalls           *prometheus.CounterVec
	apiThrottles       *prometheus.CounterVec
	eventsPublished    *prometheus.CounterVec
	noticesIgnored     *prometheus.CounterVec
	tasksLost          *prometheus.CounterVec

	starts startTimes
}

// DurationBuckets are the drain duration buckets: 10 s to 48 h (ECS's
// DRAINING limit), roughly ×2.5 apart.
var DurationBuckets = []float64{
	10, 30, 60, 120, 300, 600, 1200, 1800, 3600, // up to 1 h
	2 * 3600, 4 * 3600, 8 * 3600, 12 * 3600, 24 * 3600, 48 * 3600,
}

// New returns drainer's collectors registered on a new registry, with the
// Go runtime and process collectors beside them.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		drainsStarted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "drainer_drains_started_total", Help: "Drains started, by reason.",
		}, []string{"reason"}),
		drainsCompleted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "drainer_drains_completed_total", Help: "Drains completed, by reason; overdue=\"true\" when the hard deadline forced the instance out with tasks still on it.",
		}, []string{"reason", "overdue"}),
		drainsNotRecorded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "drainer_drains_not_recorded_total", Help: "Drains that could not be recorded on their container instance, by reason: it already carries the 10 custom attributes ECS allows, so the drain runs from memory and does not survive a restart of drainer.",
		}, []string{"reason"}),
		drainDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "drainer_drain_duration_seconds", Help: "Time from the start of a drain to its completion, by reason.",
			Buckets: DurationBuckets,
		}, []string{"reason"}),
		tasksStopped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "drainer_tasks_stopped_total", Help: "Tasks drainer stopped, by class (daemon, standalone, or hard-deadline for any task stopped because the graceful phase ended).",
		}, []string{"class"}),
		lifecycleCompleted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "drainer_lifecycle_actions_completed_total", Help: "Auto Scaling lifecycle actions completed (successful CompleteLifecycleAction calls).",
		}),
		heartbeats: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "drainer_heartbeats_sent_total", Help: "Lifecycle action heartbeats sent (successful RecordLifecycleActionHeartbeat calls).",
		}),
		queueMessages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "drainer_queue_messages_total", Help: "Queue messages by outcome (handled, failed, skipped) and kind (the notice kind; for skipped messages, the skip reason).",
		}, []string{"outcome", "kind"}),
		queueErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "drainer_queue_errors_total", Help: "Failed queue calls by operation (receive, delete, extend).",
		}, []string{"operation"}),
		apiCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "drainer_api_calls_total", Help: "AWS API attempts, retries included, by service and operation.",
		}, []string{"service", "operation"}),
		apiThrottles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "drainer_api_throttles_total", Help: "AWS API attempts AWS throttled, by service and operation.",
		}, []string{"service", "operation"}),
		eventsPublished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "drainer_events_published_total", Help: "Drain events sent to EventBridge by outcome (published, failed, dropped when the buffer was full).",
		}, []string{"outcome"}),
		noticesIgnored: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "drainer_notices_ignored_total", Help: "Notices drainer left alone, by kind and reason (hook-not-owned, group-not-served, not-waiting, not-spot): deleted from the queue, nothing touched.",
		}, []string{"kind", "reason"}),
		tasksLost: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "drainer_tasks_lost_total", Help: "Tasks lost with an ECS agent that stayed disconnected on a draining instance, by class (service tasks are replaced by ECS; standalone ones are not).",
		}, []string{"class"}),
		starts: startTimes{m: map[string]startTime{}},
	}
	m.reg.MustRegister(
		m.drainsStarted, m.drainsCompleted, m.drainsNotRecorded, m.drainDuration, m.tasksStopped,
		m.lifecycleCompleted, m.heartbeats, m.queueMessages, m.queueErrors,
		m.apiCalls, m.apiThrottles, m.eventsPublished, m.noticesIgnored, m.tasksLost,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Registry returns the registry the collectors are on.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the collectors in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// EventPublished counts one drain event sent to EventBridge by outcome:
// "published", "failed" or "dropped".
func (m *Metrics) EventPublished(outcome string) {
	m.eventsPublished.WithLabelValues(outcome).Inc()
}
