package metrics

import (
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/intake"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestOnEvent(t *testing.T) {
	tests := []struct {
		name   string
		events []drain.Event
		check  func(t *testing.T, m *Metrics)
	}{
		{"started by reason", []drain.Event{
			{Type: drain.EventStarted, InstanceID: "i-1", Reason: drain.ReasonLifecycle, Time: t0},
			{Type: drain.EventStarted, InstanceID: "i-2", Reason: drain.ReasonLifecycle, Time: t0},
			{Type: drain.EventStarted, InstanceID: "i-3", Reason: drain.ReasonSpot, Time: t0},
		}, func(t *testing.T, m *Metrics) {
			want(t, testutil.ToFloat64(m.drainsStarted.WithLabelValues("lifecycle")), 2)
			want(t, testutil.ToFloat64(m.drainsStarted.WithLabelValues("spot-interruption")), 1)
		}},
		{"completed with duration from the detail", []drain.Event{
			{Type: drain.EventCompleted, InstanceID: "i-1", Reason: drain.ReasonOperator, Time: t0, Detail: "drained in 12m30s; 0 leftover network interface(s) deleted"},
		}, func(t *testing.T, m *Metrics) {
			want(t, testutil.ToFloat64(m.drainsCompleted.WithLabelValues("operator", "false")), 1)
			assertHistogram(t, m, `drainer_drain_duration_seconds_sum{reason="operator"} 750`)
		}},
		{"overdue completion timed from its start event", []drain.Event{
			{Type: drain.EventStarted, InstanceID: "i-1", Reason: drain.ReasonForced, Time: t0},
			{Type: drain.EventCompleted, InstanceID: "i-1", Reason: drain.ReasonForced, Time: t0.Add(90 * time.Second), Overdue: true, Detail: "unreadable"},
		}, func(t *testing.T, m *Metrics) {
			want(t, testutil.ToFloat64(m.drainsCompleted.WithLabelValues("forced", "true")), 1)
			assertHistogram(t, m, `drainer_drain_duration_seconds_sum{reason="forced"} 90`)
		}},
		{"tasks stopped by class", []drain.Event{
			{Type: drain.EventTaskStopped, Detail: "arn:aws:ecs:t/1: drainer: daemon task stopped last on a draining instance"},
			{Type: drain.EventTaskStopped, Detail: "arn:aws:ecs:t/2: drainer: standalone task stopped in time to finish before the drain deadline"},
			{Type: drain.EventTaskStopped, Detail: "arn:aws:ecs:t/3: drainer: standalone task stopped by policy on a draining instance"},
			{Type: drain.EventTaskStopped, Detail: "arn:aws:ecs:t/4: drainer: hard deadline of the drain reached"},
			{Type: drain.EventTaskStopped, Detail: "arn:aws:ecs:t/5"},
		}, func(t *testing.T, m *Metrics) {
			want(t, testutil.ToFloat64(m.tasksStopped.WithLabelValues(ClassDaemon)), 1)
			want(t, testutil.ToFloat64(m.tasksStopped.WithLabelValues(ClassStandalone)), 2)
			want(t, testutil.ToFloat64(m.tasksStopped.WithLabelValues(ClassHardDeadline)), 1)
			want(t, testutil.ToFloat64(m.tasksStopped.WithLabelValues(ClassOther)), 1)
		}},
		{"drains not recorded by reason", []drain.Event{
			{Type: drain.EventStarted, InstanceID: "i-1", Reason: drain.ReasonLifecycle, Time: t0},
			{Type: drain.EventNotRecorded, InstanceID: "i-1", Reason: drain.ReasonLifecycle, Time: t0},
		}, func(t *testing.T, m *Metrics) {
			want(t, testutil.ToFloat64(m.drainsNotRecorded.WithLabelValues("lifecycle")), 1)
			want(t, testutil.ToFloat64(m.drainsStarted.WithLabelValues("lifecycle")), 1)
		}},
		{"phase changes and releases count nothing", []drain.Event{
			{Type: drain.EventPhaseChanged, Reason: drain.ReasonTTL},
			{Type: drain.EventReleased, Reason: drain.ReasonTTL},
		}, func(t *testing.T, m *Metrics) {
			want(t, float64(testutil.CollectAndCount(m.drainsStarted)+testutil.CollectAndCount(m.drainsCompleted)+testutil.CollectAndCount(m.drainsNotRecorded)+testutil.CollectAndCount(m.tasksStopped)), 0)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New()
			for _, ev := range tt.events {
				m.OnEvent(ev)
			}
			tt.check(t, m)
		})
	}
}

func TestOnCall(t *testing.T) {
	throttle := &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
	other := &smithy.GenericAPIError{Code: "ValidationError", Message: "no active lifecycle action"}
	tests := []struct {
		name                         string
		service, op                  string
		err                          error
		calls, throttles, hb, action float64
	}{
		{"plain call", "ecs", "ListTasks", nil, 1, 0, 0, 0},
		{"throttled", "ecs", "ListTasks", throttle, 1, 1, 0, 0},
		{"throttle wrapped", "ec2", "DescribeInstances", fmt.Errorf("describe: %w", &smithy.GenericAPIError{Code: "RequestLimitExceeded"}), 1, 1, 0, 0},
		{"heartbeat", "autoscaling", "RecordLifecycleActionHeartbeat", nil, 1, 0, 1, 0},
		{"failed heartbeat", "autoscaling", "RecordLifecycleActionHeartbeat", other, 1, 0, 0, 0},
		{"completion", "autoscaling", "CompleteLifecycleAction", nil, 1, 0, 0, 1},
		{"network error", "sqs", "ReceiveMessage", errors.New("connection refused"), 1, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New()
			m.OnCall(tt.service, tt.op, tt.err)
			want(t, testutil.ToFloat64(m.apiCalls.WithLabelValues(tt.service, tt.op)), tt.calls)
			want(t, testutil.ToFloat64(m.apiThrottles.WithLabelValues(tt.service, tt.op)), tt.throttles)
			want(t, testutil.ToFloat64(m.heartbeats), tt.hb)
			want(t, testutil.ToFloat64(m.lifecycleCompleted), tt.action)
		})
	}
}

func TestIntakeAndEvents(t *testing.T) {
	m := New()
	im := m.Intake()
	im.Handled(intake.KindLifecycleAction)
	im.Handled(intake.KindLifecycleAction)
	im.Failed(intake.KindSpotInterruption)
	im.Skipped(intake.ReasonNotJSON)
	im.ReceiveError()
	im.DeleteError()
	im.ExtendError()
	m.EventPublished("published")
	m.EventPublished("failed")
	want(t, testutil.ToFloat64(m.queueMessages.WithLabelValues("handled", "lifecycle-action")), 2)
	want(t, testutil.ToFloat64(m.queueMessages.WithLabelValues("failed", "spot-interruption")), 1)
	want(t, testutil.ToFloat64(m.queueMessages.WithLabelValues("skipped", intake.ReasonNotJSON)), 1)
	for _, op := range []string{"receive", "delete", "extend"} {
		want(t, testutil.ToFloat64(m.queueErrors.WithLabelValues(op)), 1)
	}
	want(t, testutil.ToFloat64(m.eventsPublished.WithLabelValues("published")), 1)
	want(t, testutil.ToFloat64(m.eventsPublished.WithLabelValues("failed")), 1)
}

func TestHandlerServesExposition(t *testing.T) {
	m := New()
	m.OnCall("ecs", "ListClusters", nil)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != 200 || !strings.Contains(string(body), `drainer_api_calls_total{operation="ListClusters",service="ecs"} 1`) {
		t.Fatalf("GET /metrics = %d:\n%s", rec.Code, body)
	}
}

func assertHistogram(t *testing.T, m *Metrics, line string) {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(rec.Body.String(), line) {
		t.Errorf("exposition lacks %q", line)
	}
}

func want(t *testing.T, got, want float64) {
	t.Helper()
	if got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}
