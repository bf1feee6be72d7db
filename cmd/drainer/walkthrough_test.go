package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestAWSCLIWalkthrough plays scripts/aws-cli-walkthrough.sh — the blog's
// drain done by hand with the real AWS CLI — against drainer emulator with a
// manual clock. CI installs Debian's awscli (2.9, which still speaks SQS's
// query protocol); elsewhere the test is skipped when the CLI is missing.
func TestAWSCLIWalkthrough(t *testing.T) {
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
	endpoint, _ := startEmulator(t, "--manual")

	cmd := exec.CommandContext(testContext(t), "bash", "../../scripts/aws-cli-walkthrough.sh")
	cmd.Env = append(os.Environ(), "ENDPOINT="+endpoint, "AWS_CLI="+cli)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "walkthrough complete") {
		t.Fatalf("walkthrough failed: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
