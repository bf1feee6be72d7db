package health

import (
	"fmt"
	"slices"
	"time"

	"github.com/drainer-dev/drainer/duration"
)

// Dependency names something drainer must reach to drain.
type Dependency string

// drainer's dependencies.
const (
	// Queue is drainer's SQS queue: its receives (and the start-up read
	// of the queue).
	Queue Dependency = "queue"
	// AWS is every other AWS API drainer calls: ECS, Auto Scaling, EC2,
	// EventBridge.
	AWS Dependency = "aws"
)

// Reach is what is known of one dependency.
type Reach struct {
	// LastOK is the last success (zero: none yet).
	LastOK time.Time `json:"lastSuccess,omitzero"`
	// FailingSince is the first failure after the last success, zero when
	// the last attempt succeeded (or none was made).
	FailingSince time.Time `json:"failingSince,omitzero"`
	// LastError is the last failure's error text while failing.
	LastError string `json:"lastError,omitempty"`
}

// Verdict is the answer of /healthz or /readyz.
type Verdict struct {
	// OK: 200; otherwise 503.
	OK bool `json:"ok"`
	// Status is "ok", "unhealthy" (liveness) or "not ready" (readiness).
	Status string `json:"status"`
	// Reasons say, one a line, why not OK; none when OK.
	Reasons []string `json:"reasons,omitempty"`
	// Dependencies are what Live judged, by name (liveness only).
	Dependencies map[Dependency]Reach `json:"dependencies,omitempty"`
}

// Live judges liveness at now: drainer is unhealthy when a dependency has
// been failing, with no success since, for longer than after (a
// dependency failing for exactly after is still healthy). Reasons come in
// the order of the dependencies' names.
func Live(reach map[Dependency]Reach, now time.Time, after time.Duration) Verdict {
	v := Verdict{OK: true, Status: "ok", Dependencies: reach}
	names := make([]Dependency, 0, len(reach))
	for d := range reach {
		names = append(names, d)
	}
	slices.Sort(names)
	for _, d := range names {
		r := reach[d]
		if r.FailingSince.IsZero() {
			continue
		}
		failing := now.Sub(r.FailingSince)
		if failing <= after {
			continue
		}
		v.OK, v.Status = false, "unhealthy"
		v.Reasons = append(v.Reasons, fmt.Sprintf("%s unreachable for %s (more than %s), since %s: %s",
			d, duration.Short(failing), duration.Short(after), r.FailingSince.UTC().Format(time.RFC3339), r.LastError))
	}
	return v
}

// Readiness is what readiness is judged on.
type Readiness struct {
	// Adopted: the controller resumed the drains recorded on the
	// clusters' container instances.
	Adopted bool
	// Queue: drainer reads a queue; QueueRead: a read of it has succeeded
	// — the start check's (intake.CheckQueue, which `drainer run` passes
	// before it serves) or a receive.
	Queue, QueueRead bool
}

// Ready judges readiness: the drains adopted and, with a queue, the queue
// read once. It does not wait for a first receive: a long poll on an empty
// queue returns only after its wait (up to 20 s), and the start check has
// already proved the queue readable.
func Ready(r Readiness) Verdict {
	v := Verdict{OK: true, Status: "ok"}
	if !r.Adopted {
		v.Reasons = append(v.Reasons, "the drains recorded on the clusters are not adopted yet")
	}
	if r.Queue && !r.QueueRead {
		v.Reasons = append(v.Reasons, "the queue has not been read yet")
	}
	if len(v.Reasons) > 0 {
		v.OK, v.Status = false, "not ready"
	}
	return v
}
