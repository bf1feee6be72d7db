package fault

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
	"github.com/drainer-dev/drainer/emulator/ec2"
)

// TestAWSProfileBuckets: which bucket, of which size, each call draws on
// in the aws profile — ECS by category shared across actions, EC2 by
// action with the smaller bucket for a describe with neither filter nor
// page, Auto Scaling in one bucket, SQS and EventBridge in none.
func TestAWSProfileBuckets(t *testing.T) {
	max5 := int32(5)
	filter := []ec2.Filter{{Name: "instance-state-name", Values: []string{"running"}}}
	for _, tc := range []struct {
		service, op string
		input       any
		want        string // "bucket burst/rate[xcost]; …", "" for none
	}{
		// ECS: cluster-resource reads share one bucket…
		{"ecs", "DescribeContainerInstances", nil, "ecs:cluster-resource-read 100/20"},
		{"ecs", "DescribeTasks", nil, "ecs:cluster-resource-read 100/20"},
		{"ecs", "ListTasks", nil, "ecs:cluster-resource-read 100/20"},
		{"ecs", "ListContainerInstances", nil, "ecs:cluster-resource-read 100/20"},
		{"ecs", "ListAttributes", nil, "ecs:cluster-resource-read 100/20"},
		// …modifications another…
		{"ecs", "PutAttributes", nil, "ecs:cluster-resource-modify 100/40"},
		{"ecs", "DeleteAttributes", nil, "ecs:cluster-resource-modify 100/40"},
		{"ecs", "UpdateContainerInstancesState", nil, "ecs:cluster-resource-modify 100/40"},
		{"ecs", "StopTask", nil, "ecs:cluster-resource-modify 100/40"},
		{"ecs", "DeregisterContainerInstance", nil, "ecs:cluster-resource-modify 100/40"},
		{"ecs", "RunTask", nil, "ecs:cluster-resource-modify 100/40"},
		{"ecs", "StartTask", nil, "ecs:cluster-resource-modify 100/40"},
		// …and the smaller categories theirs.
		{"ecs", "ListClusters", nil, "ecs:cluster-read 50/20"},
		{"ecs", "DescribeClusters", nil, "ecs:cluster-read 50/20"},
		{"ecs", "DescribeTaskDefinition", nil, "ecs:task-definition-read 50/20"},
		{"ecs", "RegisterTaskDefinition", nil, "ecs:task-definition-modify 20/1"},
		{"ecs", "DescribeServices", nil, "ecs:service-read 100/20"},
		{"ecs", "ListServices", nil, "ecs:service-read 100/20"},
		{"ecs", "CreateService", nil, "ecs:service-modify 50/5"},
		{"ecs", "UpdateService", nil, "ecs:service-modify 50/5"},
		{"ecs", "DeleteService", nil, "ecs:service-modify 50/5"},
		{"ecs", "CreateCluster", nil, "ecs:cluster-modify 20/1"},
		{"ecs", "PutClusterCapacityProviders", nil, "ecs:cluster-modify 20/1"},
		{"ecs", "CreateCapacityProvider", nil, "ecs:capacity-provider-modify 10/1"},
		{"ecs", "DescribeCapacityProviders", nil, "ecs:capacity-provider-read 50/20"},
		{"ecs", "RegisterContainerInstance", nil, "ecs:agent-modify 200/120"},
		{"ecs", "NoSuchAction", nil, ""},
		// EC2: a describe with a filter or a page draws on its own
		// standard bucket; without either, on the smaller one. Ids are
		// not a filter.
		{"ec2", "DescribeInstances", ec2.DescribeInstancesInput{Filters: filter}, "ec2:DescribeInstances 100/20"},
		{"ec2", "DescribeInstances", &ec2.DescribeInstancesInput{Filters: filter}, "ec2:DescribeInstances 100/20"},
		{"ec2", "DescribeInstances", ec2.DescribeInstancesInput{MaxResults: &max5}, "ec2:DescribeInstances 100/20"},
		{"ec2", "DescribeInstances", ec2.DescribeInstancesInput{NextToken: "page-2"}, "ec2:DescribeInstances 100/20"},
		{"ec2", "DescribeInstances", ec2.DescribeInstancesInput{}, "ec2:DescribeInstances:unfiltered 50/10"},
		{"ec2", "DescribeInstances", ec2.DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}}, "ec2:DescribeInstances:unfiltered 50/10"},
		{"ec2", "DescribeInstances", nil, "ec2:DescribeInstances:unfiltered 50/10"},
		{"ec2", "DescribeInstances", (*ec2.DescribeInstancesInput)(nil), "ec2:DescribeInstances:unfiltered 50/10"},
		{"ec2", "DescribeNetworkInterfaces", ec2.DescribeNetworkInterfacesInput{Filters: filter}, "ec2:DescribeNetworkInterfaces 100/20"},
		{"ec2", "DescribeNetworkInterfaces", ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{"eni-1"}}, "ec2:DescribeNetworkInterfaces:unfiltered 50/10"},
		{"ec2", "DescribeLaunchTemplates", nil, "ec2:DescribeLaunchTemplates 100/20"},
		{"ec2", "DescribeLaunchTemplateVersions", nil, "ec2:DescribeLaunchTemplateVersions 100/20"},
		{"ec2", "DescribeHosts", nil, "ec2:DescribeHosts 100/20"},
		{"ec2", "CreateLaunchTemplate", nil, "ec2:CreateLaunchTemplate 50/5"},
		{"ec2", "AllocateHosts", nil, "ec2:AllocateHosts 50/5"},
		{"ec2", "CreateLaunchTemplateVersion", nil, "ec2:CreateLaunchTemplateVersion 100/5"},
		{"ec2", "ModifyLaunchTemplate", nil, "ec2:ModifyLaunchTemplate 100/5"},
		{"ec2", "DeleteNetworkInterface", nil, "ec2:DeleteNetworkInterface 100/5"},
		{"ec2", "TerminateInstances", ec2.TerminateInstancesInput{InstanceIds: []string{"i-1", "i-2", "i-3"}},
			"ec2:TerminateInstances 100/5; ec2:TerminateInstances:resource 1000/20x3"},
		// Auto Scaling: one bucket for every action (an assumption).
		{"autoscaling", "RecordLifecycleActionHeartbeat", nil, "autoscaling 100/20"},
		{"autoscaling", "DescribeAutoScalingInstances", nil, "autoscaling 100/20"},
		{"autoscaling", "CompleteLifecycleAction", nil, "autoscaling 100/20"},
		// SQS and EventBridge: not throttled.
		{"sqs", "ReceiveMessage", nil, ""},
		{"sqs", "DeleteMessageBatch", nil, ""},
		{"events", "PutEvents", nil, ""},
	} {
		t.Run(tc.service+":"+tc.op, func(t *testing.T) {
			var got []string
			for _, d := range AWS.Draws(nil, tc.service, tc.op, tc.input) {
				s := fmt.Sprintf("%s %d/%g", d.Bucket, d.Limit.Burst, d.Limit.Rate)
				if d.Cost != 1 {
					s += fmt.Sprintf("x%d", d.Cost)
				}
				got = append(got, s)
			}
			if g := strings.Join(got, "; "); g != tc.want {
				t.Errorf("%s with %#v draws on %q, want %q", tc.op, tc.input, g, tc.want)
			}
		})
	}
}

// TestSharedBucketThrottlesAcrossActions: 60 DescribeTasks and 40 ListTasks
// empty ECS's cluster-resource-read bucket together, so the next
// ListContainerInstances is throttled with ECS's own error while a
// DescribeServices (another category) goes through; a second later 20
// tokens are back.
func TestSharedBucketThrottlesAcrossActions(t *testing.T) {
	in := New()
	in.SetProfile(AWS)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 100 {
		op := "DescribeTasks"
		if i%5 < 2 {
			op = "ListTasks"
		}
		if err := in.CheckCall(t0, rng, "ecs", op, nil); err != nil {
			t.Fatalf("call %d (%s) within the burst: %v", i, op, err)
		}
	}
	err := in.CheckCall(t0, rng, "ecs", "ListContainerInstances", nil)
	if core.CodeOf(errOrNil(err)) != "ThrottlingException" || err.Status != 400 || err.Message != "Rate exceeded" {
		t.Fatalf("101st cluster-resource read: %v, want ThrottlingException (400, Rate exceeded)", err)
	}
	if err := in.CheckCall(t0, rng, "ecs", "DescribeServices", nil); err != nil {
		t.Fatalf("a service read was throttled by the cluster-resource bucket: %v", err)
	}
	later := t0.Add(time.Second)
	for i := range 20 {
		if err := in.CheckCall(later, rng, "ecs", "DescribeTasks", nil); err != nil {
			t.Fatalf("refilled token %d of 20: %v", i+1, err)
		}
	}
	if err := in.CheckCall(later, rng, "ecs", "DescribeTasks", nil); err == nil {
		t.Fatal("a 21st call a second later went through: the refill is 20 a second")
	}
	b := bucketNamed(t, in, "ecs:cluster-resource-read")
	if b.Calls != 122 || b.Throttled != 2 || b.Peak != 101 || !b.PeakAt.Equal(t0) {
		t.Fatalf("bucket stats %+v: want 122 calls, 2 throttled, peak 101 at %v", b, t0)
	}
}

// TestEC2FilteredAndUnfilteredBucketsAreApart: unfiltered DescribeInstances
// are throttled after 50, with EC2's own error, while filtered ones still
// have their 100.
func TestEC2FilteredAndUnfilteredBucketsAreApart(t *testing.T) {
	in := New()
	in.SetProfile(AWS)
	rng := rand.New(rand.NewPCG(1, 2))
	bare := ec2.DescribeInstancesInput{}
	filtered := ec2.DescribeInstancesInput{Filters: []ec2.Filter{{Name: "tag:team", Values: []string{"a"}}}}
	for i := range 50 {
		if err := in.CheckCall(t0, rng, "ec2", "DescribeInstances", bare); err != nil {
			t.Fatalf("unfiltered call %d: %v", i, err)
		}
	}
	err := in.CheckCall(t0, rng, "ec2", "DescribeInstances", bare)
	if core.CodeOf(errOrNil(err)) != "RequestLimitExceeded" || err.Status != 503 {
		t.Fatalf("51st unfiltered DescribeInstances: %v, want RequestLimitExceeded (503)", err)
	}
	for i := range 100 {
		if err := in.CheckCall(t0, rng, "ec2", "DescribeInstances", filtered); err != nil {
			t.Fatalf("filtered call %d: %v", i, err)
		}
	}
	if err := in.CheckCall(t0, rng, "ec2", "DescribeInstances", filtered); err == nil {
		t.Fatal("101st filtered DescribeInstances went through")
	}
}

// TestProfileAndRulesCombine: a rule's bucket and the profile's both
// apply — the tighter one throttles — and a throttled call takes no
// token from the other; a rule's error rate still applies.
func TestProfileAndRulesCombine(t *testing.T) {
	in := New()
	in.SetProfile(AWS)
	must(t, in.Set(Rule{Service: "autoscaling", Operation: "RecordLifecycleActionHeartbeat", Rate: 1, Burst: 2}))
	rng := rand.New(rand.NewPCG(1, 2))
	for i, want := range []string{"", "", "Throttling"} {
		if got := core.CodeOf(errOrNil(in.CheckCall(t0, rng, "autoscaling", "RecordLifecycleActionHeartbeat", nil))); got != want {
			t.Fatalf("heartbeat %d: %q, want %q", i, got, want)
		}
	}
	// The profile's shared bucket lost 2 tokens, not 3: 98 more calls of
	// any Auto Scaling action go through, the 99th does not.
	for i := range 98 {
		if err := in.CheckCall(t0, rng, "autoscaling", "DescribeAutoScalingInstances", nil); err != nil {
			t.Fatalf("Auto Scaling call %d: %v", i, err)
		}
	}
	if got := core.CodeOf(errOrNil(in.CheckCall(t0, rng, "autoscaling", "CompleteLifecycleAction", nil))); got != "Throttling" {
		t.Fatalf("call beyond the shared bucket: %q, want Throttling", got)
	}
	rule := bucketNamed(t, in, "rule autoscaling:RecordLifecycleActionHeartbeat")
	shared := bucketNamed(t, in, "autoscaling")
	if rule.Throttled != 1 || shared.Throttled != 1 || shared.Calls != 102 {
		t.Fatalf("rule bucket %+v, shared bucket %+v: want one throttle each and 102 calls on the shared one", rule, shared)
	}
	must(t, in.Set(Rule{Service: "ecs", Operation: "*", ErrorRate: 1}))
	if got := core.CodeOf(errOrNil(in.CheckCall(t0, rng, "ecs", "ListTasks", nil))); got != "ServerException" {
		t.Fatalf("error rule under a profile: %q, want ServerException", got)
	}
}

// TestSuspendTurnsFaultsOff: while suspended nothing is throttled or
// failed and no token is taken; resuming twice is harmless.
func TestSuspendTurnsFaultsOff(t *testing.T) {
	in := New()
	in.SetProfile(AWS)
	must(t, in.Set(Rule{Service: "*", Operation: "*", ErrorRate: 1}))
	rng := rand.New(rand.NewPCG(1, 2))
	resume := in.Suspend()
	for range 500 {
		if err := in.CheckCall(t0, rng, "ecs", "ListClusters", nil); err != nil {
			t.Fatalf("suspended: %v", err)
		}
	}
	resume()
	resume()
	if err := in.CheckCall(t0, rng, "ecs", "ListClusters", nil); core.CodeOf(errOrNil(err)) != "ServerException" {
		t.Fatalf("after resume: %v, want the error rule back", err)
	}
	if b := bucketNamed(t, in, "ecs:cluster-read"); b.Calls != 1 {
		t.Fatalf("cluster-read bucket counted %d calls, want only the one after resume", b.Calls)
	}
}

func TestLookupProfileAndLatency(t *testing.T) {
	if p, err := LookupProfile("aws"); err != nil || p != AWS {
		t.Fatalf("LookupProfile(aws) = %v, %v", p, err)
	}
	if _, err := LookupProfile("azure"); err == nil || !strings.Contains(err.Error(), `"azure"`) || !strings.Contains(err.Error(), "aws") {
		t.Fatalf("unknown profile: %v, want an error naming it and the known ones", err)
	}
	for s, want := range map[string]time.Duration{"aws": 50 * time.Millisecond, "80ms": 80 * time.Millisecond, "0s": 0} {
		if got, err := ParseLatency(s); err != nil || got != want {
			t.Errorf("ParseLatency(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"-1s", "fast", ""} {
		if _, err := ParseLatency(s); err == nil {
			t.Errorf("ParseLatency(%q) accepted", s)
		}
	}
	in := New()
	must(t, in.SetCallLatency(30*time.Millisecond))
	must(t, in.Set(Rule{Service: "ecs", Operation: "ListTasks", Latency: time.Second}))
	must(t, in.Set(Rule{Service: "ecs", Operation: "DescribeTasks", ErrorRate: 0.5}))
	if got := []time.Duration{in.Latency("ecs", "ListTasks"), in.Latency("ecs", "DescribeTasks"), in.Latency("sqs", "ReceiveMessage")}; !slices.Equal(got, []time.Duration{time.Second, 30 * time.Millisecond, 30 * time.Millisecond}) {
		t.Fatalf("latencies %v: want a rule's own, else the call latency", got)
	}
	if err := in.SetCallLatency(-time.Second); err == nil {
		t.Fatal("a negative call latency was accepted")
	}
}

func bucketNamed(t *testing.T, in *Injector, name string) BucketStats {
	t.Helper()
	for _, b := range in.Buckets() {
		if b.Name == name {
			return b
		}
	}
	t.Fatalf("no bucket %q in %+v", name, in.Buckets())
	return BucketStats{}
}
