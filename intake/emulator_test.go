package intake

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/emulator/sqs"
)

var update = flag.Bool("update", false, "rewrite testdata/emulator/ from a live emulated world")

// emulatorScenario is a small world whose every message reaches one queue:
// a termination hook and a launch hook notify it directly, a notification
// configuration sends activity reports, and an EventBridge rule routes
// every Auto Scaling, EC2 and ECS event to it. The timeline scales in,
// interrupts a Spot instance and recommends a rebalance.
const emulatorScenario = `{
  "name": "intake-samples", "seed": 7,
  "clusters": [{"name": "demo"}],
  "queues": [{"name": "drainer", "visibilityTimeout": "60s"}],
  "rules": [{"name": "all", "queue": "drainer",
             "pattern": {"source": ["aws.autoscaling", "aws.ec2", "aws.ecs"]}}],
  "taskDefinitions": [{"family": "web", "cpu": 256, "memory": 512, "start": "20s", "stop": "5s"}],
  "groups": [
    {"name": "demo-asg", "cluster": "demo", "min": 1, "max": 4, "desired": 2,
     "hooks": [{"name": "drain-hook", "heartbeatTimeout": "15m", "defaultResult": "CONTINUE", "queue": "drainer",
                "metadata": "{\"cluster\":\"demo\"}"},
               {"name": "warm-hook", "transition": "launching", "heartbeatTimeout": "30s", "defaultResult": "CONTINUE", "queue": "drainer"}]},
    {"name": "spot-asg", "cluster": "demo", "min": 0, "max": 4, "desired": 2, "spotPercent": 100}
  ],
  "services": [{"name": "web", "cluster": "demo", "taskDefinition": "web", "desired": 2}],
  "timeline": [
    {"at": "5m", "action": "set-desired", "group": "demo-asg", "count": 1},
    {"at": "6m", "action": "interrupt-spot", "group": "spot-asg", "instance": "oldest"},
    {"at": "7m", "action": "rebalance", "group": "spot-asg", "instance": "newest"}
  ]
}`

// emulatorBodies runs the scenario and returns every message body the
// queue received, in order.
func emulatorBodies(t *testing.T) []string {
	t.Helper()
	sc, err := scenario.ParseJSON([]byte(emulatorScenario))
	if err != nil {
		t.Fatal(err)
	}
	run, err := scenario.NewWorld(sc, emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	w := run.World
	url, err := emulator.Invoke(w, "test", w.SQS.GetQueueUrl, sqs.GetQueueUrlInput{QueueName: "drainer"})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := emulator.Invoke(w, "test", w.SQS.GetQueueAttributes, sqs.GetQueueAttributesInput{QueueUrl: url.QueueUrl, AttributeNames: []string{"QueueArn"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = emulator.Invoke(w, "test", w.AutoScaling.PutNotificationConfiguration, autoscaling.PutNotificationConfigurationInput{
		AutoScalingGroupName: "demo-asg", TopicARN: attrs.Attributes["QueueArn"],
		NotificationTypes: []string{autoscaling.NotifyLaunch, autoscaling.NotifyTerminate},
	})
	if err != nil {
		t.Fatal(err)
	}
	w.Clock.RunFor(12 * time.Minute)
	if errs := run.Errors(); len(errs) > 0 {
		t.Fatalf("scenario errors: %+v", errs)
	}

	var bodies []string
	hide := int32(3600)
	for {
		out, err := emulator.Invoke(w, "test", w.SQS.ReceiveMessage, sqs.ReceiveMessageInput{QueueUrl: url.QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: &hide})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return bodies
		}
		for _, m := range out.Messages {
			bodies = append(bodies, m.Body)
		}
	}
}

// TestEmulatorMessagesParse parses every message a live emulated world
// sends: each must be a notice or a recognised skip, and every kind of
// DESIGN.md §4 must appear. With -update it rewrites one sample of each
// kind into testdata/emulator/.
func TestEmulatorMessagesParse(t *testing.T) {
	bodies := emulatorBodies(t)
	samples := map[string]string{} // file name → first body of that kind
	seen := map[Kind]int{}
	for _, body := range bodies {
		n, err := Parse(body)
		var name string
		switch {
		case err == nil:
			name = string(n.Kind())
			if a, ok := n.(LifecycleAction); ok && !a.Terminating() {
				name += "-launch"
			}
		case errors.As(err, new(*SkipError)) && err.(*SkipError).Recognised():
			n = err.(*SkipError).Notice
			name = string(n.Kind())
		default:
			t.Errorf("Parse(%s) = %v", body, err)
			continue
		}
		if n.Head().Time.IsZero() {
			t.Errorf("%s without a time: %s", n.Kind(), body)
		}
		if n.Head().Via == ViaEventBridge {
			name = "eventbridge-" + name
		} else {
			name = "direct-" + name
		}
		seen[n.Kind()]++
		if _, ok := samples[name]; !ok {
			samples[name] = body
		}
	}
	for _, k := range []Kind{KindLifecycleAction, KindTestNotification, KindInstanceNotification, KindSpotInterruption,
		KindRebalanceRecommendation, KindInstanceStateChange, KindTaskStateChange, KindContainerInstanceStateChange} {
		if seen[k] == 0 {
			t.Errorf("no %s among %d messages", k, len(bodies))
		}
	}
	for _, name := range []string{"direct-lifecycle-action", "direct-lifecycle-action-launch", "eventbridge-lifecycle-action",
		"eventbridge-lifecycle-action-launch", "direct-test-notification", "direct-instance-notification"} {
		if _, ok := samples[name]; !ok {
			t.Errorf("no %s sample", name)
		}
	}
	t.Logf("%d messages: %v", len(bodies), seen)

	dir := filepath.Join("testdata", "emulator")
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, body := range samples {
			if err := os.WriteFile(filepath.Join(dir, name+".json"), []byte(body+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
