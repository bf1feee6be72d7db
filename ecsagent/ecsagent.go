// Package ecsagent reads what drainer needs of an ECS container agent's
// configuration from its instance's user data, where the ECS-optimized AMI
// takes it (user data writes /etc/ecs/ecs.config): the container stop
// timeout and the cluster the agent joins. User data is read as cloud-init
// reads it: plain text, gzip-compressed, a MIME multi-part archive, or
// cloud-config whose write_files writes the agent's configuration file.
package ecsagent

import (
	"regexp"
	"strings"
	"time"
)

// DefaultStopTimeout is the agent's container stop timeout when its
// configuration sets none: the time between SIGTERM and SIGKILL for a
// container without a stopTimeout of its own.
const DefaultStopTimeout = 30 * time.Second

// minStopTimeout is the agent's smallest container stop timeout.
const minStopTimeout = time.Second

var reStopTimeout = regexp.MustCompile(`ECS_CONTAINER_STOP_TIMEOUT=["']?([^\s"']*)`)

// StopTimeout returns the ECS agent's container stop timeout on a host with
// this user data: the time ECS gives a container without a stopTimeout of
// its own between SIGTERM and SIGKILL. The agent reads
// ECS_CONTAINER_STOP_TIMEOUT from /etc/ecs/ecs.config, which user data
// writes (for example "echo ECS_CONTAINER_STOP_TIMEOUT=2m >>
// /etc/ecs/ecs.config"); the last assignment wins, as in the environment
// file the agent is started with. The value is a Go duration: an
// unparsable, empty or zero value gives DefaultStopTimeout, and a value
// below the agent's minimum of 1 s (negative ones too) gives 1 s, as the
// agent's parseDockerStopTimeout does (github.com/aws/amazon-ecs-agent,
// agent/config/parse.go). Sources: ContainerDefinition.stopTimeout, Amazon
// ECS API Reference
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html);
// "Amazon ECS container agent configuration", Amazon ECS Developer Guide
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-config.html).
//
// userData is the user data as EC2 gives it back once base64-decoded: plain
// text, or any format cloud-init reads (gzip, MIME multi-part, cloud-config
// write_files), in which the assignments count in the order cloud-init
// runs them: boothooks, then bootcmd, then files written (one that
// replaces /etc/ecs/ecs.config drops what was appended before), then
// scripts and runcmd, each kind in the order the user data gives it.
// User data that is malformed or too large to decode (more than 256 KiB
// once decompressed) is read as plain text. Source: "User data formats",
// cloud-init documentation
// (https://cloudinit.readthedocs.io/en/latest/explanation/format.html).
func StopTimeout(userData string) time.Duration {
	m := reStopTimeout.FindAllStringSubmatch(agentConfig(userData), -1)
	if m == nil {
		return DefaultStopTimeout
	}
	d, err := time.ParseDuration(m[len(m)-1][1])
	switch {
	case err != nil || d == 0:
		return DefaultStopTimeout
	case d < minStopTimeout:
		return minStopTimeout
	}
	return d
}

var reCluster = regexp.MustCompile(`ECS_CLUSTER=["']?([^\s"']*)`)

// Cluster returns the name of the ECS cluster an agent whose host has this
// user data joins, and whether the user data names one: the last
// ECS_CLUSTER assignment, as for StopTimeout ("echo ECS_CLUSTER=web >>
// /etc/ecs/ecs.config"), in user data of any format StopTimeout reads. A
// value that is a cluster ARN
// (arn:aws:ecs:REGION:ACCOUNT:cluster/NAME) gives its name. An empty value,
// or no assignment, names none: the agent then joins the cluster named
// "default", but user data that does not configure the agent may well not
// be an ECS host's at all, so no cluster is inferred. Source: "Amazon ECS
// container agent configuration", ECS_CLUSTER, Amazon ECS Developer Guide
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-config.html).
func Cluster(userData string) (string, bool) {
	m := reCluster.FindAllStringSubmatch(agentConfig(userData), -1)
	if m == nil {
		return "", false
	}
	v := m[len(m)-1][1]
	if strings.HasPrefix(v, "arn:") {
		_, name, ok := strings.Cut(v, ":cluster/")
		if !ok {
			return "", false
		}
		v = name
	}
	return v, v != ""
}
