package drainview

import (
	"fmt"
	"io"
	"time"

	"github.com/drainer-dev/drainer/api"
)

// Started writes to w, in one line, what the controller started on an
// operator's request: what ("drain", "forced deregistration") of which
// instance, in which cluster, why, the phase, and the graceful and hard
// deadlines as RFC 3339 times:
//
//	drain of i-0123456789abcdef0 started in cluster demo: reason operator, phase graceful, graceful until 2026-11-22T12:30:00Z, hard deadline 2026-11-22T14:00:00Z
//
// The cluster part is left out when d names none, the deadlines when d
// has no graceful phase. Errors writing to w are not reported (w is a
// terminal or a buffer).
func Started(w io.Writer, what string, d api.Drain) {
	fmt.Fprintf(w, "%s of %s started", what, d.InstanceID)
	if d.Cluster != "" {
		fmt.Fprintf(w, " in cluster %s", d.Cluster)
	}
	fmt.Fprintf(w, ": reason %s, phase %s", d.Reason, d.Phase)
	if !d.GracefulUntil.IsZero() {
		fmt.Fprintf(w, ", graceful until %s, hard deadline %s", d.GracefulUntil.Format(time.RFC3339), d.Deadline.Format(time.RFC3339))
	}
	fmt.Fprintln(w)
}
