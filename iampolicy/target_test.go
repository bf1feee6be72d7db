package iampolicy

import (
	"slices"
	"strings"
	"testing"
)

func TestPartitionOf(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1": "aws", "eu-west-3": "aws", "cn-northwest-1": "aws-cn", "us-gov-east-1": "aws-us-gov",
		"us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b", "": "aws",
	} {
		if got := PartitionOf(region); got != want {
			t.Errorf("PartitionOf(%q) = %s, want %s", region, got, want)
		}
	}
}

// TestTargetSetters: what the flags' setters accept, what they take from
// an ARN, and what they refuse, with why.
func TestTargetSetters(t *testing.T) {
	for _, tc := range []struct {
		name  string
		set   func(*Target) error
		want  Target
		error string
	}{
		{"queue ARN", func(tg *Target) error { return tg.SetQueue("arn:aws:sqs:eu-west-1:123456789012:drainer") },
			Target{Partition: "aws", Region: "eu-west-1", Account: "123456789012", Queue: "drainer"}, ""},
		{"queue URL", func(tg *Target) error { return tg.SetQueue("https://sqs.eu-west-1.amazonaws.com/123456789012/drainer") },
			Target{Region: "eu-west-1", Account: "123456789012", Queue: "drainer"}, ""},
		{"queue URL of another endpoint: the account only", func(tg *Target) error { return tg.SetQueue("http://127.0.0.1:4566/123456789012/drainer") },
			Target{Account: "123456789012", Queue: "drainer"}, ""},
		{"queue URL after another Region", func(tg *Target) error {
			if err := tg.SetRegion("us-east-1"); err != nil {
				return err
			}
			return tg.SetQueue("https://sqs.eu-west-1.amazonaws.com/123456789012/drainer")
		}, Target{Region: "us-east-1"}, "Region us-east-1 and eu-west-1: name one"},
		{"queue name", func(tg *Target) error { return tg.SetQueue("drainer") }, Target{Queue: "drainer"}, ""},
		{"topic ARN", func(tg *Target) error { return tg.SetQueue("arn:aws:sns:eu-west-1:123456789012:drainer") },
			Target{}, "not an Amazon SQS queue ARN"},
		{"queue name with a space", func(tg *Target) error { return tg.SetQueue("my queue") }, Target{}, `queue "my queue"`},
		{"queue ARN after another Region", func(tg *Target) error {
			if err := tg.SetRegion("us-east-1"); err != nil {
				return err
			}
			return tg.SetQueue("arn:aws:sqs:eu-west-1:123456789012:drainer")
		}, Target{Region: "us-east-1"}, "Region us-east-1 and eu-west-1: name one"},
		{"account after the queue's", func(tg *Target) error {
			if err := tg.SetQueue("arn:aws:sqs:eu-west-1:123456789012:drainer"); err != nil {
				return err
			}
			return tg.SetAccount("210987654321")
		}, Target{Partition: "aws", Region: "eu-west-1", Account: "123456789012", Queue: "drainer"}, "account 123456789012 and 210987654321"},
		{"cluster ARN", func(tg *Target) error { return tg.AddCluster("arn:aws:ecs:eu-west-1:123456789012:cluster/prod") },
			Target{Clusters: []string{"prod"}}, ""},
		{"cluster with a slash", func(tg *Target) error { return tg.AddCluster("a/b") }, Target{}, `cluster "a/b"`},
		{"group ARN", func(tg *Target) error {
			return tg.AddGroup("arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0:autoScalingGroupName/web")
		}, Target{Groups: []string{"web"}}, ""},
		{"group with a wildcard", func(tg *Target) error { return tg.AddGroup("web*") }, Target{}, "IAM wildcards"},
		{"empty group prefix", func(tg *Target) error { return tg.AddGroupPrefix("") }, Target{}, "1 to 255 characters"},
		{"group with a newline", func(tg *Target) error { return tg.AddGroup("web\n") }, Target{}, "control character"},
		{"group too long", func(tg *Target) error { return tg.AddGroup(strings.Repeat("g", 256)) }, Target{}, "1 to 255 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tg Target
			err := tc.set(&tg)
			if tc.error == "" && err != nil || tc.error != "" && (err == nil || !strings.Contains(err.Error(), tc.error)) {
				t.Fatalf("error %v, want %q", err, tc.error)
			}
			if tg.Partition != tc.want.Partition || tg.Region != tc.want.Region || tg.Account != tc.want.Account || tg.Queue != tc.want.Queue ||
				!slices.Equal(tg.Clusters, tc.want.Clusters) || !slices.Equal(tg.Groups, tc.want.Groups) {
				t.Errorf("target %+v, want %+v", tg, tc.want)
			}
		})
	}
}

// TestTargetCheck: Check names everything wrong at once.
func TestTargetCheck(t *testing.T) {
	if err := fullTarget(t).Check(); err != nil {
		t.Fatalf("a good target: %v", err)
	}
	for _, tc := range []struct {
		target Target
		want   []string
	}{
		{Target{Region: "Europe", Account: "1234"}, []string{`region "Europe"`, `account "1234"`}},
		{Target{Partition: "aws", Region: "cn-north-1"}, []string{"partition aws does not hold Region cn-north-1 (aws-cn does)"}},
		{Target{Clusters: []string{"a b"}, Groups: []string{"x?"}, Queue: "q.fifo.x"}, []string{`cluster "a b"`, "IAM wildcards", `queue "q.fifo.x"`}},
		{Target{EventBus: "arn:aws:sqs:eu-west-1:123456789012:q"}, []string{"not an EventBridge bus ARN"}},
		{Target{EventBus: "my bus"}, []string{`event bus "my bus"`}},
		{Target{Function: strings.Repeat("f", 65)}, []string{"want a Lambda function name"}},
	} {
		err := tc.target.Check()
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("Check(%+v) = %v, want %q", tc.target, err, w)
			}
		}
	}
}

// TestUnscoped says what is "*" for each mode: only the parts the mode's
// policy has.
func TestUnscoped(t *testing.T) {
	all := strings.Join(Target{}.Unscoped(Run), "\n")
	for _, w := range []string{"--region", "--account", "--cluster", "--group", "--queue"} {
		if !strings.Contains(all, w) {
			t.Errorf("run, nothing named: %q lacks %s", all, w)
		}
	}
	if strings.Contains(all, "--function") {
		t.Errorf("run's policy has no logs, yet %q", all)
	}
	if l := strings.Join(Target{}.Unscoped(Lambda), "\n"); !strings.Contains(l, "--function") {
		t.Errorf("lambda, nothing named: %q lacks --function", l)
	}
	for _, m := range Modes {
		if u := fullTarget(t).Unscoped(m); len(u) != 0 {
			t.Errorf("%s, everything named: %v", m, u)
		}
	}
	if u := (Target{Region: "us-east-1", Account: "123456789012", Clusters: []string{"a"}, Queue: "q"}).Unscoped(Run); len(u) != 1 || !strings.Contains(u[0], "--group") {
		t.Errorf("run without groups: %v, want the groups only", u)
	}
}
