package aws_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/cloud"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/core"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/eventbridge"
	"github.com/drainer-dev/drainer/emulator/front"
	"github.com/drainer-dev/drainer/emulator/sqs"
)

// The "does not exist" answers of every service drainer calls, one per
// case, over the wire: each must reach drainer as the right sentinel, and
// the emulator must word it as AWS does (code, HTTP status, message).

// answer is what AWS said: HTTP status, error code and message.
type answer struct {
	status        int
	code, message string
}

func answerOf(err error) answer {
	var a answer
	var api smithy.APIError
	if errors.As(err, &api) {
		a.code, a.message = api.ErrorCode(), api.ErrorMessage()
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		a.status = re.HTTPStatusCode()
	}
	return a
}

// expect checks err against the sentinel it must carry (nil: none) and the
// answer on the wire (a message ending in "…" is a prefix).
func expect(t *testing.T, what string, err, sentinel error, want answer) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %s %q", what, want.code, want.message)
		return
	}
	for _, s := range []error{cloud.ErrNotFound, cloud.ErrNoActiveLifecycleAction, cloud.ErrThrottled} {
		if got := errors.Is(err, s); got != (s == sentinel) {
			t.Errorf("%s: errors.Is(%v, %v) = %t", what, err, s, got)
		}
	}
	got := answerOf(err)
	msgOK := got.message == want.message
	if prefix, ok := strings.CutSuffix(want.message, "…"); ok {
		msgOK = strings.HasPrefix(got.message, prefix)
	}
	if got.status != want.status || got.code != want.code || !msgOK {
		t.Errorf("%s: answered %d %s %q, want %d %s %q", what, got.status, got.code, got.message, want.status, want.code, want.message)
	}
}

// answerCase is one call's error, the sentinel it must carry and the
// answer it must come from.
type answerCase struct {
	what     string
	err      error
	sentinel error
	want     answer
}

func expectAll(t *testing.T, cases []answerCase) {
	t.Helper()
	for _, c := range cases {
		expect(t, c.what, c.err, c.sentinel, c.want)
	}
}

// standalone launches an EC2 instance from the demo group's launch template
// outside any Auto Scaling group (as a hand-launched or detached host is):
// its ECS agent joins the demo cluster all the same.
func standalone(t *testing.T, w *emulator.World) string {
	t.Helper()
	var id string
	var err error
	w.Do(func() {
		var inst *ec2.Instance
		inst, err = w.EC2.Launch(ec2.LaunchSpec{LaunchTemplateName: "demo-asg-template", AZ: "us-east-1a"})
		if err == nil {
			id = inst.ID
		}
	})
	noErr(t, err)
	return id
}

const (
	unknownInstance = "i-0123456789abcdef0"
	unknownENI      = "eni-0123456789abcdef0"
)

func TestAutoScalingAnswersForAnInstanceInNoGroup(t *testing.T) {
	w := world(t, demoWorld)
	id := standalone(t, w)
	w.Clock.RunFor(2 * time.Minute)
	c := client(t, w, cloudaws.Options{})
	ctx := ctxT(t)

	// It is a container instance like any other…
	ci, err := c.FindContainerInstance(ctx, "demo", id)
	noErr(t, err)
	if ci.EC2InstanceID != id || ci.Status != cloud.ContainerInstanceActive {
		t.Fatalf("container instance of the standalone host = %+v", ci)
	}
	// …that Auto Scaling does not know: left out, as documented for
	// DescribeAutoScalingInstances ("If you specify an ID that does not
	// exist, it is ignored with no error").
	gis, err := c.DescribeGroupInstances(ctx, []string{id, unknownInstance})
	if err != nil || len(gis) != 0 {
		t.Errorf("DescribeGroupInstances = %+v, %v; want none, no error", gis, err)
	}
	groups, err := c.DescribeGroups(ctx, []string{"nope"})
	if err != nil || len(groups) != 0 {
		t.Errorf("DescribeGroups(unknown) = %+v, %v; want none, no error", groups, err)
	}

	expectAll(t, []answerCase{
		{"TerminateInstanceInAutoScalingGroup, instance in no group",
			c.TerminateGroupInstance(ctx, id, false), cloud.ErrNotFound,
			answer{400, "ValidationError", "Instance Id not found - No managed instance found for instance ID: " + id}},
		{"TerminateInstanceInAutoScalingGroup, unknown instance",
			c.TerminateGroupInstance(ctx, unknownInstance, true), cloud.ErrNotFound,
			answer{400, "ValidationError", "Instance Id not found - No managed instance found for instance ID: " + unknownInstance}},
		{"SetInstanceProtection, instance in no group",
			c.SetInstanceProtection(ctx, "demo-asg", []string{id}, true), cloud.ErrNotFound,
			answer{400, "ValidationError", "The instance " + id + " is not part of Auto Scaling group demo-asg."}},
		{"SetInstanceProtection, unknown group",
			c.SetInstanceProtection(ctx, "nope", []string{id}, false), cloud.ErrNotFound,
			answer{400, "ValidationError", "AutoScalingGroup name not found - AutoScalingGroup nope not found"}},
		{"DescribeLifecycleHooks, unknown group",
			func() error { _, err := c.LifecycleHooks(ctx, "nope"); return err }(), cloud.ErrNotFound,
			answer{400, "ValidationError", "AutoScalingGroup name not found - AutoScalingGroup nope not found"}},
		{"CompleteLifecycleAction, instance in no group",
			c.CompleteLifecycleAction(ctx, cloud.LifecycleAction{Group: "demo-asg", Hook: "drain-hook", InstanceID: id}, cloud.LifecycleContinue),
			cloud.ErrNoActiveLifecycleAction,
			answer{400, "ValidationError", "No active Lifecycle Action found with instance ID " + id}},
		{"RecordLifecycleActionHeartbeat, instance in no group",
			c.RecordLifecycleActionHeartbeat(ctx, cloud.LifecycleAction{Group: "demo-asg", Hook: "drain-hook", InstanceID: id}),
			cloud.ErrNoActiveLifecycleAction,
			answer{400, "ValidationError", "No active Lifecycle Action found with instance ID " + id}},
		{"RecordLifecycleActionHeartbeat, unknown token",
			c.RecordLifecycleActionHeartbeat(ctx, cloud.LifecycleAction{Group: "demo-asg", Hook: "drain-hook", Token: "1f2e3d4c-aaaa-bbbb-cccc-123456789012"}),
			cloud.ErrNoActiveLifecycleAction,
			answer{400, "ValidationError", "No active Lifecycle Action found with token 1f2e3d4c-aaaa-bbbb-cccc-123456789012"}},
	})

	// A refusal about something else is no "not found": an instance of the
	// group that is not InService cannot change its protection.
	w.Clock.RunFor(time.Minute)
	g, err := c.DescribeGroups(ctx, []string{"demo-asg"})
	noErr(t, err)
	member := g[0].Instances[0].InstanceID
	noErr(t, c.TerminateGroupInstance(ctx, member, false))
	err = c.SetInstanceProtection(ctx, "demo-asg", []string{member}, true)
	expect(t, "SetInstanceProtection, instance terminating", err, nil,
		answer{400, "ValidationError", "The instance " + member + " is not in InService or EnteringStandby or Standby."})

	// Nothing was retried: a "does not exist" answer is final.
	if n := count(w, "autoscaling", "TerminateInstanceInAutoScalingGroup"); n != 3 {
		t.Errorf("TerminateInstanceInAutoScalingGroup called %d times, want 3", n)
	}
}

func TestECSAnswersForThingsThatDoNotExist(t *testing.T) {
	w := world(t, demoWorld)
	w.Clock.RunFor(4 * time.Minute)
	c := client(t, w, cloudaws.Options{})
	ctx := ctxT(t)
	cis, err := c.ListContainerInstances(ctx, "demo", "")
	noErr(t, err)
	ci := cis[0]
	unknownCI := strings.TrimSuffix(ci.ARN, ci.ARN[strings.LastIndex(ci.ARN, "/")+1:]) + "00000000000000000000000000000000"
	unknownTask := strings.Replace(unknownCI, "container-instance", "task", 1)
	clusterNotFound := answer{400, "ClusterNotFoundException", "Cluster not found."}

	expectAll(t, []answerCase{
		{"ListContainerInstances, unknown cluster",
			func() error { _, err := c.ListContainerInstances(ctx, "nope", ""); return err }(), cloud.ErrNotFound, clusterNotFound},
		{"DescribeContainerInstances, unknown cluster",
			func() error { _, err := c.DescribeContainerInstances(ctx, "nope", []string{ci.ARN}); return err }(), cloud.ErrNotFound, clusterNotFound},
		{"UpdateContainerInstancesState, unknown cluster",
			func() error { _, err := c.DrainContainerInstances(ctx, "nope", []string{ci.ARN}); return err }(), cloud.ErrNotFound, clusterNotFound},
		{"ListTasks, unknown cluster",
			func() error { _, err := c.TasksOn(ctx, "nope", ci.ARN); return err }(), cloud.ErrNotFound, clusterNotFound},
		{"ListTasks, unknown container instance",
			func() error { _, err := c.TasksOn(ctx, "demo", unknownCI); return err }(), cloud.ErrNotFound,
			answer{400, "InvalidParameterException", "Referenced container instance " + unknownCI + " not found."}},
		{"StopTask, unknown task",
			c.StopTask(ctx, "demo", unknownTask, "test"), cloud.ErrNotFound,
			answer{400, "InvalidParameterException", "The referenced task was not found."}},
		{"DeregisterContainerInstance, unknown container instance",
			c.DeregisterContainerInstance(ctx, "demo", unknownCI, true), cloud.ErrNotFound,
			answer{400, "InvalidParameterException", "Referenced container instance " + unknownCI + " not found."}},
		{"PutAttributes, unknown container instance",
			c.PutAttributes(ctx, "demo", unknownCI, map[string]string{"drainer.reason": "operator"}), cloud.ErrNotFound,
			answer{400, "TargetNotFoundException", "Could not find target " + unknownCI + "."}},
		{"DeleteAttributes, unknown container instance",
			c.DeleteAttributes(ctx, "demo", unknownCI, []string{"drainer.reason"}), cloud.ErrNotFound,
			answer{400, "TargetNotFoundException", "Could not find target " + unknownCI + "."}},
		{"ListAttributes, unknown cluster",
			func() error { _, err := c.ListAttributeTargets(ctx, "nope", "drainer.reason"); return err }(), cloud.ErrNotFound, clusterNotFound},
		{"DescribeServices, unknown cluster",
			func() error { _, err := c.DescribeServices(ctx, "nope", []string{"web"}); return err }(), cloud.ErrNotFound, clusterNotFound},
		{"FindContainerInstance, unknown cluster",
			func() error { _, err := c.FindContainerInstance(ctx, "nope", ci.EC2InstanceID); return err }(), cloud.ErrNotFound, clusterNotFound},
		{"DeregisterContainerInstance with tasks, no force",
			c.DeregisterContainerInstance(ctx, "demo", ci.ARN, false), nil,
			answer{400, "InvalidParameterException", "Found running tasks on the instance."}},
	})

	// Answers without an error: unknown items are left out or listed as
	// failures, and a cluster that DescribeClusters does not know is
	// ErrNotFound by drainer's own reading.
	if got, err := c.DescribeContainerInstances(ctx, "demo", []string{unknownCI}); err != nil || len(got) != 0 {
		t.Errorf("DescribeContainerInstances(unknown) = %+v, %v; want none, no error", got, err)
	}
	if f, err := c.DrainContainerInstances(ctx, "demo", []string{unknownCI}); err != nil || len(f) != 1 || f[0].Code != "MISSING" || f[0].ID != unknownCI {
		t.Errorf("DrainContainerInstances(unknown) = %+v, %v; want one MISSING failure", f, err)
	}
	if got, err := c.DescribeServices(ctx, "demo", []string{"nope"}); err != nil || len(got) != 0 {
		t.Errorf("DescribeServices(unknown) = %+v, %v; want none, no error", got, err)
	}
	if _, err := c.CapacityProviders(ctx, "nope"); !errors.Is(err, cloud.ErrNotFound) {
		t.Errorf("CapacityProviders(unknown cluster) = %v, want ErrNotFound", err)
	}
	if _, err := c.FindContainerInstance(ctx, "demo", unknownInstance); !errors.Is(err, cloud.ErrNotFound) {
		t.Errorf("FindContainerInstance(unknown instance) = %v, want ErrNotFound", err)
	}
}

func TestEC2AnswersForThingsThatDoNotExist(t *testing.T) {
	w := world(t, demoWorld)
	w.Clock.RunFor(time.Minute)
	c := client(t, w, cloudaws.Options{})
	ctx := ctxT(t)
	host := standalone(t, w)
	w.Clock.RunFor(time.Minute)
	var leaked string
	var eniErr error
	w.Do(func() {
		var eni *ec2.NetworkInterface
		if eni, eniErr = w.EC2.AttachNetworkInterface(host, "ecs task"); eniErr == nil {
			leaked = eni.ID
			w.EC2.DetachNetworkInterface(eni.ID, true) // left available
		}
	})
	noErr(t, eniErr)
	expectAll(t, []answerCase{
		{"TerminateInstances, unknown instance",
			c.TerminateInstances(ctx, []string{unknownInstance}), cloud.ErrNotFound,
			answer{400, "InvalidInstanceID.NotFound", "The instance ID '" + unknownInstance + "' does not exist"}},
		{"DeleteNetworkInterface, unknown interface",
			c.DeleteNetworkInterface(ctx, unknownENI), cloud.ErrNotFound,
			answer{400, "InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '" + unknownENI + "' does not exist"}},
	})
	// DescribeInstances selects by the instance-id filter, which EC2
	// answers without the unknown ones; the client says they are unknown
	// in EC2's own words for a request by id (no HTTP answer carries it),
	// with the instances it does know.
	known, err := c.DescribeInstances(ctx, []string{host, unknownInstance})
	if got, want := answerOf(err), (answer{0, "InvalidInstanceID.NotFound", "The instance ID '" + unknownInstance + "' does not exist"}); !errors.Is(err, cloud.ErrNotFound) || got != want {
		t.Errorf("DescribeInstances(known, unknown) error = %v (%+v), want ErrNotFound %+v", err, got, want)
	}
	if len(known) != 1 || known[0].ID != host {
		t.Errorf("DescribeInstances(known, unknown) = %+v, want the known one", known)
	}
	_, err = c.DescribeInstances(ctx, []string{unknownInstance, "i-0123456789abcdef1"})
	if got := answerOf(err).message; got != "The instance IDs '"+unknownInstance+", i-0123456789abcdef1' do not exist" {
		t.Errorf("DescribeInstances(two unknown) message %q", got)
	}
	// An id that is not one fails before any call, with no sentinel.
	before := count(w, "ec2", "DescribeInstances")
	_, err = c.DescribeInstances(ctx, []string{"i-nothex"})
	if !errors.Is(err, awsid.ErrNotInstanceID) || errors.Is(err, cloud.ErrNotFound) || count(w, "ec2", "DescribeInstances") != before {
		t.Errorf("DescribeInstances(malformed) = %v after %d calls, want ErrNotInstanceID before any", err, count(w, "ec2", "DescribeInstances")-before)
	}
	// Interfaces asked for by id that are gone are simply not available:
	// the call does not fail for them, nor hide the ones still there.
	got, err := c.AvailableNetworkInterfaces(ctx, cloud.NetworkInterfaceQuery{IDs: []string{unknownENI, leaked}})
	if err != nil || len(got) != 1 || got[0].ID != leaked {
		t.Errorf("AvailableNetworkInterfaces(gone, available) = %+v, %v; want the available one", got, err)
	}
	// Terminating twice is no error: the second finds it terminating.
	noErr(t, c.TerminateInstances(ctx, []string{host}))
	noErr(t, c.TerminateInstances(ctx, []string{host}))
}

func TestSQSAnswersForThingsThatDoNotExist(t *testing.T) {
	w := world(t, demoWorld)
	c := client(t, w, cloudaws.Options{})
	ctx := ctxT(t)
	url, err := c.QueueURL(ctx, "drainer")
	noErr(t, err)
	var sendErr error
	w.Do(func() { _, sendErr = w.SQS.SendMessage(sqs.SendMessageInput{QueueUrl: url, MessageBody: "{}"}) })
	noErr(t, sendErr)
	msgs, err := c.ReceiveMessages(ctx, url, cloud.ReceiveOptions{Max: 1})
	noErr(t, err)
	if len(msgs) != 1 {
		t.Fatalf("received %d messages, want 1", len(msgs))
	}
	h := msgs[0].ReceiptHandle
	if f, err := c.DeleteMessages(ctx, url, []string{h}); err != nil || len(f) != 0 {
		t.Fatalf("DeleteMessages = %+v, %v", f, err)
	}
	gone := strings.Replace(url, "/drainer", "/gone", 1)
	noQueue := answer{400, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist."}
	// A queue by ARN is the queue of that name in that account; its ARN
	// reads back.
	arn := "arn:aws:sqs:" + w.Env.Region + ":" + w.Env.Account + ":drainer"
	byARN, err := c.QueueURL(ctx, arn)
	noErr(t, err)
	readARN, err := c.QueueARN(ctx, url)
	noErr(t, err)
	if byARN != url || readARN != arn {
		t.Errorf("QueueURL(%s) = %s, QueueARN(%s) = %s; want %s and the ARN", arn, byARN, url, readARN, url)
	}
	otherAccount := strings.Replace(arn, ":"+w.Env.Account+":", ":999999999999:", 1)

	expectAll(t, []answerCase{
		{"GetQueueUrl, unknown queue",
			func() error { _, err := c.QueueURL(ctx, "gone"); return err }(), cloud.ErrNotFound, noQueue},
		{"GetQueueUrl, a queue ARN of another account",
			func() error { _, err := c.QueueURL(ctx, otherAccount); return err }(), cloud.ErrNotFound, noQueue},
		{"GetQueueAttributes, unknown queue",
			func() error { _, err := c.QueueARN(ctx, gone); return err }(), cloud.ErrNotFound, noQueue},
		{"ReceiveMessage, unknown queue",
			func() error { _, err := c.ReceiveMessages(ctx, gone, cloud.ReceiveOptions{}); return err }(), cloud.ErrNotFound, noQueue},
		{"DeleteMessageBatch, unknown queue",
			func() error { _, err := c.DeleteMessages(ctx, gone, []string{h}); return err }(), cloud.ErrNotFound, noQueue},
		{"ChangeMessageVisibility, unknown queue",
			c.ChangeMessageVisibility(ctx, gone, h, 0), cloud.ErrNotFound, noQueue},
		{"ChangeMessageVisibility, message deleted",
			c.ChangeMessageVisibility(ctx, url, h, 0), cloud.ErrNotFound,
			answer{400, "InvalidParameterValue", "Value " + h + " for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change."}},
		{"ChangeMessageVisibility, not a receipt handle",
			c.ChangeMessageVisibility(ctx, url, "not-a-handle", 0), nil,
			answer{400, "ReceiptHandleIsInvalid", `The input receipt handle "not-a-handle" is not a valid receipt handle.`}},
	})
}

// afterCall runs then once a call whose X-Amz-Target is target has been
// answered: a way to change the world between two calls of one method.
type afterCall struct {
	rt     http.RoundTripper
	target string
	then   func()
}

func (a afterCall) RoundTrip(r *http.Request) (*http.Response, error) {
	target := r.Header.Get("X-Amz-Target")
	resp, err := a.rt.RoundTrip(r)
	if target == a.target {
		a.then()
	}
	return resp, err
}

func TestEventBridgeAnswersForThingsThatDoNotExist(t *testing.T) {
	w := world(t, demoWorld)
	// The rule disappears right after drainer listed it, before it asks for
	// its targets.
	var removeErr error
	deleteRule := func() {
		w.Do(func() {
			if _, err := w.EventBridge.RemoveTargets(eventbridge.RemoveTargetsInput{Rule: "drainer-events", Ids: []string{"drainer"}}); err != nil {
				removeErr = err
			}
			_, err := w.EventBridge.DeleteRule(eventbridge.DeleteRuleInput{Name: "drainer-events", Force: true})
			removeErr = errors.Join(removeErr, err)
		})
	}
	rt := afterCall{rt: front.Transport(front.New(w)), target: "AWSEvents.ListRules", then: deleteRule}
	c := client(t, w, cloudaws.Options{HTTPClient: &http.Client{Transport: rt}})
	ctx := ctxT(t)
	var queueARN string
	w.Do(func() { queueARN = w.Env.ARN("sqs", "drainer") })

	rules, err := c.RulesTargeting(ctx, queueARN)
	if err != nil || len(rules) != 0 {
		t.Errorf("RulesTargeting with the rule deleted meanwhile = %+v, %v; want none, no error", rules, err)
	}
	if removeErr != nil {
		t.Fatalf("deleting the rule: %v", removeErr)
	}
	if n := count(w, "events", "ListTargetsByRule"); n != 1 {
		t.Errorf("ListTargetsByRule called %d times, want 1", n)
	}
	// The answer it got, as EventBridge words it.
	var lookErr error
	w.Do(func() {
		_, lookErr = w.EventBridge.ListTargetsByRule(eventbridge.ListTargetsByRuleInput{Rule: "drainer-events"})
	})
	var ce *core.Error
	if !errors.As(lookErr, &ce) || ce.Status != 400 || ce.Code != "ResourceNotFoundException" ||
		ce.Message != "Rule drainer-events does not exist on EventBus default." {
		t.Errorf("ListTargetsByRule of a deleted rule = %v", lookErr)
	}

	// An event for a bus that does not exist is accepted and dropped, as
	// EventBridge does: no failure to report.
	failures, err := c.PutEvents(ctx, []cloud.Event{{DetailType: "Drain Started", Detail: `{}`, Bus: "no-such-bus"}})
	if err != nil || len(failures) != 0 {
		t.Errorf("PutEvents to an unknown bus = %+v, %v; want accepted", failures, err)
	}
}
