package intake

import (
	"encoding/json"
	"slices"
	"strings"
)

// Rule is an EventBridge rule drainer recommends for its queue: a name, what
// it is for, and its event pattern (JSON).
type Rule struct {
	Name        string
	Description string
	Pattern     string
}

// RecommendedRules returns the EventBridge rules that bring drainer what
// wakes its drains, and nothing else: the events of every instance and task
// in the account would otherwise fill its queue (each task alone changes
// state five or more times in its life). clusterARNs narrows the ECS rules
// to the clusters drainer serves; none means every cluster. hooks narrows
// the lifecycle-action rule to the actions of drainer's own hooks, by
// name (detail.LifecycleHookName): without it the rule brings every
// termination lifecycle action of every group in the account, other
// teams' hooks too, which drainer reads only to pass over. None means
// every hook's, for a caller that does not know drainer's hook names.
//
//   - lifecycle actions (for hooks that notify through EventBridge rather
//     than straight to the queue);
//   - Spot interruption warnings and rebalance recommendations;
//   - tasks that reached STOPPED (a drain's decisions change only then);
//   - container instances that changed (a deregistration; an agent
//     registering on an instance a drain waits for).
//
// Event shapes: Amazon EC2 Auto Scaling User Guide, "Amazon EventBridge
// events" (https://docs.aws.amazon.com/autoscaling/ec2/userguide/automating-ec2-auto-scaling-with-eventbridge.html)
// and "Amazon EC2 Auto Scaling event reference", whose "EC2
// Instance-terminate Lifecycle Action" carries the hook's name as the
// string detail.LifecycleHookName
// (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-event-reference.html);
// Amazon ECS Developer Guide, "Amazon ECS events"
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_cwe_events.html).
func RecommendedRules(clusterARNs []string, hooks ...string) []Rule {
	ecs := func(detailType string, detail map[string][]string) string {
		d := map[string][]string{}
		for k, v := range detail {
			d[k] = v
		}
		if len(clusterARNs) > 0 {
			d["clusterArn"] = slices.Sorted(slices.Values(clusterARNs))
		}
		p := map[string]any{"source": []string{"aws.ecs"}, "detail-type": []string{detailType}}
		if len(d) > 0 {
			p["detail"] = d
		}
		return marshal(p)
	}
	lifecycle := map[string]any{"source": []string{"aws.autoscaling"},
		"detail-type": []string{"EC2 Instance-terminate Lifecycle Action"}}
	lifecycleWhat := "termination lifecycle actions of Auto Scaling groups"
	if len(hooks) > 0 {
		lifecycle["detail"] = map[string][]string{"LifecycleHookName": slices.Compact(slices.Sorted(slices.Values(hooks)))}
		lifecycleWhat = "termination lifecycle actions of drainer's hooks"
	}
	return []Rule{
		{
			Name:        "drainer-lifecycle-actions",
			Description: lifecycleWhat + ", for hooks that notify through EventBridge",
			Pattern:     marshal(lifecycle),
		},
		{
			Name:        "drainer-spot",
			Description: "Spot interruption warnings and rebalance recommendations",
			Pattern: marshal(map[string]any{"source": []string{"aws.ec2"},
				"detail-type": []string{"EC2 Spot Instance Interruption Warning", "EC2 Instance Rebalance Recommendation"}}),
		},
		{
			Name:        "drainer-tasks-stopped",
			Description: "ECS tasks that stopped, in the clusters drainer serves",
			Pattern:     ecs("ECS Task State Change", map[string][]string{"lastStatus": {"STOPPED"}}),
		},
		{
			Name:        "drainer-container-instances",
			Description: "ECS container instances that changed, in the clusters drainer serves",
			Pattern:     ecs("ECS Container Instance State Change", nil),
		},
	}
}

func marshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of strings always marshal
	}
	return string(b)
}

// RuleName is the name of the recommended rule r for drainer's queue
// named queue: r's own name with its leading "drainer" replaced by the
// queue's name, so that the default queue's rules bear the names the
// README and doctor use (drainer-spot, …) and two setups with queues of
// their own never share a rule (drainer setup names its rules so).
func RuleName(queue string, r Rule) string {
	return queue + strings.TrimPrefix(r.Name, "drainer")
}

// RulePrefix is what the name of every recommended rule for queue begins
// with (RuleName): "drainer-" for the default queue.
func RulePrefix(queue string) string {
	rules := RecommendedRules(nil)
	prefix := RuleName(queue, rules[0])
	for _, r := range rules[1:] {
		for !strings.HasPrefix(RuleName(queue, r), prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	return prefix
}
