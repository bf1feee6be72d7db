// Package scripts holds the shell scripts that show drainer's emulator
// from the outside, with the real AWS CLI; its tests play them. It has no
// Go code of its own: the tests live here, beside the scripts they play,
// so that the AWS CLI's runs have a test binary (and a go test -timeout)
// of their own and run beside the other packages' tests.
package scripts

import (
	"context"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/front"
)

// TestAWSCLIWalkthrough plays aws-cli-walkthrough.sh — the blog's drain
// done by hand with the real AWS CLI — against the emulated world served
// as `drainer emulator --manual` serves it: an empty world whose clock
// moves only when the script posts /_emulator/clock/advance. CI installs
// Debian's awscli (2.9, which still speaks SQS's query protocol);
// elsewhere the test is skipped when the CLI is missing. AWS_CLI names
// the CLI (default /usr/bin/aws).
func TestAWSCLIWalkthrough(t *testing.T) {
	t.Parallel()
	play(t, "aws-cli-walkthrough.sh", "walkthrough complete")
}

// TestAWSCLISNSWalkthrough plays aws-cli-sns-walkthrough.sh — the blog's
// notification path: a lifecycle hook targeting an SNS topic, an SQS queue
// subscribed to it, the lifecycle message received in SNS's envelope and
// then raw — the same way.
func TestAWSCLISNSWalkthrough(t *testing.T) {
	t.Parallel()
	play(t, "aws-cli-sns-walkthrough.sh", "SNS walkthrough complete")
}

// play runs script with the AWS CLI against a world served as `drainer
// emulator --manual` serves it, and fails unless it succeeds and prints
// done. The walkthroughs run side by side: the AWS CLI's start-up is most
// of their time.
func play(t *testing.T, script, done string) {
	t.Helper()
	if testing.Short() {
		t.Skip("the walkthrough runs the AWS CLI some 40 times")
	}
	cli := os.Getenv("AWS_CLI")
	if cli == "" {
		cli = "/usr/bin/aws"
	}
	if _, err := os.Stat(cli); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("AWS CLI %s is missing: .ci/run installs Debian's awscli", cli)
		}
		t.Skipf("AWS CLI %s is not installed (apt-get install awscli)", cli)
	}
	endpoint := serveManualWorld(t)

	// The script ends a little before the test binary's deadline, so that
	// a walkthrough that never ends fails with its output rather than
	// with go test's panic.
	ctx := t.Context()
	if deadline, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-min(30*time.Second, time.Until(deadline)/10)))
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, "bash", script)
	cmd.Env = append(os.Environ(), "ENDPOINT="+endpoint, "AWS_CLI="+cli)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), done) {
		t.Fatalf("%s failed: %v\n%s", script, err, out)
	}
	t.Logf("%s", out)
}

// serveManualWorld serves an empty emulated world on a free loopback port,
// as `drainer emulator --manual` does (its clock moved only through
// POST /_emulator/clock/advance, queue URLs under the endpoint), until the
// test ends, and returns the endpoint.
func serveManualWorld(t *testing.T) (endpoint string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint = "http://" + ln.Addr().String()
	var cfg emulator.Config
	cfg.Seed = 1 // drainer emulator's default
	cfg.SQS.URLBase = endpoint
	w := emulator.New(cfg)
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	h := front.New(w, front.Options{Logger: log}) // Scaled false: a manual clock

	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- front.Serve(ctx, ln, h) }()
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("the emulated endpoint stopped: %v", err)
		}
	})
	return endpoint
}
