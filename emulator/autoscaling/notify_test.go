package autoscaling

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	arnRE  = regexp.MustCompile(`^arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:[0-9a-f-]{36}:autoScalingGroupName/web$`)
)

// decode parses a message body into a map, failing on unknown shapes.
func decode(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("body %q is not JSON: %v", body, err)
	}
	return m
}

func keys(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sortStrings(ks)
	return strings.Join(ks, ",")
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestTestNotificationShape(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 3, 0)
	w.hook("web", "drain", TransitionTerminating, 300, "CONTINUE")
	if len(w.rec.Messages) != 1 {
		t.Fatalf("%d messages, want the test notification", len(w.rec.Messages))
	}
	msg := w.rec.Messages[0]
	if msg.ARN != queueARN {
		t.Fatalf("sent to %s", msg.ARN)
	}
	m := decode(t, msg.Body)
	if got, want := keys(m), "AccountId,AutoScalingGroupARN,AutoScalingGroupName,Event,RequestId,Service,Time"; got != want {
		t.Fatalf("fields %s, want %s", got, want)
	}
	if m["Event"] != "autoscaling:TEST_NOTIFICATION" || m["Service"] != "AWS Auto Scaling" || m["AccountId"] != "123456789012" ||
		m["AutoScalingGroupName"] != "web" || m["Time"] != "2026-11-22T10:00:00.000Z" ||
		!uuidRE.MatchString(m["RequestId"].(string)) || !arnRE.MatchString(m["AutoScalingGroupARN"].(string)) {
		t.Fatalf("test notification = %v", m)
	}
	// Updating the hook without changing its target sends nothing new.
	w.hook("web", "drain", TransitionTerminating, 600, "CONTINUE")
	if len(w.rec.Messages) != 1 {
		t.Fatalf("update resent the test notification")
	}
}

func TestLifecycleMessageShapes(t *testing.T) {
	for _, tc := range []struct {
		transition, origin, destination, detailType string
	}{
		{TransitionTerminating, "AutoScalingGroup", "EC2", "EC2 Instance-terminate Lifecycle Action"},
		{TransitionLaunching, "EC2", "AutoScalingGroup", "EC2 Instance-launch Lifecycle Action"},
	} {
		t.Run(tc.transition, func(t *testing.T) {
			w := newWorld(t)
			w.group("web", 0, 3, 0)
			w.do(func() {
				_, err := w.svc.PutLifecycleHook(PutLifecycleHookInput{AutoScalingGroupName: "web", LifecycleHookName: "drain-hook",
					LifecycleTransition: tc.transition, NotificationTargetARN: queueARN, RoleARN: "arn:aws:iam::123456789012:role/hook",
					NotificationMetadata: `{"cluster":"prod"}`})
				if err != nil {
					t.Error(err)
				}
			})
			w.setDesired("web", 1)
			w.run(bootDelay + time.Second)
			if tc.transition == TransitionTerminating {
				id := w.inState("web", StateInService)[0]
				w.run(17 * time.Second)
				w.do(func() {
					_, _ = w.svc.TerminateInstanceInAutoScalingGroup(TerminateInstanceInAutoScalingGroupInput{InstanceId: id, ShouldDecrementDesiredCapacity: bptr(true)})
				})
			}
			var id string
			for _, in := range w.instances("web") {
				if len(w.actions(in.InstanceId)) == 1 {
					id = in.InstanceId
				}
			}
			if id == "" {
				t.Fatalf("no instance holds an action: %v", w.states("web"))
			}
			act := w.actions(id)[0]
			body := w.rec.Messages[len(w.rec.Messages)-1].Body
			m := decode(t, body)
			want := "AccountId,AutoScalingGroupName,Destination,EC2InstanceId,LifecycleActionToken,LifecycleHookName,LifecycleTransition,NotificationMetadata,Origin,RequestId,Service,Time"
			if keys(m) != want {
				t.Fatalf("fields %s, want %s", keys(m), want)
			}
			checks := map[string]string{
				"Origin": tc.origin, "Destination": tc.destination, "LifecycleHookName": "drain-hook", "AccountId": "123456789012",
				"LifecycleTransition": tc.transition, "AutoScalingGroupName": "web", "Service": "AWS Auto Scaling",
				"Time": act.Start.Format("2006-01-02T15:04:05.000Z"), "EC2InstanceId": id, "LifecycleActionToken": act.Token,
				"NotificationMetadata": `{"cluster":"prod"}`,
			}
			for k, v := range checks {
				if m[k] != v {
					t.Errorf("%s = %v, want %v", k, m[k], v)
				}
			}
			if !uuidRE.MatchString(m["RequestId"].(string)) || !uuidRE.MatchString(act.Token) {
				t.Errorf("RequestId %v or token %v is not a UUID", m["RequestId"], act.Token)
			}
			// The field order is the one AWS sends.
			if !strings.HasPrefix(body, `{"Origin":`) || !strings.Contains(body, `"Time":"`+act.Start.Format("2006-01-02T15:04:05.000Z")+`","EC2InstanceId"`) {
				t.Errorf("field order differs from AWS: %s", body)
			}
			// And the same detail on EventBridge.
			var found bool
			for _, ev := range w.rec.Events {
				if ev.DetailType != tc.detailType {
					continue
				}
				found = true
				b, _ := json.Marshal(ev.Detail)
				d := decode(t, string(b))
				if ev.Source != "aws.autoscaling" || len(ev.Resources) != 1 || !arnRE.MatchString(ev.Resources[0]) ||
					d["LifecycleActionToken"] != act.Token || d["EC2InstanceId"] != id || d["Origin"] != tc.origin || keys(d) != want {
					t.Errorf("event = %+v detail %v", ev, d)
				}
			}
			if !found {
				t.Errorf("no %q event", tc.detailType)
			}
		})
	}
}

func TestNoMetadataFieldWhenUnset(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 3, 1)
	w.hook("web", "drain", TransitionTerminating, 300, "CONTINUE")
	w.run(time.Minute)
	w.setDesired("web", 0)
	w.run(time.Second)
	m := decode(t, w.rec.Messages[len(w.rec.Messages)-1].Body)
	if _, ok := m["NotificationMetadata"]; ok {
		t.Fatalf("NotificationMetadata present without metadata: %v", m)
	}
}

func TestNotificationConfigurationAndActivityEvents(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 3, 0)
	topic := "arn:aws:sqs:us-east-1:123456789012:asg-events"
	w.do(func() {
		_, err := w.svc.PutNotificationConfiguration(PutNotificationConfigurationInput{AutoScalingGroupName: "web", TopicARN: topic,
			NotificationTypes: []string{NotifyLaunch, NotifyTerminate}})
		if err != nil {
			t.Fatal(err)
		}
	})
	if m := decode(t, w.rec.Messages[0].Body); m["Event"] != NotifyTest {
		t.Fatalf("first message = %v, want the test notification", m)
	}
	w.setDesired("web", 1)
	w.run(bootDelay)
	id := w.fleet.ids[0]
	if len(w.rec.Messages) != 2 {
		t.Fatalf("%d messages after launch, want 2", len(w.rec.Messages))
	}
	m := decode(t, w.rec.Messages[1].Body)
	want := "AccountId,ActivityId,AutoScalingGroupARN,AutoScalingGroupName,Cause,Description,Destination,Details,EC2InstanceId,EndTime,Event,Origin,Progress,RequestId,Service,StartTime,StatusCode,StatusMessage,Time"
	if keys(m) != want {
		t.Fatalf("fields %s, want %s", keys(m), want)
	}
	if m["Event"] != NotifyLaunch || m["EC2InstanceId"] != id || m["Description"] != "Launching a new EC2 instance: "+id ||
		m["StatusCode"] != ActivitySuccessful || m["Details"].(map[string]any)["Availability Zone"] != "us-east-1a" ||
		!strings.HasPrefix(m["Cause"].(string), "At 2026-11-22T10:00:00Z a user request explicitly set group desired capacity changing the desired capacity from 0 to 1.  At 2026-11-22T10:00:00Z an instance was started") {
		t.Fatalf("launch notification = %v", m)
	}
	var launchEvent bool
	for _, ev := range w.rec.Events {
		if ev.DetailType == "EC2 Instance Launch Successful" {
			launchEvent = true
		}
	}
	if !launchEvent {
		t.Fatal("no EC2 Instance Launch Successful event")
	}
	w.setDesired("web", 0)
	w.run(stopDelay + time.Second)
	if m := decode(t, w.rec.Messages[len(w.rec.Messages)-1].Body); m["Event"] != NotifyTerminate || m["EC2InstanceId"] != id {
		t.Fatalf("terminate notification = %v", m)
	}
	var termEvent bool
	for _, ev := range w.rec.Events {
		if ev.DetailType == "EC2 Instance Terminate Successful" {
			termEvent = true
		}
	}
	if !termEvent {
		t.Fatal("no EC2 Instance Terminate Successful event")
	}

	var out *DescribeNotificationConfigurationsOutput
	w.do(func() {
		out, _ = w.svc.DescribeNotificationConfigurations(DescribeNotificationConfigurationsInput{AutoScalingGroupNames: []string{"web"}})
	})
	if len(out.NotificationConfigurations) != 2 || out.NotificationConfigurations[0].TopicARN != topic {
		t.Fatalf("configurations = %+v", out.NotificationConfigurations)
	}
	var err error
	w.do(func() {
		_, err = w.svc.PutNotificationConfiguration(PutNotificationConfigurationInput{AutoScalingGroupName: "web", TopicARN: topic,
			NotificationTypes: []string{"autoscaling:EC2_INSTANCE_EXPLODE"}})
	})
	if codeOf(err) != "ValidationError" {
		t.Fatalf("bad notification type: %v", err)
	}
	w.do(func() {
		_, err = w.svc.DeleteNotificationConfiguration(DeleteNotificationConfigurationInput{AutoScalingGroupName: "web", TopicARN: topic})
	})
	if err != nil {
		t.Fatal(err)
	}
	w.do(func() {
		_, err = w.svc.DeleteNotificationConfiguration(DeleteNotificationConfigurationInput{AutoScalingGroupName: "web", TopicARN: topic})
	})
	if codeOf(err) != "ValidationError" {
		t.Fatalf("deleting a missing configuration: %v", err)
	}
}

func TestLaunchFailureIsRecordedAndRetried(t *testing.T) {
	w := newWorld(t)
	w.fleet.failNext = 1
	w.group("web", 0, 3, 1)
	w.run(time.Second)
	acts := w.activities("web")
	if len(acts) != 1 || acts[0].StatusCode != ActivityFailed || !strings.Contains(acts[0].StatusMessage, "InsufficientInstanceCapacity") {
		t.Fatalf("activities = %+v", acts)
	}
	var unsuccessful bool
	for _, ev := range w.rec.Events {
		unsuccessful = unsuccessful || ev.DetailType == "EC2 Instance Launch Unsuccessful"
	}
	if !unsuccessful {
		t.Fatal("no EC2 Instance Launch Unsuccessful event")
	}
	w.run(launchRetryDelay + bootDelay)
	if w.states("web")[StateInService] != 1 {
		t.Fatalf("no retry: %v", w.states("web"))
	}
}

func TestTerminationNoticeIsTheMessageAutoScalingSent(t *testing.T) {
	w := newWorld(t)
	w.group("web", 0, 3, 2)
	w.do(func() {
		_, err := w.svc.PutLifecycleHook(PutLifecycleHookInput{AutoScalingGroupName: "web", LifecycleHookName: "drain",
			LifecycleTransition: TransitionTerminating, NotificationTargetARN: queueARN, RoleARN: "arn:aws:iam::123456789012:role/hook",
			NotificationMetadata: "prod"})
		if err != nil {
			t.Fatal(err)
		}
	})
	w.hook("web", "logs", TransitionTerminating, 300, "ABANDON")
	w.run(time.Minute)
	w.setDesired("web", 1)
	w.run(10 * time.Second)
	waiting := w.inState("web", StateTerminatingWait)
	staying := w.inState("web", StateInService)
	if len(waiting) != 1 || len(staying) != 1 {
		t.Fatalf("states = %v", w.states("web"))
	}
	var sent map[string]any
	for _, msg := range w.rec.Messages {
		if m := decode(t, msg.Body); m["LifecycleHookName"] == "drain" {
			sent = m
		}
	}

	var (
		m       LifecycleMessage
		pending bool
		err     error
	)
	w.do(func() { m, pending, err = w.svc.TerminationNotice("web", waiting[0], "") })
	if err != nil || !pending {
		t.Fatalf("notice for the waiting instance: pending %v, err %v", pending, err)
	}
	// The same message but for its RequestId, which is new for each.
	if m.LifecycleActionToken != sent["LifecycleActionToken"] || m.Time != sent["Time"] || m.LifecycleHookName != "drain" ||
		m.NotificationMetadata != "prod" || m.Origin != "AutoScalingGroup" || m.EC2InstanceId != waiting[0] || m.RequestId == sent["RequestId"] {
		t.Fatalf("notice %+v, sent %v", m, sent)
	}
	w.do(func() { m, pending, err = w.svc.TerminationNotice("web", waiting[0], "logs") })
	if err != nil || !pending || m.LifecycleHookName != "logs" || m.LifecycleActionToken == sent["LifecycleActionToken"] {
		t.Fatalf("notice for the second hook: %+v pending %v err %v", m, pending, err)
	}
	var logsToken string
	for _, a := range w.actions(waiting[0]) {
		if a.LifecycleHookName == "logs" {
			logsToken = a.Token
		}
	}
	if m.LifecycleActionToken != logsToken {
		t.Fatalf("token %s, want the logs hook's %s", m.LifecycleActionToken, logsToken)
	}

	// An instance with no pending action gets a token Auto Scaling never
	// issued: completing with it fails as for any stale token.
	w.do(func() { m, pending, err = w.svc.TerminationNotice("web", staying[0], "") })
	if err != nil || pending || !uuidRE.MatchString(m.LifecycleActionToken) || m.Time != "2026-11-22T10:01:10.000Z" {
		t.Fatalf("notice for an InService instance: %+v pending %v err %v", m, pending, err)
	}
	w.do(func() {
		_, err = w.svc.CompleteLifecycleAction(CompleteLifecycleActionInput{AutoScalingGroupName: "web", LifecycleHookName: "drain",
			LifecycleActionToken: m.LifecycleActionToken, LifecycleActionResult: "CONTINUE"})
	})
	if codeOf(err) != "ValidationError" {
		t.Fatalf("completing with a token never issued: %v", err)
	}
	// A hook the group does not have is named as asked.
	w.do(func() { m, pending, err = w.svc.TerminationNotice("web", waiting[0], "other-team") })
	if err != nil || pending || m.LifecycleHookName != "other-team" || m.LifecycleTransition != TransitionTerminating {
		t.Fatalf("notice for a foreign hook: %+v pending %v err %v", m, pending, err)
	}
	ev := w.svc.LifecycleEvent(m)
	if ev.DetailType != "EC2 Instance-terminate Lifecycle Action" || ev.Source != "aws.autoscaling" ||
		len(ev.Resources) != 1 || !arnRE.MatchString(ev.Resources[0]) || ev.Detail != m {
		t.Fatalf("event = %+v", ev)
	}

	w.do(func() { _, _, err = w.svc.TerminationNotice("nope", waiting[0], "") })
	if codeOf(err) != "ValidationError" {
		t.Fatalf("unknown group: %v", err)
	}
	w.group("bare", 0, 1, 0)
	w.do(func() { _, _, err = w.svc.TerminationNotice("bare", waiting[0], "") })
	if err == nil || !strings.Contains(err.Error(), "no termination lifecycle hook") {
		t.Fatalf("group without hooks: %v", err)
	}
}
