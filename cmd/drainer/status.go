package main

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/drainer-dev/drainer/api"
	"github.com/drainer-dev/drainer/drainview"
)

// statusOptions are `drainer status`'s.
type statusOptions struct {
	api  string // base URL of the controller's API
	json bool   // print the controller's answer as JSON, not a table
	// now is the time deadlines count from when the controller does not
	// say its own (one older than its "now" field).
	now func() time.Time
}

// runStatus is `drainer status`: the drains in progress, as a table.
func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o := statusOptions{now: time.Now}
	fs := newFlagSet("drainer status", "Usage: drainer status [--api URL] [--json]\n\nShows the drains in progress in the running controller ('drainer run'): instance, cluster,\nreason, phase, time in drain, graceful and hard deadlines.\n", stderr)
	apiFlag(fs, &o.api)
	fs.BoolVar(&o.json, "json", false, "print the controller's answer as JSON instead of a table")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if code, ok := parseAPI(fs, &o.api); !ok {
		return code
	}
	return o.run(ctx, stdout, stderr)
}

// run prints the drains in progress; it returns the exit code.
func (o statusOptions) run(ctx context.Context, stdout, stderr io.Writer) int {
	return withAPI("drainer status", o.api, stderr, func(c *api.Client) error {
		c.Now = o.now
		l, err := c.Drains(ctx)
		switch {
		case err != nil:
			return err
		case o.json:
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(l)
		}
		drainview.Table(stdout, l.Drains, l.Now)
		return nil
	})
}
