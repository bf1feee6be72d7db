package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/api"
	"github.com/drainer-dev/drainer/drainview"
)

// drainOptions are `drainer drain`'s.
type drainOptions struct {
	api      string // base URL of the controller's API
	instance string // EC2 instance id
	// deadline is the graceful phase; 0 means the controller's operator
	// default.
	deadline time.Duration
	reason   string // the operator's note, logged by the controller
}

// runDrain is `drainer drain INSTANCE`: asks the running controller to
// drain an instance.
func runDrain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o drainOptions
	fs := newFlagSet("drainer drain", "Usage: drainer drain INSTANCE [--deadline 30m] [--reason TEXT] [--api URL]\n\nAsks the running controller ('drainer run') to drain an EC2 instance: DRAINING, service tasks\nmoved by ECS, standalone tasks given until the deadline, then the instance released.\n", stderr)
	apiFlag(fs, &o.api)
	deadline := fs.String("deadline", "", "graceful phase, e.g. 30m or 2h (default: the controller's operator default, 1h)")
	fs.StringVar(&o.reason, "reason", "", "a note on why, logged by the controller")
	instance, code, ok := parseInstance(fs, args)
	if !ok {
		return code
	}
	if code, ok := parseAPI(fs, &o.api); !ok {
		return code
	}
	o.instance = instance
	if d, err := time.ParseDuration(*deadline); *deadline != "" && (err != nil || d <= 0) {
		return usageError(fs, "--deadline %q: want a positive duration such as 30m or 2h", *deadline)
	} else {
		o.deadline = d
	}
	return o.run(ctx, stdout, stderr)
}

// run asks for the drain and prints it; it returns the exit code.
func (o drainOptions) run(ctx context.Context, stdout, stderr io.Writer) int {
	req := api.DrainRequest{InstanceID: o.instance, Reason: o.reason}
	if o.deadline > 0 {
		req.Deadline = o.deadline.String()
	}
	return withAPI("drainer drain", o.api, stderr, func(c *api.Client) error {
		d, err := c.Drain(ctx, req)
		if err == nil {
			drainview.Started(stdout, "drain", d)
		}
		return err
	})
}

// deregisterOptions are `drainer deregister --force`'s: parsing refuses
// a deregistration without --force, so there is no force here.
type deregisterOptions struct {
	api      string // base URL of the controller's API
	instance string // EC2 instance id
}

// runDeregister is `drainer deregister --force INSTANCE`.
func runDeregister(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o deregisterOptions
	fs := newFlagSet("drainer deregister", "Usage: drainer deregister --force INSTANCE [--api URL]\n\nAsks the running controller to take an instance out at once: its tasks are stopped without\na graceful phase. Use 'drainer drain' for a graceful drain.\n", stderr)
	apiFlag(fs, &o.api)
	force := fs.Bool("force", false, "required: skip the graceful phase, stop every task now (daemon tasks last), deregister and release the instance")
	instance, code, ok := parseInstance(fs, args)
	if !ok {
		return code
	}
	if code, ok := parseAPI(fs, &o.api); !ok {
		return code
	}
	o.instance = instance
	if !*force {
		return usageError(fs, "refusing without --force: a forced deregistration skips the graceful phase and stops every task on %s at once.\nUse 'drainer drain %s' to drain it gracefully, or add --force if that is what you want.", o.instance, o.instance)
	}
	return o.run(ctx, stdout, stderr)
}

// run asks for the forced deregistration and prints it; it returns the
// exit code.
func (o deregisterOptions) run(ctx context.Context, stdout, stderr io.Writer) int {
	return withAPI("drainer deregister", o.api, stderr, func(c *api.Client) error {
		d, err := c.Deregister(ctx, o.instance)
		if err == nil {
			drainview.Started(stdout, "forced deregistration", d)
		}
		return err
	})
}

// parseInstance parses flags around the one INSTANCE argument of drain
// and deregister; ok false ends the command with code.
func parseInstance(fs *flag.FlagSet, args []string) (instance string, code int, ok bool) {
	pos, code, ok := parseArgs(fs, args)
	switch {
	case !ok:
		return "", code, false
	case len(pos) == 0:
		return "", usageError(fs, "which instance? Give its EC2 instance id, e.g. i-0123456789abcdef0"), false
	case len(pos) > 1:
		return "", usageError(fs, "one instance at a time (got %s)", strings.Join(pos, " ")), false
	}
	return pos[0], 0, true
}

// withAPI calls the controller's API at url through call and returns the
// exit code: 0 when call succeeds, 1 when it fails (why printed, with
// where to point --api when nothing answered), 2 when url is no API URL.
func withAPI(name, url string, stderr io.Writer, call func(*api.Client) error) int {
	c, err := api.NewClient(url, nil)
	if err != nil {
		fmt.Fprintf(stderr, "%s: --api: %v\n", name, err)
		return 2
	}
	if err := call(c); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		if _, ok := errors.AsType[*api.UnreachableError](err); ok {
			fmt.Fprintln(stderr, "Point --api (or DRAINER_API) at its API: the address of 'drainer run --listen' or 'drainer dev --api-listen'.")
		}
		return 1
	}
	return 0
}
