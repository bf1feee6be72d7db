package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/api"
)

// runDrain is `drainer drain INSTANCE`: asks the running controller to
// drain an instance.
func runDrain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drainer drain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	apiURL := apiFlag(fs)
	deadline := fs.String("deadline", "", "graceful phase, e.g. 30m or 2h (default: the controller's operator default, 1h)")
	reason := fs.String("reason", "", "a note on why, logged by the controller")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: drainer drain INSTANCE [--deadline 30m] [--reason TEXT] [--api URL]\n\nAsks the running controller ('drainer run') to drain an EC2 instance: DRAINING, service tasks\nmoved by ECS, standalone tasks given until the deadline, then the instance released.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	id, code := parseOperatorArgs(fs, args, stderr)
	if code >= 0 {
		return code
	}
	if *deadline != "" {
		if d, err := time.ParseDuration(*deadline); err != nil || d <= 0 {
			fmt.Fprintf(stderr, "drainer drain: --deadline %q: want a positive duration such as 30m or 2h\n", *deadline)
			return 2
		}
	}
	return callAPI(ctx, fs.Name(), *apiURL, "/v1/drains", api.DrainRequest{InstanceID: id, Deadline: *deadline, Reason: *reason}, "drain", stdout, stderr)
}

// runDeregister is `drainer deregister --force INSTANCE`.
func runDeregister(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drainer deregister", flag.ContinueOnError)
	fs.SetOutput(stderr)
	apiURL := apiFlag(fs)
	force := fs.Bool("force", false, "required: skip the graceful phase, stop every task now (daemon tasks last), deregister and release the instance")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: drainer deregister --force INSTANCE [--api URL]\n\nAsks the running controller to take an instance out at once: its tasks are stopped without\na graceful phase. Use 'drainer drain' for a graceful drain.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	id, code := parseOperatorArgs(fs, args, stderr)
	if code >= 0 {
		return code
	}
	if !*force {
		fmt.Fprintf(stderr, "drainer deregister: refusing without --force: a forced deregistration skips the graceful phase and stops every task on %s at once.\nUse 'drainer drain %s' to drain it gracefully, or add --force if that is what you want.\n", id, id)
		return 2
	}
	return callAPI(ctx, fs.Name(), *apiURL, "/v1/deregister", api.DeregisterRequest{InstanceID: id, Force: true}, "forced deregistration", stdout, stderr)
}

func apiFlag(fs *flag.FlagSet) *string {
	return fs.String("api", envOr("DRAINER_API", "http://127.0.0.1:8081"), "URL of the running controller's API (env DRAINER_API)")
}

// parseOperatorArgs parses flags before and after the one INSTANCE
// argument. It returns the instance, and an exit code ≥ 0 when the
// command should stop there.
func parseOperatorArgs(fs *flag.FlagSet, args []string, stderr io.Writer) (string, int) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return "", 0
			}
			return "", 2
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch len(pos) {
	case 0:
		fmt.Fprintf(stderr, "%s: which instance? Give its EC2 instance id, e.g. i-0123456789abcdef0\n", fs.Name())
		return "", 2
	case 1:
		return pos[0], -1
	default:
		fmt.Fprintf(stderr, "%s: one instance at a time (got %s)\n", fs.Name(), strings.Join(pos, " "))
		return "", 2
	}
}

// callAPI posts body to the controller and prints the drain it answers.
// name is the command, for messages; what names the request in the
// answer ("drain", "forced deregistration").
func callAPI(ctx context.Context, name, base, path string, body any, what string, stdout, stderr io.Writer) int {
	b, err := json.Marshal(body)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimRight(base, "/")+path, bytes.NewReader(b))
	if err != nil {
		fmt.Fprintf(stderr, "%s: --api %q: %v\n", name, base, err)
		return 2
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "%s: cannot reach the drainer API at %s: %v\nIs 'drainer run' running? Point --api (or DRAINER_API) at its --listen address.\n", name, base, err)
		return 1
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		var e api.Error
		if json.Unmarshal(raw, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(raw))
		}
		fmt.Fprintf(stderr, "%s: the controller refused (%s): %s\n", name, resp.Status, e.Error)
		return 1
	}
	var d api.Drain
	if err := json.Unmarshal(raw, &d); err != nil {
		fmt.Fprintf(stderr, "%s: unreadable answer from %s: %v\n", name, base, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s of %s started", what, d.InstanceID)
	if d.Cluster != "" {
		fmt.Fprintf(stdout, " in cluster %s", d.Cluster)
	}
	fmt.Fprintf(stdout, ": reason %s, phase %s", d.Reason, d.Phase)
	if !d.GracefulUntil.IsZero() {
		fmt.Fprintf(stdout, ", graceful until %s, hard deadline %s", d.GracefulUntil.Format(time.RFC3339), d.Deadline.Format(time.RFC3339))
	}
	fmt.Fprintln(stdout)
	return 0
}
