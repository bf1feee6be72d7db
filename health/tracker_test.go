package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/clock"
)

// errGone is an attempt's error as the SDK reports it to OnCall.
var errGone = errors.New("api error AWS.SimpleQueueService.NonExistentQueue: The specified queue does not exist.")

// get serves h once and returns the status and the decoded verdict.
func get(t *testing.T, h http.Handler) (int, Verdict) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var v Verdict
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	return rec.Code, v
}

func TestTrackerGoesUnhealthyAndBack(t *testing.T) {
	clk := clock.NewVirtual(t0)
	tr := New(Options{Clock: clk, UnhealthyAfter: 5 * time.Minute, Queue: true})
	tr.OnCall("sqs", "ReceiveMessage", nil)
	if code, v := get(t, tr.Healthz()); code != 200 || !v.OK || !v.Dependencies[Queue].LastOK.Equal(t0) {
		t.Fatalf("after a receive: %d %+v", code, v)
	}

	clk.RunFor(time.Minute)
	failedAt := clk.Now()
	tr.OnCall("sqs", "ReceiveMessage", errGone)
	clk.RunFor(4 * time.Minute)
	tr.OnCall("sqs", "ReceiveMessage", errGone) // still failing: the first failure counts
	if code, v := get(t, tr.Healthz()); code != 200 || !v.Dependencies[Queue].FailingSince.Equal(failedAt) || v.Dependencies[Queue].LastError != "sqs ReceiveMessage: "+errGone.Error() {
		t.Fatalf("failing for 4 min: %d %+v", code, v)
	}
	clk.RunFor(time.Minute + time.Second)
	code, v := get(t, tr.Healthz())
	if code != http.StatusServiceUnavailable || v.OK || v.Status != "unhealthy" || len(v.Reasons) != 1 {
		t.Fatalf("failing for 5m1s: %d %+v", code, v)
	}

	tr.OnCall("sqs", "ReceiveMessage", nil)
	if code, v := get(t, tr.Healthz()); code != 200 || !v.OK || !v.Dependencies[Queue].FailingSince.IsZero() || v.Dependencies[Queue].LastError != "" {
		t.Fatalf("after the queue came back: %d %+v", code, v)
	}
}

func TestTrackerOnCall(t *testing.T) {
	answered := func(err error) bool { return err == nil || err.Error() == "ValidationError" }
	for _, c := range []struct {
		name               string
		service, operation string
		err                error
		want               map[Dependency]bool // dependency → failing; absent: not recorded
	}{
		{"a receive", "sqs", "ReceiveMessage", nil, map[Dependency]bool{Queue: false}},
		{"a failed receive", "sqs", "ReceiveMessage", errGone, map[Dependency]bool{Queue: true}},
		{"the start-up read", "sqs", "GetQueueAttributes", errGone, map[Dependency]bool{Queue: true}},
		{"resolving the queue", "sqs", "GetQueueUrl", nil, map[Dependency]bool{Queue: false}},
		{"a delete names messages, not the queue", "sqs", "DeleteMessageBatch", errGone, map[Dependency]bool{}},
		{"a visibility change", "sqs", "ChangeMessageVisibility", errors.New("message gone"), map[Dependency]bool{}},
		{"an ECS call", "ecs", "DescribeContainerInstances", nil, map[Dependency]bool{AWS: false}},
		{"an answer that is an error of the call", "autoscaling", "CompleteLifecycleAction", errors.New("ValidationError"), map[Dependency]bool{AWS: false}},
		{"no answer", "ec2", "DescribeInstances", errors.New("dial tcp: refused"), map[Dependency]bool{AWS: true}},
		{"drainer stopping", "ecs", "ListTasks", fmt.Errorf("list tasks: %w", context.Canceled), map[Dependency]bool{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := New(Options{Clock: clock.NewVirtual(t0), Answered: answered})
			tr.OnCall(c.service, c.operation, c.err)
			_, v := get(t, tr.Healthz())
			if len(v.Dependencies) != len(c.want) {
				t.Errorf("dependencies %+v, want %v", v.Dependencies, c.want)
			}
			for d, failing := range c.want {
				r, ok := v.Dependencies[d]
				if !ok || !r.FailingSince.IsZero() != failing {
					t.Errorf("%s: %+v (recorded %t), want failing %t", d, r, ok, failing)
				}
				if want := c.service + " " + c.operation + ": " + fmt.Sprint(c.err); failing && r.LastError != want {
					t.Errorf("%s: last error %q, want %q (the call named)", d, r.LastError, want)
				}
			}
		})
	}
}

// sqsCall is an SQS operation and its outcome, as OnCall reports it.
type sqsCall struct {
	op  string
	err error
}

func TestTrackerReadiness(t *testing.T) {
	for _, c := range []struct {
		name string
		// calls are the SQS operations recorded after adoption, each a
		// success unless its error is set.
		calls []sqsCall
		ready bool
	}{
		{name: "nothing read"},
		{name: "the queue resolved, not read", calls: []sqsCall{{"GetQueueUrl", nil}}},
		{name: "the start check failed", calls: []sqsCall{{"GetQueueAttributes", errGone}}},
		{name: "the start check read the queue: ready before any receive", calls: []sqsCall{{"GetQueueUrl", nil}, {"GetQueueAttributes", nil}}, ready: true},
		{name: "a failed receive", calls: []sqsCall{{"ReceiveMessage", errGone}}},
		{name: "a receive", calls: []sqsCall{{"ReceiveMessage", nil}}, ready: true},
		{name: "a delete is no read of the queue", calls: []sqsCall{{"DeleteMessageBatch", nil}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := New(Options{Clock: clock.NewVirtual(t0), Queue: true})
			tr.Adopted()
			for _, call := range c.calls {
				tr.OnCall("sqs", call.op, call.err)
			}
			code, v := get(t, tr.Readyz())
			if (code == 200) != c.ready || v.OK != c.ready {
				t.Errorf("/readyz = %d %+v, want ready %t", code, v, c.ready)
			}
		})
	}
}

func TestTrackerReadinessOnce(t *testing.T) {
	tr := New(Options{Clock: clock.NewVirtual(t0), Queue: true})
	if code, v := get(t, tr.Readyz()); code != http.StatusServiceUnavailable || len(v.Reasons) != 2 {
		t.Fatalf("at start: %d %+v", code, v)
	}
	tr.OnCall("sqs", "GetQueueAttributes", nil)
	if code, v := get(t, tr.Readyz()); code != http.StatusServiceUnavailable || len(v.Reasons) != 1 {
		t.Fatalf("the queue read, the drains not adopted: %d %+v", code, v)
	}
	tr.Adopted()
	if code, v := get(t, tr.Readyz()); code != 200 || v.Status != "ok" {
		t.Fatalf("adopted and the queue read: %d %+v", code, v)
	}
	// Readiness, once reached, does not follow the queue: liveness does.
	tr.OnCall("sqs", "ReceiveMessage", errGone)
	if code, _ := get(t, tr.Readyz()); code != 200 {
		t.Fatalf("a failed receive after the start: %d", code)
	}
}

func TestNewDefaults(t *testing.T) {
	tr := New(Options{})
	if tr.opts.UnhealthyAfter != DefaultUnhealthyAfter {
		t.Errorf("UnhealthyAfter %v", tr.opts.UnhealthyAfter)
	}
	tr.OnCall("ecs", "ListClusters", errors.New("ValidationError"))
	if v := tr.Live(); v.Dependencies[AWS].FailingSince.IsZero() {
		t.Errorf("without Answered an error is a failure: %+v", v)
	}
}
