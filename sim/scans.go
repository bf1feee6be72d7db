package sim

import (
	"context"
	"time"

	"github.com/drainer-dev/drainer/controller"
)

// EnableScans replaces the harness's controller with one that also scans
// (and applies per-group policy to notices), reading and acting through the
// harness's cloud client on the world's clock. Cloud, Clock and Logger are
// filled in when opts leaves them empty.
func (h *Harness) EnableScans(opts controller.Options) *controller.Controller {
	if opts.Cloud == nil {
		opts.Cloud = h.Cloud
	}
	if opts.Clock == nil {
		opts.Clock = h.World.Clock
	}
	if opts.Logger == nil {
		opts.Logger = h.log
	}
	h.Controller = controller.New(h.Reconciler, opts)
	return h.Controller
}

// RunWithScans is RunUntil with a scan every interval of virtual time (the
// first one at once). Scan reports go to onScan when it is not nil.
func (h *Harness) RunWithScans(limit time.Time, interval time.Duration, done func() bool, onScan func(controller.ScanReport, error)) bool {
	ctx := context.Background()
	next := h.World.Now()
	for {
		if !next.After(h.World.Now()) {
			h.settle(ctx)
			rep, err := h.Controller.Pass(ctx)
			if onScan != nil {
				onScan(rep, err)
			} else if err != nil {
				h.log.Warn("scan failed", "error", err)
			}
			next = h.World.Now().Add(interval)
		}
		stop := next
		if stop.After(limit) {
			stop = limit
		}
		if h.RunUntil(stop, done) {
			return true
		}
		if !h.World.Now().Before(limit) {
			return done != nil && done()
		}
	}
}
