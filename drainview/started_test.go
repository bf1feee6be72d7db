package drainview

import (
	"bytes"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/api"
)

func TestStarted(t *testing.T) {
	const instance = "i-0123456789abcdef0"
	for _, c := range []struct {
		name  string
		what  string
		drain api.Drain
		want  string
	}{
		{name: "a drain", what: "drain",
			drain: api.Drain{InstanceID: instance, Cluster: "demo", Reason: "operator", Phase: "graceful", Started: now, GracefulUntil: now.Add(30 * time.Minute), Deadline: now.Add(2 * time.Hour)},
			want:  "drain of " + instance + " started in cluster demo: reason operator, phase graceful, graceful until 2026-11-22T12:30:00Z, hard deadline 2026-11-22T14:00:00Z\n"},
		{name: "deadlines in the drain's zone", what: "drain",
			drain: api.Drain{InstanceID: instance, Reason: "operator", Phase: "graceful", GracefulUntil: now.In(time.FixedZone("", 2*60*60)), Deadline: now.Add(time.Hour).In(time.FixedZone("", 2*60*60))},
			want:  "drain of " + instance + " started: reason operator, phase graceful, graceful until 2026-11-22T14:00:00+02:00, hard deadline 2026-11-22T15:00:00+02:00\n"},
		{name: "no graceful phase, no cluster", what: "forced deregistration",
			drain: api.Drain{InstanceID: instance, Reason: "forced", Phase: "hard", Deadline: now.Add(time.Hour)},
			want:  "forced deregistration of " + instance + " started: reason forced, phase hard\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			Started(&out, c.what, c.drain)
			if out.String() != c.want {
				t.Errorf("Started wrote %q, want %q", out.String(), c.want)
			}
		})
	}
}
