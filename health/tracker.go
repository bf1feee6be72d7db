package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"sync"
	"time"

	"github.com/drainer-dev/drainer/clock"
)

// DefaultUnhealthyAfter is how long a dependency may fail, with no success,
// before drainer is unhealthy, unless Options say otherwise: longer than
// the consumer's longest backoff (1 min) and a few fallback looks, shorter
// than a lifecycle hook's heartbeat timeout (15 min recommended), so that
// a restarted drainer still heartbeats in time.
const DefaultUnhealthyAfter = 5 * time.Minute

// Options configure a Tracker.
type Options struct {
	// Clock stamps successes and failures (default the wall clock).
	Clock clock.Clock
	// UnhealthyAfter is how long a dependency may fail before Live says
	// unhealthy (default DefaultUnhealthyAfter).
	UnhealthyAfter time.Duration
	// Queue: drainer reads a queue, so readiness waits for a first
	// successful read of it (the start check's GetQueueAttributes, or a
	// receive).
	Queue bool
	// Answered tells whether an AWS call's error still means AWS answered
	// drainer (cloud/aws.Answered); nil counts only success as reached.
	Answered func(error) bool
}

// Tracker records when drainer last reached its dependencies and how far
// its start has gone. It is safe for concurrent use.
type Tracker struct {
	opts Options

	mu        sync.Mutex
	reach     map[Dependency]Reach
	adopted   bool
	queueRead bool
}

// New returns a Tracker; a dependency is known once a call to it is
// recorded.
func New(opts Options) *Tracker {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.UnhealthyAfter <= 0 {
		opts.UnhealthyAfter = DefaultUnhealthyAfter
	}
	if opts.Answered == nil {
		opts.Answered = func(err error) bool { return err == nil }
	}
	return &Tracker{opts: opts, reach: map[Dependency]Reach{}}
}

// Record records an attempt to reach dep: a success when err is nil, else
// a failure. A cancelled call (drainer stopping) is neither.
func (t *Tracker) Record(dep Dependency, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	now := t.opts.Clock.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.reach[dep]
	if err == nil {
		r = Reach{LastOK: now}
	} else {
		if r.FailingSince.IsZero() {
			r.FailingSince = now
		}
		r.LastError = err.Error()
	}
	t.reach[dep] = r
}

// OnCall records one AWS API attempt, as cloud/aws.Options.OnCall reports
// it: SQS's ReceiveMessage, GetQueueUrl and GetQueueAttributes reach the
// queue, which only a success reaches (a successful GetQueueAttributes or
// ReceiveMessage, a read of the queue, also counts for readiness); every
// call to another service reaches AWS when Options.Answered says AWS
// answered. SQS's other calls (deletes, visibility changes) name
// messages, not the queue's reach, and are not counted. A failure's error
// is recorded with its service and operation. An attempt that
// hangs is recorded when it fails: cloud/aws bounds each attempt over a
// real connection (cloud/aws.ResponseHeaderTimeout, AttemptTimeout), so a
// failure is recorded at most that long after the queue or AWS stopped
// answering.
func (t *Tracker) OnCall(service, operation string, err error) {
	if service == "sqs" {
		switch operation {
		case "ReceiveMessage", "GetQueueUrl", "GetQueueAttributes":
			t.Record(Queue, named(service, operation, err))
			if operation != "GetQueueUrl" && err == nil {
				t.mu.Lock()
				t.queueRead = true
				t.mu.Unlock()
			}
		}
		return
	}
	if t.opts.Answered(err) {
		err = nil
	}
	t.Record(AWS, named(service, operation, err))
}

// named is err with the call it failed, as in "sqs ReceiveMessage: …":
// an attempt's error does not name its operation (the SDK adds that once
// the call is over), and the reasons of /healthz should. nil stays nil.
func named(service, operation string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s %s: %w", service, operation, err)
}

// Adopted records that the controller resumed the recorded drains.
func (t *Tracker) Adopted() {
	t.mu.Lock()
	t.adopted = true
	t.mu.Unlock()
}

// Live is Live over what was recorded, now.
func (t *Tracker) Live() Verdict {
	now := t.opts.Clock.Now()
	t.mu.Lock()
	reach := maps.Clone(t.reach)
	t.mu.Unlock()
	return Live(reach, now, t.opts.UnhealthyAfter)
}

// Ready is Ready over what was recorded.
func (t *Tracker) Ready() Verdict {
	t.mu.Lock()
	defer t.mu.Unlock()
	return Ready(Readiness{Adopted: t.adopted, Queue: t.opts.Queue, QueueRead: t.queueRead})
}

// Healthz serves Live: 200 when OK, else 503, with the verdict as JSON.
func (t *Tracker) Healthz() http.Handler { return serve(t.Live) }

// Readyz serves Ready: 200 when OK, else 503, with the verdict as JSON.
func (t *Tracker) Readyz() http.Handler { return serve(t.Ready) }

func serve(judge func() Verdict) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := judge()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if !v.OK {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(v)
	})
}
