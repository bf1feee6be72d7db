package intake

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/awsid"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func readSample(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// directAction is the lifecycle action of testdata/lifecycle-direct.json,
// which DESIGN.md §4 shows.
var directAction = LifecycleAction{
	Header:      Header{Via: ViaDirect, Time: ts("2026-11-22T10:00:00Z"), Account: "123456789012"},
	InstanceID:  "i-0abc1234def567890",
	Group:       "web-asg",
	HookName:    "drain-hook",
	Token:       "c0ffee00-1234-4abc-8def-0123456789ab",
	Transition:  TransitionTerminating,
	Metadata:    `{"cluster":"prod"}`,
	Origin:      "AutoScalingGroup",
	Destination: "EC2",
	RequestID:   "4dc3a1b5-8f0e-4a34-9d2c-0b1e6f5a7c21",
}

func withHeader(a LifecycleAction, h Header) LifecycleAction {
	a.Header = h
	return a
}

// TestParseSamples parses every hand-made sample in testdata/: the shapes
// of DESIGN.md §4 and AWS's documentation.
func TestParseSamples(t *testing.T) {
	spotHeader := Header{Via: ViaEventBridge, ID: "12345678-1234-1234-1234-123456789012", Time: ts("2026-11-22T11:30:00Z"),
		Account: "123456789012", Region: "us-east-1"}
	for _, tc := range []struct {
		file string
		want Notice
		// For skips: the reason, and the recognised notice if any.
		reason     string
		recognised Notice
	}{
		{file: "lifecycle-direct.json", want: directAction},
		{file: "lifecycle-sns.json", want: withHeader(directAction, Header{Via: ViaSNS, ID: "7b0a2c5e-1f3d-5e6a-9b8c-2d4f6a8b0c1e",
			Time: ts("2026-11-22T10:00:00Z"), Account: "123456789012", Region: "us-east-1"})},
		{file: "lifecycle-eventbridge.json", want: LifecycleAction{
			Header: Header{Via: ViaEventBridge, ID: "468fa2f9-1a8b-4f22-9c1e-3f1d2e5a6b7c", Time: ts("2026-11-22T10:00:01Z"),
				Account: "123456789012", Region: "us-east-1"},
			InstanceID: "i-0abc1234def567890", Group: "web-asg", HookName: "drain-hook", Token: "c0ffee00-1234-4abc-8def-0123456789ab",
			Transition: TransitionTerminating, Metadata: "additional-info", Origin: "AutoScalingGroup", Destination: "EC2",
		}},
		{file: "lifecycle-launch-eventbridge.json", want: LifecycleAction{
			Header: Header{Via: ViaEventBridge, ID: "5a7c9e1b-3d5f-4a7b-9c1d-3e5f7a9b1c3d", Time: ts("2026-11-22T10:02:00Z"),
				Account: "123456789012", Region: "us-east-1"},
			InstanceID: "i-0fed9876cba543210", Group: "web-asg", HookName: "warm-hook", Token: "71ac0a5e-8f7d-4c2b-9e1a-3b5d7f9a1c3e",
			Transition: TransitionLaunching, Origin: "EC2", Destination: "AutoScalingGroup",
		}},
		{file: "test-notification-direct.json", reason: ReasonTestNotification, recognised: TestNotification{
			Header: Header{Via: ViaDirect, Time: ts("2026-11-22T09:59:00Z"), Account: "123456789012"},
			Group:  "web-asg", RequestID: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
			GroupARN: "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f:autoScalingGroupName/web-asg",
		}},
		{file: "test-notification-sns.json", reason: ReasonTestNotification, recognised: TestNotification{
			Header: Header{Via: ViaSNS, ID: "1e2d3c4b-5a69-5877-9685-a4b3c2d1e0f9", Time: ts("2026-11-22T09:59:00Z"), Account: "123456789012", Region: "us-east-1"},
			Group:  "web-asg", RequestID: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
			GroupARN: "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f:autoScalingGroupName/web-asg",
		}},
		{file: "instance-terminate-notification-sns.json", reason: ReasonInstanceNotification, recognised: InstanceNotification{
			Header: Header{Via: ViaSNS, ID: "2f3e4d5c-6b7a-5988-a7b6-c5d4e3f2a1b0", Time: ts("2026-11-22T10:15:00.1Z"), Account: "123456789012", Region: "us-east-1"},
			Event:  EventInstanceTerminate, InstanceID: "i-0abc1234def567890", Group: "web-asg", StatusCode: "InProgress",
			Cause: "At 2026-11-22T10:00:00Z a user request explicitly set group desired capacity changing the desired capacity from 3 to 2.",
		}},
		{file: "sns-subscription-confirmation.json", reason: ReasonSNSType},
		{file: "spot-interruption.json", want: SpotInterruption{Header: spotHeader, InstanceID: "i-1234567890abcdef0", Action: "terminate",
			Deadline: ts("2026-11-22T11:32:00Z")}},
		{file: "spot-interruption-sns.json", want: SpotInterruption{
			Header:     Header{Via: ViaSNS, ID: spotHeader.ID, Time: spotHeader.Time, Account: "123456789012", Region: "us-east-1"},
			InstanceID: "i-1234567890abcdef0", Action: "terminate", Deadline: ts("2026-11-22T11:32:00Z")}},
		{file: "rebalance-recommendation.json", want: RebalanceRecommendation{
			Header:     Header{Via: ViaEventBridge, ID: "3a5c7e9b-1d3f-4a5b-8c7d-9e1f3a5b7c9d", Time: ts("2026-11-22T11:20:00Z"), Account: "123456789012", Region: "us-east-1"},
			InstanceID: "i-1234567890abcdef0"}},
		{file: "instance-state-change.json", want: InstanceStateChange{
			Header:     Header{Via: ViaEventBridge, ID: "7bf73129-1428-4cd3-a780-95db273d1602", Time: ts("2026-11-22T11:32:05Z"), Account: "123456789012", Region: "us-east-1"},
			InstanceID: "i-1234567890abcdef0", State: "shutting-down"}},
		{file: "ecs-task-state-change.json", want: TaskStateChange{
			Header:               Header{Via: ViaEventBridge, ID: "3317b2af-7005-947d-b652-f55e762e571a", Time: ts("2026-11-22T10:03:12Z"), Account: "123456789012", Region: "us-east-1"},
			TaskARN:              "arn:aws:ecs:us-east-1:123456789012:task/prod/c13b4cb40f1f4fe4a2971f76ae5a47ad",
			ClusterARN:           "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
			ContainerInstanceARN: "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/b54a2a04046f43319d743f6d7f6ca315",
			LastStatus:           "DEACTIVATING", DesiredStatus: "STOPPED", Group: "service:web", StartedBy: "ecs-svc/1234567890123456789",
			StoppedReason: "Service web: container instance is in DRAINING state", Version: 5}},
		{file: "ecs-container-instance-state-change.json", want: ContainerInstanceStateChange{
			Header:               Header{Via: ViaEventBridge, ID: "8952ba83-7be2-4ab5-9c32-6687532d15a2", Time: ts("2026-11-22T10:00:02Z"), Account: "123456789012", Region: "us-east-1"},
			ContainerInstanceARN: "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/b54a2a04046f43319d743f6d7f6ca315",
			ClusterARN:           "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
			InstanceID:           "i-0abc1234def567890", Status: "DRAINING", AgentConnected: true, RunningTasksCount: 2, Version: 14801}},
	} {
		t.Run(strings.TrimSuffix(tc.file, ".json"), func(t *testing.T) {
			got, err := Parse(readSample(t, tc.file))
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("Parse =\n  %#v\nwant\n  %#v", got, tc.want)
				}
				return
			}
			se := wantSkip(t, got, err, tc.reason)
			if !reflect.DeepEqual(se.Notice, tc.recognised) {
				t.Fatalf("recognised notice =\n  %#v\nwant\n  %#v", se.Notice, tc.recognised)
			}
		})
	}
}

// wantSkip checks that Parse skipped with reason and returned no notice.
func wantSkip(t *testing.T, n Notice, err error, reason string) *SkipError {
	t.Helper()
	var se *SkipError
	if !errors.As(err, &se) || !errors.Is(err, ErrSkip) {
		t.Fatalf("Parse = %#v, %v; want a skip (%s)", n, err, reason)
	}
	if n != nil {
		t.Errorf("skip returned a notice too: %#v", n)
	}
	if se.Reason != reason {
		t.Fatalf("reason %q (%v), want %q", se.Reason, err, reason)
	}
	return se
}

// TestParseEmulatorSamples parses the samples the emulated world produced
// (regenerate with go test ./intake -run Emulator -update).
func TestParseEmulatorSamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "emulator", "*.json"))
	if err != nil || len(files) < 10 {
		t.Fatalf("emulator samples: %v, %v", files, err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			n, err := Parse(readSample(t, filepath.Join("emulator", filepath.Base(f))))
			if se, ok := err.(*SkipError); ok && se.Recognised() {
				n, err = se.Notice, nil
			}
			if err != nil {
				t.Fatal(err)
			}
			via, kind, _ := strings.Cut(name, "-")
			kind = strings.TrimSuffix(kind, "-launch")
			if string(n.Head().Via) != via || string(n.Kind()) != kind {
				t.Fatalf("got %s via %s", n.Kind(), n.Head().Via)
			}
			if n.Head().Time.IsZero() || n.Head().Account != "123456789012" {
				t.Fatalf("header %+v", n.Head())
			}
			if n.Kind() != KindTaskStateChange && n.Kind() != KindTestNotification && !awsid.IsInstanceID(n.Instance()) {
				t.Fatalf("instance %q", n.Instance())
			}
			if a, ok := n.(LifecycleAction); ok && a.Terminating() == strings.HasSuffix(name, "-launch") {
				t.Fatalf("transition %s in %s", a.Transition, name)
			}
		})
	}
}

// malformed are messages Parse must skip, with the reason it must give.
var malformed = []struct {
	name, body, reason string
}{
	{"empty", "", ReasonNotJSON},
	{"blank", " \n\t", ReasonNotJSON},
	{"not JSON", "hello", ReasonNotJSON},
	{"truncated", `{"Origin":"AutoScalingGroup","LifecycleTransition":`, ReasonNotJSON},
	{"trailing garbage", `{"Event":"autoscaling:TEST_NOTIFICATION"} {}`, ReasonNotJSON},
	{"array", `[{"Event":"autoscaling:TEST_NOTIFICATION"}]`, ReasonNotObject},
	{"string", `"autoscaling:TEST_NOTIFICATION"`, ReasonNotObject},
	{"null", `null`, ReasonNotObject},
	{"number", `42`, ReasonNotObject},
	{"empty object", `{}`, ReasonUnknownShape},
	{"unknown shape", `{"hello":"world"}`, ReasonUnknownShape},

	// Lifecycle notifications: strict on what completing the action needs.
	{"unknown transition", lifecycle(`"LifecycleTransition":"autoscaling:EC2_INSTANCE_EXPLODING"`), ReasonUnknownTransition},
	{"empty transition", lifecycle(`"LifecycleTransition":""`), ReasonMissingField},
	{"missing instance id", lifecycle(`"EC2InstanceId":""`), ReasonMissingInstanceID},
	{"null instance id", `{"LifecycleTransition":"autoscaling:EC2_INSTANCE_TERMINATING","EC2InstanceId":null}`, ReasonMissingInstanceID},
	{"bad instance id", lifecycle(`"EC2InstanceId":"web-1"`), ReasonInvalidField},
	{"upper-case instance id", lifecycle(`"EC2InstanceId":"i-0ABC1234DEF567890"`), ReasonInvalidField},
	{"short instance id", lifecycle(`"EC2InstanceId":"i-0abc"`), ReasonInvalidField},
	{"instance id of 12 digits", lifecycle(`"EC2InstanceId":"i-0123456789ab"`), ReasonInvalidField},
	{"instance id of 32 digits", lifecycle(`"EC2InstanceId":"i-0123456789abcdef0123456789abcdef"`), ReasonInvalidField},
	{"numeric instance id", lifecycle(`"EC2InstanceId":1234567890`), ReasonInvalidField},
	{"missing group", lifecycle(`"AutoScalingGroupName":""`), ReasonMissingField},
	{"missing hook", lifecycle(`"LifecycleHookName":""`), ReasonMissingField},
	{"missing token", lifecycle(`"LifecycleActionToken":""`), ReasonMissingField},
	{"token of the wrong type", lifecycle(`"LifecycleActionToken":{"a":1}`), ReasonInvalidField},

	// Auto Scaling events.
	{"unknown event", `{"Event":"autoscaling:EC2_INSTANCE_EXPLODE","AutoScalingGroupName":"web"}`, ReasonUnknownEvent},
	{"empty event", `{"Event":"","AutoScalingGroupName":"web"}`, ReasonMissingField},
	{"event of the wrong type", `{"Event":7}`, ReasonInvalidField},

	// SNS envelopes.
	{"SNS unsubscribe", `{"Type":"UnsubscribeConfirmation","TopicArn":"arn:aws:sns:us-east-1:123456789012:t","Message":"bye"}`, ReasonSNSType},
	{"SNS without message", `{"Type":"Notification","TopicArn":"arn:aws:sns:us-east-1:123456789012:t","MessageId":"1"}`, ReasonMissingField},
	{"SNS message not JSON", `{"Type":"Notification","TopicArn":"arn:aws:sns:us-east-1:123456789012:t","Message":"hello"}`, ReasonNotJSON},
	{"SNS message an object", `{"Type":"Notification","TopicArn":"t","Message":{"Event":"autoscaling:TEST_NOTIFICATION"}}`, ReasonInvalidField},
	{"SNS in SNS", `{"Type":"Notification","TopicArn":"t","Message":"{\"Type\":\"Notification\",\"TopicArn\":\"t\",\"Message\":\"{}\"}"}`, ReasonUnknownShape},
	{"SNS with a bad lifecycle", `{"Type":"Notification","TopicArn":"t","Message":"{\"LifecycleTransition\":\"autoscaling:EC2_INSTANCE_TERMINATING\"}"}`, ReasonMissingInstanceID},

	// EventBridge envelopes.
	{"unknown source", event("my.app", "Order Placed", `{"id":1}`), ReasonUnknownSource},
	{"unknown detail-type", event("aws.ecs", "ECS Deployment State Change", `{}`), ReasonUnknownDetailType},
	{"unknown EC2 detail-type", event("aws.ec2", "EC2 Fast Launch State-change Notification", `{}`), ReasonUnknownDetailType},
	{"missing source", `{"detail-type":"EC2 Instance Rebalance Recommendation","detail":{"instance-id":"i-1234567890abcdef0"}}`, ReasonMissingField},
	{"missing detail", `{"source":"aws.ec2","detail-type":"EC2 Instance Rebalance Recommendation","time":"2026-11-22T00:00:00Z"}`, ReasonMissingField},
	{"null detail", event("aws.ec2", "EC2 Instance Rebalance Recommendation", `null`), ReasonMissingField},
	{"detail a string", event("aws.ec2", "EC2 Instance Rebalance Recommendation", `"i-1234567890abcdef0"`), ReasonNotObject},
	{"detail-type a number", `{"source":"aws.ec2","detail-type":5,"detail":{}}`, ReasonInvalidField},
	{"spot without instance", event("aws.ec2", "EC2 Spot Instance Interruption Warning", `{"instance-action":"terminate"}`), ReasonMissingInstanceID},
	{"spot with bad instance", event("aws.ec2", "EC2 Spot Instance Interruption Warning", `{"instance-id":"i-?","instance-action":"terminate"}`), ReasonInvalidField},
	{"spot without time", `{"source":"aws.ec2","detail-type":"EC2 Spot Instance Interruption Warning","detail":{"instance-id":"i-1234567890abcdef0"}}`, ReasonInvalidField},
	{"spot with bad time", `{"source":"aws.ec2","time":"yesterday","detail-type":"EC2 Spot Instance Interruption Warning","detail":{"instance-id":"i-1234567890abcdef0"}}`, ReasonInvalidField},
	{"rebalance without instance", event("aws.ec2", "EC2 Instance Rebalance Recommendation", `{}`), ReasonMissingInstanceID},
	{"state change without state", event("aws.ec2", "EC2 Instance State-change Notification", `{"instance-id":"i-1234567890abcdef0"}`), ReasonMissingField},
	{"lifecycle event without token", event("aws.autoscaling", "EC2 Instance-terminate Lifecycle Action",
		`{"AutoScalingGroupName":"web","LifecycleHookName":"h","EC2InstanceId":"i-1234567890abcdef0"}`), ReasonMissingField},
	{"lifecycle event with another transition", event("aws.autoscaling", "EC2 Instance-terminate Lifecycle Action",
		`{"LifecycleTransition":"autoscaling:EC2_INSTANCE_REBOOTING","AutoScalingGroupName":"web","LifecycleHookName":"h","EC2InstanceId":"i-1234567890abcdef0","LifecycleActionToken":"t"}`), ReasonUnknownTransition},
	{"task without ARN", event("aws.ecs", "ECS Task State Change", `{"clusterArn":"c","lastStatus":"RUNNING"}`), ReasonMissingField},
	{"task with a fractional version", event("aws.ecs", "ECS Task State Change", `{"taskArn":"t","clusterArn":"c","lastStatus":"RUNNING","version":1.5}`), ReasonInvalidField},
	{"task with a negative version", event("aws.ecs", "ECS Task State Change", `{"taskArn":"t","clusterArn":"c","lastStatus":"RUNNING","version":-1}`), ReasonInvalidField},
	{"container instance without status", event("aws.ecs", "ECS Container Instance State Change", `{"containerInstanceArn":"a"}`), ReasonMissingField},
}

// lifecycle returns DESIGN.md's lifecycle message with one member
// replaced (appended last: a JSON object's last duplicate member wins).
func lifecycle(member string) string {
	return `{"Origin":"AutoScalingGroup","Destination":"EC2","LifecycleHookName":"drain-hook","AccountId":"123456789012",` +
		`"RequestId":"r","LifecycleTransition":"autoscaling:EC2_INSTANCE_TERMINATING","AutoScalingGroupName":"web-asg",` +
		`"Service":"AWS Auto Scaling","Time":"2026-11-22T10:00:00.000Z","EC2InstanceId":"i-0abc1234def567890",` +
		`"LifecycleActionToken":"tok",` + member + `}`
}

func event(source, detailType, detail string) string {
	return `{"version":"0","id":"e","detail-type":"` + detailType + `","source":"` + source +
		`","account":"123456789012","time":"2026-11-22T10:00:00Z","region":"us-east-1","resources":[],"detail":` + detail + `}`
}

func TestParseMalformed(t *testing.T) {
	for _, tc := range malformed {
		t.Run(tc.name, func(t *testing.T) {
			n, err := Parse(tc.body)
			se := wantSkip(t, n, err, tc.reason)
			if se.Recognised() {
				t.Fatalf("malformed message recognised as %#v", se.Notice)
			}
			if len(err.Error()) > 400 {
				t.Fatalf("error too long for a log line: %d bytes", len(err.Error()))
			}
		})
	}
}

// TestParseLenient checks what AWS may vary without changing meaning.
func TestParseLenient(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		check      func(t *testing.T, n Notice)
	}{
		{"extra fields and any order", `{"Unknown":{"deep":[1,2,3]},"LifecycleActionToken":"tok","EC2InstanceId":"i-0abc1234def567890",` +
			`"LifecycleHookName":"h","AutoScalingGroupName":"g","LifecycleTransition":"autoscaling:EC2_INSTANCE_TERMINATING"}`,
			func(t *testing.T, n Notice) {
				a := n.(LifecycleAction)
				if a.Token != "tok" || a.Group != "g" || a.HookName != "h" || !a.Head().Time.IsZero() {
					t.Fatalf("%#v", a)
				}
			}},
		{"unreadable lifecycle time", lifecycle(`"Time":"soon"`), func(t *testing.T, n Notice) {
			if !n.Head().Time.IsZero() {
				t.Fatalf("time %v", n.Head().Time)
			}
		}},
		{"metadata as JSON", lifecycle(`"NotificationMetadata":{"cluster":"prod"}`), func(t *testing.T, n Notice) {
			if m := n.(LifecycleAction).Metadata; m != `{"cluster":"prod"}` {
				t.Fatalf("metadata %q", m)
			}
		}},
		{"whitespace around", "\n  " + lifecycle(`"AccountId":"1"`) + "\n", func(t *testing.T, n Notice) {
			if n.Head().Account != "1" {
				t.Fatalf("%+v", n.Head())
			}
		}},
		{"lifecycle event without transition", event("aws.autoscaling", "EC2 Instance-terminate Lifecycle Action",
			`{"AutoScalingGroupName":"web","LifecycleHookName":"h","EC2InstanceId":"i-1234567890abcdef0","LifecycleActionToken":"t"}`),
			func(t *testing.T, n Notice) {
				if a := n.(LifecycleAction); !a.Terminating() || a.Head().Time != ts("2026-11-22T10:00:00Z") {
					t.Fatalf("%#v", a)
				}
			}},
		{"spot without action", event("aws.ec2", "EC2 Spot Instance Interruption Warning", `{"instance-id":"i-1234567890abcdef0"}`),
			func(t *testing.T, n Notice) {
				if s := n.(SpotInterruption); s.Deadline != ts("2026-11-22T10:02:00Z") || s.Action != "" {
					t.Fatalf("%#v", s)
				}
			}},
		{"version as a string", event("aws.ecs", "ECS Task State Change", `{"taskArn":"t","clusterArn":"c","lastStatus":"RUNNING","version":"12"}`),
			func(t *testing.T, n Notice) {
				if v := n.(TaskStateChange).Version; v != 12 {
					t.Fatalf("version %d", v)
				}
			}},
		{"Fargate task", event("aws.ecs", "ECS Task State Change", `{"taskArn":"t","clusterArn":"c","lastStatus":"RUNNING","launchType":"FARGATE"}`),
			func(t *testing.T, n Notice) {
				if n.Instance() != "" || n.(TaskStateChange).ContainerInstanceARN != "" {
					t.Fatalf("%#v", n)
				}
			}},
		{"ECS Anywhere instance", event("aws.ecs", "ECS Container Instance State Change", `{"containerInstanceArn":"a","status":"ACTIVE","ec2InstanceId":"mi-0123456789abcdef0"}`),
			func(t *testing.T, n Notice) {
				if n.Instance() != "mi-0123456789abcdef0" {
					t.Fatalf("%#v", n)
				}
			}},
		{"8-digit instance id", lifecycle(`"EC2InstanceId":"i-f3a8506b"`), func(t *testing.T, n Notice) {
			if n.Instance() != "i-f3a8506b" {
				t.Fatalf("%#v", n)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := Parse(tc.body)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, n)
		})
	}
}

func TestSkipError(t *testing.T) {
	err := error(&SkipError{Reason: ReasonNotJSON, Detail: "message", Err: errors.New("boom")})
	if !errors.Is(err, ErrSkip) || errors.Unwrap(err).Error() != "boom" {
		t.Fatalf("errors.Is/Unwrap: %v", err)
	}
	if got, want := err.Error(), "skip message: not JSON: message: boom"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	wrapped := errors.Join(errors.New("context"), err)
	if !errors.Is(wrapped, ErrSkip) {
		t.Fatal("wrapped skip is not ErrSkip")
	}
	if errors.Is(errors.New("other"), ErrSkip) {
		t.Fatal("any error is ErrSkip")
	}
	long := strings.Repeat("x", 10_000)
	_, err = Parse(`{"` + long + `":1}`)
	if len(err.Error()) > 200 {
		t.Fatalf("detail not clipped: %d bytes", len(err.Error()))
	}
}
