package iampolicy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// fullTarget names everything a policy can be narrowed to.
func fullTarget(t *testing.T) Target {
	t.Helper()
	var tg Target
	for _, err := range []error{
		tg.SetQueue("arn:aws:sqs:eu-west-1:123456789012:drainer"), tg.AddCluster("prod"),
		tg.AddCluster("arn:aws:ecs:eu-west-1:123456789012:cluster/batch"), tg.AddGroup("web"), tg.AddGroupPrefix("ecs-"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	tg.Function, tg.EventBus = "drainer", "drains"
	return tg
}

// checkGrammar fails t unless doc, as JSON, is a policy of IAM's grammar:
// Version 2012-10-17, a list of statements each with a unique
// alphanumeric Sid, Effect Allow, actions SERVICE:Action, resources "*" or
// ARNs, and conditions OPERATOR → KEY → values.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
func checkGrammar(t *testing.T, what string, doc Document) {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Version   string
		Statement []map[string]json.RawMessage
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if raw.Version != "2012-10-17" || len(raw.Statement) == 0 {
		t.Fatalf("%s: Version %q, %d statements", what, raw.Version, len(raw.Statement))
	}
	action := regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z]+$`)
	arnRe := regexp.MustCompile(`^arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(-[a-z]+)+-[0-9]+|\*):([0-9]{12}|\*):.+$`)
	sid := regexp.MustCompile(`^[A-Za-z0-9]+$`)
	seen := map[string]bool{}
	for _, st := range raw.Statement {
		for k := range st {
			if !slices.Contains([]string{"Sid", "Effect", "Action", "Resource", "Condition"}, k) {
				t.Errorf("%s: statement element %q", what, k)
			}
		}
		var s Statement
		if err := json.Unmarshal(mustJSON(t, st), &s); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if !sid.MatchString(s.Sid) || seen[s.Sid] || s.Effect != "Allow" || len(s.Action) == 0 || len(s.Resource) == 0 {
			t.Errorf("%s: statement %+v", what, s)
		}
		seen[s.Sid] = true
		for _, a := range s.Action {
			if !action.MatchString(a) {
				t.Errorf("%s: action %q", what, a)
			}
		}
		for _, r := range s.Resource {
			if r != "*" && !arnRe.MatchString(r) {
				t.Errorf("%s: resource %q is neither * nor an ARN", what, r)
			}
		}
		for op, keys := range s.Condition {
			if op != "ArnEquals" || len(keys) == 0 {
				t.Errorf("%s: condition %s %v", what, op, keys)
			}
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPolicyGrammarAndCoverage: every mode's policy, narrowed or not, is
// of IAM's grammar and holds every action of the mode once, no other.
func TestPolicyGrammarAndCoverage(t *testing.T) {
	for _, m := range Modes {
		for name, tg := range map[string]Target{"unnamed": {}, "named": fullTarget(t)} {
			what := fmt.Sprintf("%s, %s", m, name)
			doc := Policy(m, tg)
			checkGrammar(t, what, doc)
			var got, want []string
			for _, s := range doc.Statement {
				got = append(got, s.Action...)
			}
			for _, p := range Permissions(m) {
				want = append(want, p.Action)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s: actions %v, want %v", what, got, want)
			}
		}
	}
}

// resourcesOf returns the resources and condition action has in doc.
func resourcesOf(doc Document, action string) ([]string, map[string]map[string][]string) {
	for _, s := range doc.Statement {
		if slices.Contains(s.Action, action) {
			return s.Resource, s.Condition
		}
	}
	return nil, nil
}

// TestPolicyScopes: what each kind of action is narrowed to, named or not.
func TestPolicyScopes(t *testing.T) {
	full := fullTarget(t)
	const arn = "arn:aws:%s:eu-west-1:123456789012:%s"
	for _, tc := range []struct {
		mode   Mode
		target Target
		action string
		want   []string
		cond   string // the ecs:cluster condition's values, joined by spaces
	}{
		{Run, full, "ecs:ListClusters", []string{"*"}, ""},
		{Run, full, "autoscaling:DescribeAutoScalingInstances", []string{"*"}, ""},
		{Run, full, "ecs:DescribeClusters", []string{fmt.Sprintf(arn, "ecs", "cluster/batch"), fmt.Sprintf(arn, "ecs", "cluster/prod")}, ""},
		{Run, full, "ecs:PutAttributes", []string{fmt.Sprintf(arn, "ecs", "container-instance/batch/*"), fmt.Sprintf(arn, "ecs", "container-instance/prod/*")}, ""},
		{Run, full, "ecs:StopTask", []string{fmt.Sprintf(arn, "ecs", "task/batch/*"), fmt.Sprintf(arn, "ecs", "task/prod/*")}, ""},
		{Run, full, "ecs:DescribeServices", []string{fmt.Sprintf(arn, "ecs", "service/batch/*"), fmt.Sprintf(arn, "ecs", "service/prod/*")}, ""},
		{Run, full, "ecs:ListTasks", []string{"*"}, fmt.Sprintf(arn, "ecs", "cluster/batch") + " " + fmt.Sprintf(arn, "ecs", "cluster/prod")},
		{Run, full, "ecs:DescribeCapacityProviders", []string{fmt.Sprintf(arn, "ecs", "capacity-provider/*")}, ""},
		{Run, full, "autoscaling:CompleteLifecycleAction", []string{
			fmt.Sprintf(arn, "autoscaling", "autoScalingGroup:*:autoScalingGroupName/ecs-*"),
			fmt.Sprintf(arn, "autoscaling", "autoScalingGroup:*:autoScalingGroupName/web")}, ""},
		{Run, full, "ec2:TerminateInstances", []string{fmt.Sprintf(arn, "ec2", "instance/*")}, ""},
		{Run, full, "ec2:DeleteNetworkInterface", []string{fmt.Sprintf(arn, "ec2", "network-interface/*")}, ""},
		{Run, full, "sqs:ReceiveMessage", []string{fmt.Sprintf(arn, "sqs", "drainer")}, ""},
		{Run, full, "events:PutEvents", []string{fmt.Sprintf(arn, "events", "event-bus/drains")}, ""},
		{Run, full, "events:ListTargetsByRule", []string{fmt.Sprintf(arn, "events", "rule/*")}, ""},
		{Setup, full, "sqs:CreateQueue", []string{fmt.Sprintf(arn, "sqs", "drainer*")}, ""},
		{Setup, full, "events:PutRule", []string{fmt.Sprintf(arn, "events", "rule/drainer-*")}, ""},
		// setup --queue myq names its rules myq-spot and the like.
		{Setup, Target{Queue: "myq", Region: "eu-west-1", Account: "123456789012"}, "events:PutRule", []string{fmt.Sprintf(arn, "events", "rule/myq-*")}, ""},
		{Setup, Target{}, "events:DeleteRule", []string{"arn:aws:events:*:*:rule/*"}, ""},
		{Setup, full, "autoscaling:PutLifecycleHook", []string{
			fmt.Sprintf(arn, "autoscaling", "autoScalingGroup:*:autoScalingGroupName/ecs-*"),
			fmt.Sprintf(arn, "autoscaling", "autoScalingGroup:*:autoScalingGroupName/web")}, ""},
		{Lambda, full, "logs:CreateLogGroup", []string{fmt.Sprintf(arn, "logs", "log-group:/aws/lambda/drainer")}, ""},
		{Lambda, full, "logs:PutLogEvents", []string{fmt.Sprintf(arn, "logs", "log-group:/aws/lambda/drainer:log-stream:*")}, ""},
		// Nothing named: "*" in every part, the default bus.
		{Run, Target{}, "ecs:DescribeClusters", []string{"arn:aws:ecs:*:*:cluster/*"}, ""},
		{Run, Target{}, "ecs:ListTasks", []string{"*"}, ""},
		{Run, Target{}, "autoscaling:SetInstanceProtection", []string{"arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/*"}, ""},
		{Run, Target{}, "sqs:DeleteMessage", []string{"arn:aws:sqs:*:*:*"}, ""},
		{Run, Target{}, "events:PutEvents", []string{"arn:aws:events:*:*:event-bus/default"}, ""},
		{Setup, Target{}, "sqs:DeleteQueue", []string{"arn:aws:sqs:*:*:*"}, ""},
		{Lambda, Target{}, "logs:CreateLogStream", []string{"arn:aws:logs:*:*:log-group:/aws/lambda/*:log-stream:*"}, ""},
		// Group prefixes alone; the Region's partition; a bus by ARN.
		{Run, Target{GroupPrefixes: []string{"ecs-"}, Region: "cn-north-1"}, "autoscaling:RecordLifecycleActionHeartbeat",
			[]string{"arn:aws-cn:autoscaling:cn-north-1:*:autoScalingGroup:*:autoScalingGroupName/ecs-*"}, ""},
		{Run, Target{Region: "us-gov-west-1", Account: "123456789012"}, "ec2:DescribeInstanceAttribute",
			[]string{"arn:aws-us-gov:ec2:us-gov-west-1:123456789012:instance/*"}, ""},
		{Run, Target{EventBus: "arn:aws:events:eu-west-1:210987654321:event-bus/central"}, "events:PutEvents",
			[]string{"arn:aws:events:eu-west-1:210987654321:event-bus/central"}, ""},
	} {
		got, cond := resourcesOf(Policy(tc.mode, tc.target), tc.action)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s %s on %+v: resources %v, want %v", tc.mode, tc.action, tc.target, got, tc.want)
		}
		if c := strings.Join(cond["ArnEquals"]["ecs:cluster"], " "); c != tc.cond || len(cond) > 1 {
			t.Errorf("%s %s: condition %v, want ecs:cluster %q", tc.mode, tc.action, cond, tc.cond)
		}
	}
}

func TestSizeCountsNoWhiteSpace(t *testing.T) {
	doc := Document{Version: Version, Statement: []Statement{{Sid: "A", Effect: "Allow", Action: []string{"ecs:ListClusters"},
		Resource: []string{"arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/my group"}}}}
	b, _ := json.Marshal(doc)
	if got, want := doc.Size(), len(b)-1; got != want {
		t.Errorf("Size %d, want %d (the JSON less its one space)", got, want)
	}
	var many Target
	for i := range 100 {
		many.Groups = append(many.Groups, fmt.Sprintf("a-rather-long-auto-scaling-group-name-%03d", i))
	}
	if n := Policy(Run, many).Size(); n <= ManagedPolicyMaxSize {
		t.Errorf("a policy naming 100 groups has %d characters, want more than %d", n, ManagedPolicyMaxSize)
	}
	if n := Policy(Run, fullTarget(t)).Size(); n > ManagedPolicyMaxSize {
		t.Errorf("run's policy for two clusters and two groups has %d characters: more than a managed policy's %d", n, ManagedPolicyMaxSize)
	}
}
