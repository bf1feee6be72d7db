package fault

import (
	"strings"
	"time"

	"github.com/drainer-dev/drainer/emulator/ec2"
)

// AWS is the throttling profile "aws": the request token buckets AWS
// documents for the services drainer calls, per account and Region.
//
//   - ECS: one bucket per category of actions, shared by every action of
//     the category (ecsCategories). Source: Amazon ECS API Reference,
//     "Request throttling for the Amazon ECS API",
//     https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html
//     (also in the developer guide:
//     https://docs.aws.amazon.com/AmazonECS/latest/developerguide/request-throttling.html).
//     An ECS action the table does not name is not throttled.
//   - EC2: one bucket per action, sized by the action's category
//     (ec2Limit); the actions of ec2Unfiltered called with neither a filter
//     nor pagination draw instead on a smaller bucket of their own
//     ("ec2:ACTION:unfiltered"); TerminateInstances also draws one token
//     per instance from its resource bucket. Source: "Request throttling
//     for the Amazon EC2 API",
//     https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html
//     (formerly https://docs.aws.amazon.com/AWSEC2/latest/APIReference/throttling.html).
//     The page names pagination and the Filter parameter; a list of ids
//     (InstanceId, NetworkInterfaceId) is neither, so a call naming only
//     ids draws on the unfiltered bucket.
//   - Auto Scaling: every action shares one bucket, "autoscaling" ("all
//     Amazon EC2 Auto Scaling API calls have a single, shared API limit",
//     https://repost.aws/knowledge-center/autoscaling-api-calls-throttled).
//     AWS publishes no figure for it: burst 100, 20 per second is this
//     profile's assumption, the figure of ECS's and EC2's read buckets.
//   - SQS and EventBridge are not throttled: standard queues "support a
//     nearly unlimited number of API calls per second, per API action"
//     (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/DistributedQueues.html)
//     and PutEvents allows 10,000 transactions per second in us-east-1
//     (2,400 in us-east-2; account-wide, per Region:
//     https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html),
//     far above what drainer sends.
//
// Its Latency, 50 ms a call, is an assumption too: AWS publishes no
// latency for its APIs, and tens of milliseconds is what a client in the
// same Region typically sees.
var AWS = &Profile{Name: "aws", Latency: 50 * time.Millisecond, draws: awsDraws}

// ecsCategories are ECS's categories of actions and their bucket sizes,
// as the ECS API Reference's table "Request token bucket sizes and refill
// rates" gives them (the page spells UpdateContainerInstancesState with a
// stray s).
var ecsCategories = []struct {
	bucket  string
	limit   Limit
	actions []string
}{
	{"ecs:cluster-modify", Limit{20, 1}, []string{"CreateCluster", "DeleteCluster", "PutClusterCapacityProviders", "UpdateCluster", "UpdateClusterSettings"}},
	{"ecs:cluster-read", Limit{50, 20}, []string{"DescribeClusters", "ListClusters"}},
	{"ecs:task-definition-modify", Limit{20, 1}, []string{"DeregisterTaskDefinition", "RegisterTaskDefinition"}},
	{"ecs:task-definition-read", Limit{50, 20}, []string{"DescribeTaskDefinition", "ListTaskDefinitions", "ListTaskDefinitionFamilies"}},
	{"ecs:task-definition-delete", Limit{5, 1}, []string{"DeleteTaskDefinitions"}},
	{"ecs:capacity-provider-modify", Limit{10, 1}, []string{"CreateCapacityProvider", "DeleteCapacityProvider", "UpdateCapacityProvider"}},
	{"ecs:capacity-provider-read", Limit{50, 20}, []string{"DescribeCapacityProviders"}},
	{"ecs:tag-modify", Limit{20, 10}, []string{"TagResource", "UntagResource"}},
	{"ecs:tag-read", Limit{50, 20}, []string{"ListTagsForResource"}},
	{"ecs:setting-modify", Limit{10, 1}, []string{"DeleteAccountSetting", "PutAccountSetting", "PutAccountSettingDefault"}},
	{"ecs:setting-read", Limit{50, 20}, []string{"ListAccountSettings"}},
	{"ecs:cluster-resource-modify", Limit{100, 40}, []string{"DeleteAttributes", "DeregisterContainerInstance", "ExecuteCommand", "PutAttributes", "RunTask", "StartTask", "StopTask", "UpdateContainerAgent", "UpdateContainerInstancesState"}},
	{"ecs:cluster-resource-read", Limit{100, 20}, []string{"DescribeContainerInstances", "DescribeTasks", "ListAttributes", "ListContainerInstances", "ListTasks"}},
	{"ecs:agent-modify", Limit{200, 120}, []string{"RegisterContainerInstance", "SubmitAttachmentStateChanges", "SubmitContainerStateChange", "SubmitTaskStateChange"}},
	{"ecs:service-modify", Limit{50, 5}, []string{"CreateService", "DeleteService", "UpdateService"}},
	{"ecs:service-read", Limit{100, 20}, []string{"DescribeServices", "ListServices"}},
	{"ecs:service-deployment", Limit{50, 20}, []string{"DescribeServiceDeployments", "ListServiceDeployments"}},
	{"ecs:service-revision", Limit{50, 20}, []string{"DescribeServiceRevisions"}},
	{"ecs:task-protection", Limit{200, 80}, []string{"UpdateTaskProtection", "GetTaskProtection"}},
	{"ecs:cluster-service-resource-read", Limit{10, 1}, []string{"ListServicesByNamespace"}},
}

// EC2's categories (EC2 API throttling page, "Request token bucket sizes
// and refill rates").
var (
	ec2NonMutating = Limit{100, 20} // Describe*, List*, Search*, Get* not in another category
	ec2Unfiltered  = Limit{50, 10}  // ec2UnfilteredActions without a filter or pagination
	ec2Mutating    = Limit{50, 5}   // every other action, and the resource-intensive ones
)

// ec2UnfilteredActions are the "unfiltered and unpaginated non-mutating
// actions".
var ec2UnfilteredActions = []string{"DescribeInstances", "DescribeInstanceStatus", "DescribeNetworkInterfaces",
	"DescribeSecurityGroups", "DescribeSnapshots", "DescribeSpotInstanceRequests", "DescribeVolumes"}

// ec2Uncategorized are the page's "uncategorized actions" drainer and the
// emulator touch, with buckets of their own size.
var ec2Uncategorized = map[string]Limit{
	"AssignPrivateIpAddresses":        {100, 5},
	"CreateLaunchTemplateVersion":     {100, 5},
	"CreateNetworkInterface":          {100, 5},
	"CreateTags":                      {100, 10},
	"DeleteNetworkInterface":          {100, 5},
	"DeleteTags":                      {100, 10},
	"DescribeSpotFleetInstances":      {100, 5},
	"DescribeSpotFleetRequests":       {50, 3},
	"ModifyInstanceMetadataOptions":   {100, 5},
	"ModifyLaunchTemplate":            {100, 5},
	"ModifyNetworkInterfaceAttribute": {100, 5},
	"RunInstances":                    {5, 2},
	"StartInstances":                  {5, 2},
	"TerminateInstances":              {100, 5},
	"UnassignPrivateIpAddresses":      {100, 5},
}

// ec2TerminateResources is TerminateInstances' resource bucket ("Resource
// token bucket sizes and refill rates"): one token per instance.
var ec2TerminateResources = Limit{1000, 20}

// autoscalingLimit is the profile's assumption for Auto Scaling's shared
// bucket (AWS publishes none).
var autoscalingLimit = Limit{100, 20}

// Draws precomputed for the actions named above, so that a call allocates
// nothing.
var (
	ecsDraws        = map[string]Draw{}
	ec2Draws        = map[string]Draw{}
	ec2DrawsNoQuery = map[string]Draw{} // the unfiltered buckets
	autoscalingDraw = Draw{Bucket: "autoscaling", Limit: autoscalingLimit, Cost: 1}
)

func init() {
	for _, c := range ecsCategories {
		for _, a := range c.actions {
			ecsDraws[a] = Draw{Bucket: c.bucket, Limit: c.limit, Cost: 1}
		}
	}
	for a := range ec2Uncategorized {
		ec2Draws[a] = ec2Draw(a)
	}
	for _, a := range ec2UnfilteredActions {
		ec2Draws[a] = ec2Draw(a)
		ec2DrawsNoQuery[a] = Draw{Bucket: "ec2:" + a + ":unfiltered", Limit: ec2Unfiltered, Cost: 1}
	}
	for _, a := range []string{"CreateLaunchTemplate", "DeleteLaunchTemplate", "DescribeLaunchTemplates", "DescribeLaunchTemplateVersions", "StopInstances"} {
		ec2Draws[a] = ec2Draw(a)
	}
}

// ec2Limit is the request bucket size of an EC2 action.
func ec2Limit(action string) Limit {
	if l, ok := ec2Uncategorized[action]; ok {
		return l
	}
	for _, p := range []string{"Describe", "List", "Search", "Get"} {
		if strings.HasPrefix(action, p) {
			return ec2NonMutating
		}
	}
	return ec2Mutating
}

func ec2Draw(action string) Draw {
	return Draw{Bucket: "ec2:" + action, Limit: ec2Limit(action), Cost: 1}
}

// awsDraws is the AWS profile's classification.
func awsDraws(dst []Draw, service, op string, input any) []Draw {
	switch service {
	case "ecs":
		if d, ok := ecsDraws[op]; ok {
			dst = append(dst, d)
		}
	case "autoscaling":
		dst = append(dst, autoscalingDraw)
	case "ec2":
		if d, ok := ec2DrawsNoQuery[op]; ok && !filteredOrPaged(input) {
			return append(dst, d)
		}
		d, ok := ec2Draws[op]
		if !ok {
			d = ec2Draw(op)
		}
		dst = append(dst, d)
		if op == "TerminateInstances" {
			if n := terminated(input); n > 0 {
				dst = append(dst, Draw{Bucket: "ec2:TerminateInstances:resource", Limit: ec2TerminateResources, Cost: n})
			}
		}
	}
	return dst
}

// filteredOrPaged reports whether an EC2 describe request names a filter
// or asks for a page (MaxResults or NextToken); an unknown request (nil
// included) names neither.
func filteredOrPaged(input any) bool {
	switch in := input.(type) {
	case ec2.DescribeInstancesInput:
		return len(in.Filters) > 0 || in.MaxResults != nil || in.NextToken != ""
	case *ec2.DescribeInstancesInput:
		return in != nil && filteredOrPaged(*in)
	case ec2.DescribeNetworkInterfacesInput:
		return len(in.Filters) > 0 || in.MaxResults != nil || in.NextToken != ""
	case *ec2.DescribeNetworkInterfacesInput:
		return in != nil && filteredOrPaged(*in)
	}
	return false
}

// terminated is the number of instances a TerminateInstances request
// names.
func terminated(input any) int {
	switch in := input.(type) {
	case ec2.TerminateInstancesInput:
		return len(in.InstanceIds)
	case *ec2.TerminateInstancesInput:
		if in != nil {
			return len(in.InstanceIds)
		}
	}
	return 0
}
