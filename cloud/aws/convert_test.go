package aws

import (
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/drainer-dev/drainer/cloud"
)

func TestClassify(t *testing.T) {
	daemons := map[string]bool{"log-agent": true, "web": false}
	isDaemon := func(s string) bool { return daemons[s] }
	tests := []struct {
		group string
		want  cloud.TaskClass
	}{
		{"service:web", cloud.TaskService},
		{"service:log-agent", cloud.TaskDaemon},
		{"service:deleted", cloud.TaskService}, // unknown service: ECS still owns it
		{"family:batch", cloud.TaskStandalone},
		{"nightly-report", cloud.TaskStandalone},
		{"", cloud.TaskStandalone},
		{"service:", cloud.TaskStandalone},
	}
	for _, tt := range tests {
		if got := classify(tt.group, isDaemon); got != tt.want {
			t.Errorf("classify(%q) = %s, want %s", tt.group, got, tt.want)
		}
	}
}

func TestStopTimeoutOf(t *testing.T) {
	c := func(stop ...int32) *ecstypes.TaskDefinition {
		td := &ecstypes.TaskDefinition{}
		for _, s := range stop {
			cd := ecstypes.ContainerDefinition{Name: aws.String("c")}
			if s >= 0 {
				cd.StopTimeout = aws.Int32(s)
			}
			td.ContainerDefinitions = append(td.ContainerDefinitions, cd)
		}
		return td
	}
	tests := []struct {
		name  string
		td    *ecstypes.TaskDefinition
		want  time.Duration
		agent bool // a container sets none: the agent's own applies
	}{
		{"nil", nil, 30 * time.Second, true},
		{"no containers", c(), 30 * time.Second, true},
		{"unset", c(-1), 30 * time.Second, true},
		{"set lower", c(10), 10 * time.Second, false},
		{"set higher", c(120), 120 * time.Second, false},
		{"longest wins", c(10, 90, -1), 90 * time.Second, true},
		{"short and unset", c(5, -1), 30 * time.Second, true},
	}
	for _, tt := range tests {
		if got := stopTimeoutOf(tt.td); got.d != tt.want || got.agent != tt.agent {
			t.Errorf("%s: stopTimeoutOf = %v, agent's %v; want %v, agent's %v", tt.name, got.d, got.agent, tt.want, tt.agent)
		}
	}
}

func TestENIsOf(t *testing.T) {
	kv := func(k, v string) ecstypes.KeyValuePair {
		return ecstypes.KeyValuePair{Name: aws.String(k), Value: aws.String(v)}
	}
	atts := []ecstypes.Attachment{
		{Type: aws.String("ElasticNetworkInterface"), Details: []ecstypes.KeyValuePair{kv("subnetId", "subnet-1"), kv("networkInterfaceId", "eni-1")}},
		{Type: aws.String("Something"), Details: []ecstypes.KeyValuePair{kv("networkInterfaceId", "eni-x")}},
		{Type: aws.String("eni"), Details: []ecstypes.KeyValuePair{kv("networkInterfaceId", "eni-2")}},
	}
	if got, want := enisOf(atts), []string{"eni-1", "eni-2"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("enisOf = %v, want %v", got, want)
	}
	if got := enisOf(nil); got != nil {
		t.Fatalf("enisOf(nil) = %v", got)
	}
}

func TestContainerInstanceClusterARN(t *testing.T) {
	tests := map[string]string{
		"arn:aws:ecs:us-east-1:123456789012:container-instance/demo/0a1b2c":      "arn:aws:ecs:us-east-1:123456789012:cluster/demo",
		"arn:aws-cn:ecs:cn-north-1:123456789012:container-instance/demo/0a1b2c":  "arn:aws-cn:ecs:cn-north-1:123456789012:cluster/demo",
		"arn:aws:ecs:us-east-1:123456789012:container-instance/0a1b2c":           "", // old format
		"arn:aws:ecs:us-east-1:123456789012:container-instance/demo/0a1b2c/more": "",
		"": "",
	}
	for in, want := range tests {
		got := containerInstanceFrom(ecstypes.ContainerInstance{ContainerInstanceArn: aws.String(in)})
		if got.ClusterARN != want || got.ARN != in {
			t.Errorf("containerInstanceFrom(%q): ARN %q, ClusterARN %q, want ClusterARN %q", in, got.ARN, got.ClusterARN, want)
		}
	}
}

func TestServiceFromDefaults(t *testing.T) {
	tests := []struct {
		name     string
		in       ecstypes.Service
		min, max int
		daemon   bool
	}{
		{"replica defaults", ecstypes.Service{SchedulingStrategy: ecstypes.SchedulingStrategyReplica}, 100, 200, false},
		{"daemon defaults", ecstypes.Service{SchedulingStrategy: ecstypes.SchedulingStrategyDaemon}, 0, 100, true},
		{"explicit", ecstypes.Service{DeploymentConfiguration: &ecstypes.DeploymentConfiguration{
			MinimumHealthyPercent: aws.Int32(50), MaximumPercent: aws.Int32(150)}}, 50, 150, false},
	}
	for _, tt := range tests {
		got := serviceFrom(tt.in)
		if got.MinimumHealthyPercent != tt.min || got.MaximumPercent != tt.max || got.Daemon != tt.daemon {
			t.Errorf("%s: got %d/%d daemon=%t, want %d/%d daemon=%t", tt.name,
				got.MinimumHealthyPercent, got.MaximumPercent, got.Daemon, tt.min, tt.max, tt.daemon)
		}
	}
}

func TestHookFrom(t *testing.T) {
	tests := []struct {
		name       string
		in         astypes.LifecycleHook
		hb, global time.Duration
		result     cloud.LifecycleResult
	}{
		{"explicit", astypes.LifecycleHook{HeartbeatTimeout: aws.Int32(900), GlobalTimeout: aws.Int32(90000), DefaultResult: aws.String("CONTINUE")},
			15 * time.Minute, 25 * time.Hour, cloud.LifecycleContinue},
		{"defaults", astypes.LifecycleHook{}, time.Hour, 48 * time.Hour, cloud.LifecycleAbandon},
		{"global from heartbeat", astypes.LifecycleHook{HeartbeatTimeout: aws.Int32(60)}, time.Minute, 100 * time.Minute, cloud.LifecycleAbandon},
	}
	for _, tt := range tests {
		got := hookFrom(tt.in)
		if got.HeartbeatTimeout != tt.hb || got.GlobalTimeout != tt.global || got.DefaultResult != tt.result {
			t.Errorf("%s: got %v/%v/%s, want %v/%v/%s", tt.name, got.HeartbeatTimeout, got.GlobalTimeout, got.DefaultResult, tt.hb, tt.global, tt.result)
		}
	}
}

func TestMessageFrom(t *testing.T) {
	m := messageFrom(sqstypes.Message{
		MessageId: aws.String("m1"), Body: aws.String("{}"), ReceiptHandle: aws.String("rh"),
		Attributes: map[string]string{"ApproximateReceiveCount": "3", "SentTimestamp": "1795341600000"},
	})
	if m.ReceiveCount != 3 || !m.SentAt.Equal(time.UnixMilli(1795341600000)) || m.ReceiptHandle != "rh" {
		t.Fatalf("messageFrom = %+v", m)
	}
}

func TestEventEntryDefaults(t *testing.T) {
	e := eventEntry(cloud.Event{DetailType: "Drain Started"})
	if aws.ToString(e.Source) != "drainer" || aws.ToString(e.Detail) != "{}" || e.Time != nil || e.EventBusName != nil {
		t.Fatalf("eventEntry defaults wrong: %+v", e)
	}
}

func TestTaskFromService(t *testing.T) {
	for group, want := range map[string]string{"service:web": "web", "family:batch": "", "": ""} {
		if got := taskFrom(ecstypes.Task{Group: aws.String(group)}).Service; got != want {
			t.Errorf("taskFrom(group %q).Service = %q, want %q", group, got, want)
		}
	}
}
