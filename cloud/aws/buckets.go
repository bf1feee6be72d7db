package aws

import "strings"

// AWS throttles each account and Region by token buckets; drainer's client
// paces its calls per bucket, at a share of AWS's figures (Options.Share),
// so that drainer never spends more than its part of what the account may
// do: ECS's own agents, deployments and the account's other tools draw on
// the same buckets.

// awsBucket is one of AWS's rate buckets as drainer's client mirrors it.
type awsBucket struct {
	// Name is the bucket's name in the client's statistics:
	// "service:category" for a bucket shared by several actions,
	// "ec2:Action" for EC2's per-action buckets.
	Name string
	// Service is the SDK service ("ecs", "autoscaling", "ec2", "sqs",
	// "events") whose Limits override applies.
	Service string
	// Burst is the bucket's capacity and Rate its refill per second, as
	// AWS publishes them (SQS and EventBridge: drainer's own caps, see
	// DefaultLimits).
	Burst int
	Rate  float64
}

// ECS shares its buckets between categories of actions, per account and
// Region: "Request throttling for the Amazon ECS API", Amazon ECS API
// Reference,
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html
// (cluster read actions such as DescribeClusters: bucket of 50, refill 20
// a second). The categories and figures of the actions drainer calls:
var (
	// DescribeContainerInstances, DescribeTasks, ListAttributes,
	// ListContainerInstances, ListTasks.
	ecsClusterResourceRead = awsBucket{"ecs:cluster-resource-read", "ecs", 100, 20}
	// DeleteAttributes, DeregisterContainerInstance, PutAttributes,
	// StopTask, UpdateContainerInstancesState.
	ecsClusterResourceWrite = awsBucket{"ecs:cluster-resource-modify", "ecs", 100, 40}
	// ListClusters, DescribeClusters; DescribeCapacityProviders, in no
	// category drainer knows of, is counted here, with the smallest of the
	// read buckets.
	ecsClusterRead = awsBucket{"ecs:cluster-read", "ecs", 50, 20}
	// DescribeTaskDefinition.
	ecsTaskDefinitionRead = awsBucket{"ecs:task-definition-read", "ecs", 50, 20}
	// DescribeServices, ListServices.
	ecsServiceRead = awsBucket{"ecs:service-read", "ecs", 100, 20}
	// Any other ECS action (drainer calls none): the smallest figures.
	ecsOther = awsBucket{"ecs:other", "ecs", 50, 20}
)

var ecsBuckets = map[string]awsBucket{
	"DescribeContainerInstances":    ecsClusterResourceRead,
	"DescribeTasks":                 ecsClusterResourceRead,
	"ListAttributes":                ecsClusterResourceRead,
	"ListContainerInstances":        ecsClusterResourceRead,
	"ListTasks":                     ecsClusterResourceRead,
	"DeleteAttributes":              ecsClusterResourceWrite,
	"DeregisterContainerInstance":   ecsClusterResourceWrite,
	"PutAttributes":                 ecsClusterResourceWrite,
	"StopTask":                      ecsClusterResourceWrite,
	"UpdateContainerInstancesState": ecsClusterResourceWrite,
	"DescribeClusters":              ecsClusterRead,
	"ListClusters":                  ecsClusterRead,
	"DescribeCapacityProviders":     ecsClusterRead,
	"DescribeTaskDefinition":        ecsTaskDefinitionRead,
	"DescribeServices":              ecsServiceRead,
	"ListServices":                  ecsServiceRead,
}

// EC2 has one bucket per action, sized by the action's kind: "Request
// throttling for the Amazon EC2 API", Amazon EC2 Developer Guide,
// https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html
// (non-mutating actions such as DescribeHosts: bucket of 100, refill 20 a
// second). DescribeInstances and DescribeNetworkInterfaces without a
// filter are the costliest reads, with a smaller bucket of their own
// (drainer always filters them). Mutating actions get 50 and 5 a second,
// DeleteNetworkInterface 100 and 5.
const (
	ec2DescribeBurst, ec2DescribeRate     = 100, 20
	ec2UnfilteredBurst, ec2UnfilteredRate = 50, 10
	ec2MutatingBurst, ec2MutatingRate     = 50, 5
)

var ec2Buckets = map[string]awsBucket{
	"DeleteNetworkInterface": {"ec2:DeleteNetworkInterface", "ec2", 100, 5},
}

// Auto Scaling shares one bucket between its actions and publishes no
// figure for it (its quotas page lists none for the API rate); drainer
// assumes a bucket of 100 refilled at 20 a second, the figure of the
// emulator's aws throttling profile.
var autoScalingBucket = awsBucket{"autoscaling", "autoscaling", 100, 20}

// bucketOf returns the AWS bucket an action of service draws on.
// unfiltered says a DescribeInstances or DescribeNetworkInterfaces carries
// no filter. SQS and EventBridge have one bucket each, with drainer's own
// figures (lim).
func bucketOf(service, action string, unfiltered bool, lim Limits) awsBucket {
	switch service {
	case "ecs":
		if b, ok := ecsBuckets[action]; ok {
			return b
		}
		return ecsOther
	case "autoscaling":
		return autoScalingBucket
	case "ec2":
		if b, ok := ec2Buckets[action]; ok {
			return b
		}
		switch {
		case unfiltered && (action == "DescribeInstances" || action == "DescribeNetworkInterfaces"):
			return awsBucket{"ec2:" + action + ":unfiltered", "ec2", ec2UnfilteredBurst, ec2UnfilteredRate}
		case isEC2Read(action):
			return awsBucket{"ec2:" + action, "ec2", ec2DescribeBurst, ec2DescribeRate}
		default:
			return awsBucket{"ec2:" + action, "ec2", ec2MutatingBurst, ec2MutatingRate}
		}
	case "sqs":
		return awsBucket{"sqs", "sqs", lim.SQS.Burst, float64(lim.SQS.Rate)}
	case "events":
		return awsBucket{"events", "events", lim.Events.Burst, float64(lim.Events.Rate)}
	}
	return awsBucket{service, service, 50, 5}
}

// isEC2Read reports whether an EC2 action only reads (Describe*, Get*,
// List*), the non-mutating kind.
func isEC2Read(action string) bool {
	for _, p := range []string{"Describe", "Get", "List"} {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}
