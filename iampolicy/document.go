package iampolicy

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode"

	"github.com/drainer-dev/drainer/intake"
)

// Version is the policy language version of every document: the current
// one ("IAM JSON policy elements: Version",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html).
const Version = "2012-10-17"

// The most characters, white space not counted, of a customer managed
// policy and of all the inline policies of a role ("IAM and AWS STS
// quotas", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
const (
	ManagedPolicyMaxSize    = 6144
	InlineRolePolicyMaxSize = 10240
)

// Document is an IAM policy document, as IAM accepts it
// ("IAM JSON policy element reference",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html).
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a Document: Effect "Allow", the actions,
// the resources they are allowed on, and a condition, if any, as
// OPERATOR → KEY → values (ArnEquals → ecs:cluster → cluster ARNs).
type Statement struct {
	Sid       string                         `json:"Sid"`
	Effect    string                         `json:"Effect"`
	Action    []string                       `json:"Action"`
	Resource  []string                       `json:"Resource"`
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

// sids name each resource's statement (alphanumeric, as IAM wants a Sid).
var sids = map[Resource]string{
	Anywhere: "AnyResource", Clusters: "ServedClusters", ContainerInstances: "ContainerInstancesOfServedClusters",
	Tasks: "TasksOfServedClusters", Services: "ServicesOfServedClusters", InClusters: "ListInServedClusters",
	CapacityProviders: "CapacityProviders", Groups: "AutoScalingGroups", Instances: "EC2Instances",
	NetworkInterfaces: "NetworkInterfaces", Queue: "Queue", QueueFamily: "QueueAndDeadLetterQueue",
	EventBus: "EventBus", DrainerRules: "DrainerRules", Rules: "EveryRule", LogGroup: "FunctionLogGroup",
	LogStreams: "FunctionLogStreams",
}

// Policy returns mode m's policy, narrowed to t: one statement for each
// resource m's actions are narrowed to, in the order of the Resource
// constants, actions and resources sorted. t should have passed Check.
func Policy(m Mode, t Target) Document {
	byResource := map[Resource][]string{}
	for _, p := range Permissions(m) {
		if !slices.Contains(byResource[p.Resource], p.Action) {
			byResource[p.Resource] = append(byResource[p.Resource], p.Action)
		}
	}
	doc := Document{Version: Version, Statement: []Statement{}}
	for r := Anywhere; r <= LogStreams; r++ {
		actions := byResource[r]
		if len(actions) == 0 {
			continue
		}
		slices.Sort(actions)
		resources, condition := t.resources(r)
		slices.Sort(resources)
		doc.Statement = append(doc.Statement, Statement{Sid: sids[r], Effect: "Allow", Action: actions,
			Resource: slices.Compact(resources), Condition: condition})
	}
	return doc
}

// Size is the number of characters of d that IAM counts against its
// quotas: its JSON less white space.
func (d Document) Size() int {
	b, _ := json.Marshal(d) // strings, slices and maps of strings always marshal
	return len(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, string(b)))
}

// arn returns the ARN of resource in service, in t's partition, Region
// and account ("*" for those t does not name).
func (t Target) arn(service, resource string) string {
	partition, region, account := t.Partition, or(t.Region), or(t.Account)
	if partition == "" {
		partition = PartitionOf(t.Region)
	}
	return "arn:" + partition + ":" + service + ":" + region + ":" + account + ":" + resource
}

// or is s, or "*" when s is "".
func or(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

// each returns format(x) for each of xs, or format("*") when there are
// none.
func each(xs []string, format func(string) string) []string {
	if len(xs) == 0 {
		return []string{format("*")}
	}
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = format(x)
	}
	return out
}

// resources returns the resources of r, and the condition they go with.
func (t Target) resources(r Resource) ([]string, map[string]map[string][]string) {
	ecs := func(prefix, suffix string) func(string) string {
		return func(c string) string { return t.arn("ecs", prefix+c+suffix) }
	}
	switch r {
	case Clusters:
		return each(t.Clusters, ecs("cluster/", "")), nil
	case ContainerInstances:
		return each(t.Clusters, ecs("container-instance/", "/*")), nil
	case Tasks:
		return each(t.Clusters, ecs("task/", "/*")), nil
	case Services:
		return each(t.Clusters, ecs("service/", "/*")), nil
	case InClusters:
		if len(t.Clusters) == 0 {
			return []string{"*"}, nil
		}
		arns := each(t.Clusters, ecs("cluster/", ""))
		slices.Sort(arns)
		return []string{"*"}, map[string]map[string][]string{"ArnEquals": {"ecs:cluster": arns}}
	case CapacityProviders:
		return []string{t.arn("ecs", "capacity-provider/*")}, nil
	case Groups:
		group := func(name string) string {
			return t.arn("autoscaling", "autoScalingGroup:*:autoScalingGroupName/"+name)
		}
		if len(t.Groups)+len(t.GroupPrefixes) == 0 {
			return []string{group("*")}, nil
		}
		var out []string
		for _, g := range t.Groups {
			out = append(out, group(g))
		}
		for _, p := range t.GroupPrefixes {
			out = append(out, group(p+"*"))
		}
		return out, nil
	case Instances:
		return []string{t.arn("ec2", "instance/*")}, nil
	case NetworkInterfaces:
		return []string{t.arn("ec2", "network-interface/*")}, nil
	case Queue:
		return []string{t.arn("sqs", or(t.Queue))}, nil
	case QueueFamily:
		return []string{t.arn("sqs", strings.TrimSuffix(t.Queue, "*")+"*")}, nil
	case EventBus:
		if strings.HasPrefix(t.EventBus, "arn:") {
			return []string{t.EventBus}, nil
		}
		bus := t.EventBus
		if bus == "" {
			bus = "default"
		}
		return []string{t.arn("events", "event-bus/"+bus)}, nil
	case DrainerRules:
		// setup names its rules after its queue (intake.RuleName).
		queue := strings.TrimSuffix(t.Queue, "*")
		if queue == "" {
			return []string{t.arn("events", "rule/*")}, nil
		}
		return []string{t.arn("events", "rule/"+intake.RulePrefix(queue)+"*")}, nil
	case Rules:
		return []string{t.arn("events", "rule/*")}, nil
	case LogGroup:
		return []string{t.arn("logs", "log-group:/aws/lambda/"+or(t.Function))}, nil
	case LogStreams:
		return []string{t.arn("logs", "log-group:/aws/lambda/"+or(t.Function)+":log-stream:*")}, nil
	}
	return []string{"*"}, nil
}
