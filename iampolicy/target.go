package iampolicy

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/drainer-dev/drainer/awsid"
)

// Target is what a policy is narrowed to. An empty field (or list) makes
// that part of the resources "*"; Unscoped says which.
type Target struct {
	// Partition is the ARN partition ("aws", "aws-cn", "aws-us-gov");
	// "" takes Region's (PartitionOf), or "aws" when Region is "".
	Partition string
	// Region is the AWS Region, e.g. us-east-1.
	Region string
	// Account is the 12-digit AWS account id.
	Account string
	// Clusters are the ECS clusters drainer serves, by name.
	Clusters []string
	// Groups are the Auto Scaling groups drainer acts in, by name, and
	// GroupPrefixes the prefixes of more group names.
	Groups, GroupPrefixes []string
	// Queue is the name of drainer's SQS queue.
	Queue string
	// EventBus is the name or ARN of the EventBridge bus drain events go
	// to; "" is the default bus, "default".
	EventBus string
	// Function is the name of drainer's Lambda function (Lambda mode).
	Function string
}

// The shapes of names, as AWS documents them.
var (
	// "Region codes", e.g. us-east-1, us-gov-west-1, cn-north-1
	// (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html).
	regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)
	// "Your AWS account ID": 12 digits
	// (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html).
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	// CreateCluster's clusterName: up to 255 letters, numbers, underscores
	// and hyphens (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html).
	clusterPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)
	// CreateQueue's QueueName: up to 80 alphanumerics, hyphens and
	// underscores, a standard queue's (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html).
	queuePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)
	// CreateEventBus's Name: up to 256 of [/\.\-_A-Za-z0-9]
	// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html).
	busPattern = regexp.MustCompile(`^[/.\-_A-Za-z0-9]{1,256}$`)
	// CreateFunction's FunctionName, as a name: up to 64 letters, numbers,
	// hyphens and underscores (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html).
	functionPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

// PartitionOf returns the ARN partition of a Region: aws-cn for cn-…,
// aws-us-gov for us-gov-…, the ISO partitions for theirs, aws otherwise
// ("Partitions", AWS General Reference,
// https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html).
func PartitionOf(region string) string {
	for _, p := range []struct{ prefix, partition string }{
		{"cn-", "aws-cn"}, {"us-gov-", "aws-us-gov"}, {"us-isob-", "aws-iso-b"},
		{"us-iso-", "aws-iso"}, {"eu-isoe-", "aws-iso-e"}, {"us-isof-", "aws-iso-f"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.partition
		}
	}
	return "aws"
}

// SetQueue sets the queue from its ARN (which names its partition, Region
// and account too: they must agree with those already set), its URL or
// its name. It has the shape of flag.FlagSet.Func's argument.
func (t *Target) SetQueue(s string) error {
	s = strings.TrimSpace(s)
	next := *t // all or nothing: a queue in another Region changes nothing
	name := awsid.QueueName(s)
	if strings.HasPrefix(s, "arn:") {
		a, err := awsid.ParseQueueARN(s)
		if err != nil {
			return err
		}
		for _, err := range []error{
			set(&next.Partition, a.Partition, "partition"), set(&next.Region, a.Region, "Region"), set(&next.Account, a.AccountID, "account"),
		} {
			if err != nil {
				return fmt.Errorf("queue %s: %w", s, err)
			}
		}
	}
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		// https://sqs.REGION.amazonaws.com/ACCOUNT/NAME (SQS API reference,
		// "Queue and message identifiers"): the URL names the account, and
		// SQS's own hosts the Region.
		var errs []error
		if parts := strings.Split(strings.Trim(u.Path, "/"), "/"); len(parts) == 2 && accountPattern.MatchString(parts[0]) {
			errs = append(errs, set(&next.Account, parts[0], "account"))
		}
		if m := sqsHost.FindStringSubmatch(u.Hostname()); m != nil {
			errs = append(errs, set(&next.Region, m[1], "Region"))
		}
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("queue %s: %w", s, err)
		}
	}
	if !queuePattern.MatchString(name) {
		return fmt.Errorf("queue %q: want an SQS queue's ARN, URL or name (up to 80 letters, digits, - and _)", s)
	}
	next.Queue = name
	*t = next
	return nil
}

// sqsHost is SQS's endpoint host, its Region in the first group
// (https://docs.aws.amazon.com/general/latest/gr/sqs-service.html).
var sqsHost = regexp.MustCompile(`^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$`)

// SetRegion sets the Region; it must agree with the queue's ARN, if that
// came first. It has the shape of flag.FlagSet.Func's argument.
func (t *Target) SetRegion(s string) error { return set(&t.Region, strings.TrimSpace(s), "Region") }

// SetAccount sets the account; it must agree with the queue's ARN, if
// that came first. It has the shape of flag.FlagSet.Func's argument.
func (t *Target) SetAccount(s string) error {
	return set(&t.Account, strings.TrimSpace(s), "account")
}

// set sets *field to v, unless it holds another value already.
func set(field *string, v, what string) error {
	if *field != "" && *field != v {
		return fmt.Errorf("%s %s and %s: name one", what, *field, v)
	}
	*field = v
	return nil
}

// AddCluster adds a served cluster, by name or ARN. It has the shape of
// flag.FlagSet.Func's argument.
func (t *Target) AddCluster(s string) error {
	name := awsid.ClusterName(strings.TrimSpace(s))
	if !clusterPattern.MatchString(name) {
		return fmt.Errorf("cluster %q: want an ECS cluster's name or ARN (up to 255 letters, digits, - and _)", s)
	}
	t.Clusters = append(t.Clusters, name)
	return nil
}

// AddGroup adds an Auto Scaling group, by name or ARN. It has the shape of
// flag.FlagSet.Func's argument.
func (t *Target) AddGroup(s string) error {
	name, err := groupName(awsid.GroupName(s), "group")
	if err == nil {
		t.Groups = append(t.Groups, name)
	}
	return err
}

// AddGroupPrefix adds a prefix of Auto Scaling group names. It has the
// shape of flag.FlagSet.Func's argument.
func (t *Target) AddGroupPrefix(s string) error {
	name, err := groupName(s, "group prefix")
	if err == nil {
		t.GroupPrefixes = append(t.GroupPrefixes, name)
	}
	return err
}

// groupName checks a group name or prefix: 1–255 characters
// (CreateAutoScalingGroup's AutoScalingGroupName,
// https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html),
// none of them an IAM wildcard (* or ?, which would widen the policy) or
// a control character.
func groupName(s, what string) (string, error) {
	switch {
	case s == "" || len(s) > 255:
		return "", fmt.Errorf("%s %q: want 1 to 255 characters", what, s)
	case strings.ContainsAny(s, "*?"):
		return "", fmt.Errorf("%s %q: * and ? are IAM wildcards; name a group, or give a prefix with --group-prefix", what, s)
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "", fmt.Errorf("%s %q holds a control character", what, s)
	}
	return s, nil
}

// Check reports what in t AWS would refuse, all of it; nil when t is
// fine.
func (t Target) Check() error {
	var errs []error
	if t.Region != "" && !regionPattern.MatchString(t.Region) {
		errs = append(errs, fmt.Errorf("region %q: want a Region code such as us-east-1", t.Region))
	}
	if t.Account != "" && !accountPattern.MatchString(t.Account) {
		errs = append(errs, fmt.Errorf("account %q: want a 12-digit AWS account id", t.Account))
	}
	if t.Partition != "" && t.Region != "" && t.Partition != PartitionOf(t.Region) {
		errs = append(errs, fmt.Errorf("partition %s does not hold Region %s (%s does)", t.Partition, t.Region, PartitionOf(t.Region)))
	}
	for _, c := range t.Clusters {
		if !clusterPattern.MatchString(c) {
			errs = append(errs, fmt.Errorf("cluster %q: want an ECS cluster name", c))
		}
	}
	for _, g := range t.Groups {
		if _, err := groupName(g, "group"); err != nil {
			errs = append(errs, err)
		}
	}
	for _, g := range t.GroupPrefixes {
		if _, err := groupName(g, "group prefix"); err != nil {
			errs = append(errs, err)
		}
	}
	if t.Queue != "" && !queuePattern.MatchString(t.Queue) {
		errs = append(errs, fmt.Errorf("queue %q: want an SQS queue name", t.Queue))
	}
	if t.EventBus != "" && !strings.HasPrefix(t.EventBus, "arn:") && !busPattern.MatchString(t.EventBus) {
		errs = append(errs, fmt.Errorf("event bus %q: want an EventBridge bus name or ARN", t.EventBus))
	}
	if a, err := arn.Parse(t.EventBus); strings.HasPrefix(t.EventBus, "arn:") && (err != nil || a.Service != "events" || !strings.HasPrefix(a.Resource, "event-bus/")) {
		errs = append(errs, fmt.Errorf("event bus %q: not an EventBridge bus ARN (arn:PARTITION:events:REGION:ACCOUNT:event-bus/NAME)", t.EventBus))
	}
	if t.Function != "" && !functionPattern.MatchString(t.Function) {
		errs = append(errs, fmt.Errorf("function %q: want a Lambda function name (up to 64 letters, digits, - and _)", t.Function))
	}
	return errors.Join(errs...)
}

// Unscoped says, one line each, which parts of mode m's policy are "*"
// because t does not name them; none when t names everything m's policy
// can be narrowed to.
func (t Target) Unscoped(m Mode) []string {
	uses := map[Resource]bool{}
	for _, p := range Permissions(m) {
		uses[p.Resource] = true
	}
	any := func(rs ...Resource) bool {
		for _, r := range rs {
			if uses[r] {
				return true
			}
		}
		return false
	}
	arns := any(Clusters, ContainerInstances, Tasks, Services, CapacityProviders, Groups, Instances, NetworkInterfaces,
		Queue, QueueFamily, EventBus, DrainerRules, Rules, LogGroup, LogStreams)
	var out []string
	if arns && t.Region == "" {
		out = append(out, "no Region (--region): resources in every Region")
	}
	if arns && t.Account == "" {
		out = append(out, "no account (--account): resources of every account")
	}
	if any(Clusters, ContainerInstances, Tasks, Services, InClusters) && len(t.Clusters) == 0 {
		out = append(out, "no cluster (--cluster): ECS actions on every cluster")
	}
	if uses[Groups] && len(t.Groups)+len(t.GroupPrefixes) == 0 {
		out = append(out, "no group (--group, --group-prefix): Auto Scaling actions on every group")
	}
	if any(Queue, QueueFamily) && t.Queue == "" {
		out = append(out, "no queue (--queue): SQS actions on every queue")
	}
	if any(LogGroup, LogStreams) && t.Function == "" {
		out = append(out, "no function (--function): logs of every Lambda function")
	}
	return out
}
