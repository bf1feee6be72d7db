package iampolicy

import (
	"fmt"
	"slices"
	"strings"
)

// Mode is a way drainer runs, and so the calls its IAM identity makes.
type Mode string

// The modes, as `drainer iam-policy --mode` names them.
const (
	// Run is `drainer run`: the controller, its scans, its queue consumer,
	// its dashboard; and `drainer doctor`, which reads what run reads, the
	// user data of the groups' launch templates and configurations (to find
	// the clusters' groups as setup does) and the EventBridge rules feeding
	// the queue. dev and sim assemble the
	// same parts and make the same calls.
	Run Mode = "run"
	// Lambda is drainer as a Lambda function: run's calls, less the queue
	// consumer's (the function's SQS event source mapping receives and
	// deletes the messages, with the function's execution role; the
	// function itself changes the visibility of those that failed) and
	// doctor's, plus the function's logs.
	Lambda Mode = "lambda"
	// Setup is `drainer setup`: it reads the clusters' capacity providers
	// and launch templates or configurations to find their groups, creates
	// the queue, its dead-letter queue and policy, the EventBridge rules and
	// their targets, a termination hook on each group (or deletes them,
	// with --delete); and `drainer doctor`, run right after it.
	Setup Mode = "setup"
)

// Modes are every mode, in the order `drainer iam-policy -h` lists them.
var Modes = []Mode{Run, Lambda, Setup}

// ParseMode returns the mode named s, or an error naming the modes.
func ParseMode(s string) (Mode, error) {
	for _, m := range Modes {
		if string(m) == s {
			return m, nil
		}
	}
	names := make([]string, len(Modes))
	for i, m := range Modes {
		names[i] = string(m)
	}
	return "", fmt.Errorf("unknown mode %q: want one of %s", s, strings.Join(names, ", "))
}

// Resource is what an action can be narrowed to: the Service
// Authorization Reference's resource types of the action, as drainer
// names them (see Target for the parts a policy fills in).
type Resource int

// The resources, in the order the policy's statements come.
const (
	// Anywhere: "*". The action has no resource type (most Describe* and
	// List* actions): AWS accepts only "*".
	Anywhere Resource = iota
	// Clusters: the served clusters (ECS "cluster",
	// arn:PARTITION:ecs:REGION:ACCOUNT:cluster/NAME).
	Clusters
	// ContainerInstances: the container instances of the served clusters
	// ("container-instance", …:container-instance/CLUSTER/ID).
	ContainerInstances
	// Tasks: the tasks of the served clusters ("task", …:task/CLUSTER/ID).
	Tasks
	// Services: the services of the served clusters ("service",
	// …:service/CLUSTER/NAME).
	Services
	// InClusters: "*", with the condition that the request's cluster
	// (condition key ecs:cluster) is a served one: for ecs:ListTasks,
	// whose resource type is a container instance although drainer also
	// lists a whole cluster's tasks.
	InClusters
	// CapacityProviders: every capacity provider of the account and Region
	// ("capacity-provider", …:capacity-provider/*): drainer reads those its
	// clusters name, which it cannot know beforehand.
	CapacityProviders
	// Groups: the Auto Scaling groups drainer acts in ("autoScalingGroup",
	// arn:PARTITION:autoscaling:REGION:ACCOUNT:autoScalingGroup:*:autoScalingGroupName/NAME).
	Groups
	// Instances: every EC2 instance of the account and Region ("instance",
	// …:instance/*): instance ids are not known beforehand, and ECS
	// container instances carry no tag to narrow them by.
	Instances
	// NetworkInterfaces: every network interface of the account and Region
	// ("network-interface", …:network-interface/*).
	NetworkInterfaces
	// Queue: drainer's queue ("queue",
	// arn:PARTITION:sqs:REGION:ACCOUNT:NAME).
	Queue
	// QueueFamily: drainer's queue and its dead-letter queue, whose name
	// starts with the queue's (…:NAME*): what setup creates.
	QueueFamily
	// EventBus: the bus drain events are published on ("event-bus",
	// arn:PARTITION:events:REGION:ACCOUNT:event-bus/NAME).
	EventBus
	// DrainerRules: the EventBridge rules drainer recommends and setup
	// creates, named drainer-… (intake.RecommendedRules; "rule-on-default-event-bus",
	// arn:PARTITION:events:REGION:ACCOUNT:rule/drainer-*).
	DrainerRules
	// Rules: every rule of the account and Region (…:rule/*): doctor
	// lists the targets of each rule to find those feeding the queue.
	Rules
	// LogGroup: the Lambda function's log group ("log-group",
	// arn:PARTITION:logs:REGION:ACCOUNT:log-group:/aws/lambda/FUNCTION).
	LogGroup
	// LogStreams: the log streams of that group ("log-stream",
	// …:log-group:/aws/lambda/FUNCTION:log-stream:*).
	LogStreams
)

// Permission is one IAM action drainer calls in some modes, why, and what
// it is narrowed to there. One action may have two entries, for modes
// that need it on different resources (sqs:GetQueueUrl: run on the queue,
// setup on the queue and its dead-letter queue).
type Permission struct {
	// Action is the IAM action, SERVICE:Action ("ecs:ListTasks").
	Action string
	// Resource is what the action is narrowed to.
	Resource Resource
	// Why says which part of drainer calls the action, for what.
	Why string
	// Modes are the modes that call it.
	Modes []Mode
	// Operations are the API operations the action authorizes besides its
	// namesake: SQS's batch operations are authorized by their single
	// action ("Amazon SQS batch actions", Amazon SQS Developer Guide,
	// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-batch-api.html).
	Operations []string
}

// Mode groups, for the list below.
var (
	runs       = []Mode{Run, Lambda}        // the controller, however it runs
	everywhere = []Mode{Run, Lambda, Setup} // the controller, and setup's or doctor's reads
	doctors    = []Mode{Run, Setup}         // doctor, run after run's or setup's
	runOnly    = []Mode{Run}
	lambdaOnly = []Mode{Lambda}
	setupOnly  = []Mode{Setup}
)

// permissions is THE list: every IAM action drainer calls. Resource types
// and condition keys are the Service Authorization Reference's (see the
// package comment); an action whose reference lists no resource type is
// Anywhere.
var permissions = []Permission{
	// Amazon ECS.
	{Action: "ecs:ListClusters", Resource: Anywhere, Modes: everywhere,
		Why: "the clusters of the Region, when no cluster is named (scans, dashboard, doctor)"},
	{Action: "ecs:DescribeClusters", Resource: Clusters, Modes: everywhere,
		Why: "a served cluster's capacity providers"},
	{Action: "ecs:DescribeCapacityProviders", Resource: CapacityProviders, Modes: everywhere,
		Why: "each provider's Auto Scaling group, managed termination protection and managed draining: the policy per group; setup finds the groups through them"},
	{Action: "ecs:ListContainerInstances", Resource: Clusters, Modes: everywhere,
		Why: "the container instance of an EC2 instance (filter ec2InstanceId); the scans' pages of a cluster"},
	{Action: "ecs:DescribeContainerInstances", Resource: ContainerInstances, Modes: everywhere,
		Why: "a drain's look at its instance: status, agent, running tasks, attributes"},
	{Action: "ecs:UpdateContainerInstancesState", Resource: ContainerInstances, Modes: runs,
		Why: "sets a draining instance DRAINING"},
	{Action: "ecs:DeregisterContainerInstance", Resource: Clusters, Modes: runs,
		Why: "deregisters with force at the hard deadline, or when its agent is lost"},
	{Action: "ecs:ListTasks", Resource: InClusters, Modes: everywhere,
		Why: "the tasks on a draining instance, running and stopping; doctor's services"},
	{Action: "ecs:DescribeTasks", Resource: Tasks, Modes: everywhere,
		Why: "the status, group and stop timeout of those tasks"},
	{Action: "ecs:StopTask", Resource: Tasks, Modes: runs,
		Why: "standalone tasks at their deadline (--standalone), every task at the hard deadline, daemon tasks last"},
	{Action: "ecs:DescribeServices", Resource: Services, Modes: everywhere,
		Why: "daemon or replica; services of a lost instance back at their desired count; doctor's services at 100/100"},
	{Action: "ecs:DescribeTaskDefinition", Resource: Anywhere, Modes: everywhere,
		Why: "a task's stop timeout"},
	{Action: "ecs:PutAttributes", Resource: ContainerInstances, Modes: runs,
		Why: "records a drain on its container instance (drainer.drain, drainer.hook), so a restarted drainer resumes it"},
	{Action: "ecs:DeleteAttributes", Resource: ContainerInstances, Modes: runs,
		Why: "removes that record"},
	{Action: "ecs:ListAttributes", Resource: Clusters, Modes: runs,
		Why: "the recorded drains to resume at start and in the scans"},

	// Amazon EC2 Auto Scaling.
	{Action: "autoscaling:DescribeAutoScalingGroups", Resource: Anywhere, Modes: everywhere,
		Why: "groups, their instances, protection and capacity"},
	{Action: "autoscaling:DescribeAutoScalingInstances", Resource: Anywhere, Modes: everywhere,
		Why: "whether an action of an owned hook is pending for an instance (never the message's word)"},
	{Action: "autoscaling:DescribeLifecycleHooks", Resource: Anywhere, Modes: everywhere,
		Why: "the hooks of a group: heartbeat timeout, global timeout; setup and doctor judge them"},
	{Action: "autoscaling:DescribeScalingActivities", Resource: Anywhere, Modes: runs,
		Why: "when Auto Scaling began terminating an instance (a take-up counts from it); the dashboard's activity history"},
	{Action: "autoscaling:CompleteLifecycleAction", Resource: Groups, Modes: runs,
		Why: "releases a drained instance: CONTINUE, for owned hooks only"},
	{Action: "autoscaling:RecordLifecycleActionHeartbeat", Resource: Groups, Modes: runs,
		Why: "keeps an owned hook's action alive while the drain runs"},
	{Action: "autoscaling:SetInstanceProtection", Resource: Groups, Modes: runs,
		Why: "scale-in protection of instances with work (--protect, or a capacity provider's managed termination protection)"},
	{Action: "autoscaling:TerminateInstanceInAutoScalingGroup", Resource: Groups, Modes: runs,
		Why: "releases an idle, time-to-live or operator drain's instance"},
	{Action: "autoscaling:PutLifecycleHook", Resource: Groups, Modes: setupOnly,
		Why: "drainer's termination hook on each group of the clusters"},
	{Action: "autoscaling:DeleteLifecycleHook", Resource: Groups, Modes: setupOnly,
		Why: "removes that hook (--delete)"},
	{Action: "autoscaling:DescribeLaunchConfigurations", Resource: Anywhere, Modes: everywhere,
		Why: "a group's user data naming ECS_CLUSTER (setup and doctor find the clusters' groups so; the controller so knows a new group's lifecycle actions are its own)"},

	// Amazon EC2.
	{Action: "ec2:DescribeInstances", Resource: Anywhere, Modes: everywhere,
		Why: "an instance's state, launch time, lifecycle (Spot) and group"},
	{Action: "ec2:DescribeInstanceAttribute", Resource: Instances, Modes: runs,
		Why: "user data: the ECS agent's stop timeout (ECS_CONTAINER_STOP_TIMEOUT)"},
	{Action: "ec2:TerminateInstances", Resource: Instances, Modes: runs,
		Why: "releases a drained instance that is in no Auto Scaling group"},
	{Action: "ec2:DescribeNetworkInterfaces", Resource: Anywhere, Modes: runs,
		Why: "network interfaces ECS tasks left available"},
	{Action: "ec2:DeleteNetworkInterface", Resource: NetworkInterfaces, Modes: runs,
		Why: "deletes them"},
	{Action: "ec2:DescribeLaunchTemplateVersions", Resource: Anywhere, Modes: everywhere,
		Why: "a group's launch template user data naming ECS_CLUSTER (setup and doctor find the clusters' groups so; the controller so knows a new group's lifecycle actions are its own)"},

	// Amazon SQS.
	{Action: "sqs:GetQueueUrl", Resource: Queue, Modes: runOnly,
		Why: "the queue's URL, when given by name or ARN"},
	{Action: "sqs:GetQueueAttributes", Resource: Queue, Modes: runs,
		Why: "run: that the queue exists and can be read, at start; Lambda: the SQS event source mapping reads it with the function's role"},
	{Action: "sqs:ReceiveMessage", Resource: Queue, Modes: runs,
		Why: "the queue's messages (Lambda: the event source mapping receives them with the function's role)"},
	{Action: "sqs:DeleteMessage", Resource: Queue, Modes: runs, Operations: []string{"DeleteMessageBatch"},
		Why: "deletes a message once handled (Lambda: the event source mapping, for the messages the function did not report failed)"},
	{Action: "sqs:ChangeMessageVisibility", Resource: Queue, Modes: runs, Operations: []string{"ChangeMessageVisibilityBatch"},
		Why: "keeps a message invisible while it is handled (Lambda: brings a failed message back after a short backoff)"},
	{Action: "sqs:GetQueueUrl", Resource: QueueFamily, Modes: setupOnly,
		Why: "whether the queue and its dead-letter queue exist"},
	{Action: "sqs:GetQueueAttributes", Resource: QueueFamily, Modes: setupOnly,
		Why: "their ARNs, redrive policy and queue policy"},
	{Action: "sqs:CreateQueue", Resource: QueueFamily, Modes: setupOnly,
		Why: "creates the queue and its dead-letter queue"},
	{Action: "sqs:SetQueueAttributes", Resource: QueueFamily, Modes: setupOnly,
		Why: "the redrive policy, and the queue policy letting EventBridge send to the queue"},
	{Action: "sqs:TagQueue", Resource: QueueFamily, Modes: setupOnly,
		Why: "marks the queues setup created"},
	{Action: "sqs:ListQueueTags", Resource: QueueFamily, Modes: setupOnly,
		Why: "tells the queues setup created from others of the same name"},
	{Action: "sqs:DeleteQueue", Resource: QueueFamily, Modes: setupOnly,
		Why: "removes them (--delete)"},

	// Amazon EventBridge.
	{Action: "events:PutEvents", Resource: EventBus, Modes: runs,
		Why: "drain events (source drainer)"},
	{Action: "events:ListRules", Resource: Anywhere, Modes: doctors,
		Why: "doctor: the rules feeding the queue"},
	{Action: "events:ListTargetsByRule", Resource: Rules, Modes: doctors,
		Why: "doctor: the targets of each rule, to find those feeding the queue"},
	{Action: "events:DescribeRule", Resource: DrainerRules, Modes: setupOnly,
		Why: "whether drainer's rules exist, with which pattern"},
	{Action: "events:PutRule", Resource: DrainerRules, Modes: setupOnly,
		Why: "creates or updates drainer's rules"},
	{Action: "events:PutTargets", Resource: DrainerRules, Modes: setupOnly,
		Why: "points them at the queue"},
	{Action: "events:TagResource", Resource: DrainerRules, Modes: setupOnly,
		Why: "marks the rules setup created"},
	{Action: "events:ListTagsForResource", Resource: DrainerRules, Modes: setupOnly,
		Why: "tells the rules setup created from others of the same name"},
	{Action: "events:RemoveTargets", Resource: DrainerRules, Modes: setupOnly,
		Why: "removes their targets (--delete)"},
	{Action: "events:DeleteRule", Resource: DrainerRules, Modes: setupOnly,
		Why: "removes the rules (--delete)"},

	// Amazon CloudWatch Logs: what AWSLambdaBasicExecutionRole grants, for
	// the function's own log group only ("AWS managed policies for Lambda",
	// https://docs.aws.amazon.com/lambda/latest/dg/permissions-managed-policies.html).
	{Action: "logs:CreateLogGroup", Resource: LogGroup, Modes: lambdaOnly,
		Why: "the function's log group, if it does not exist yet"},
	{Action: "logs:CreateLogStream", Resource: LogStreams, Modes: lambdaOnly,
		Why: "the function's log streams"},
	{Action: "logs:PutLogEvents", Resource: LogStreams, Modes: lambdaOnly,
		Why: "the function's logs"},
}

// Permissions returns the permissions of mode m, in the list's order; nil
// for a mode that is not one of Modes. They are copies: changing them
// leaves the list as it is.
func Permissions(m Mode) []Permission {
	var out []Permission
	for _, p := range permissions {
		if slices.Contains(p.Modes, m) {
			p.Modes, p.Operations = slices.Clone(p.Modes), slices.Clone(p.Operations)
			out = append(out, p)
		}
	}
	return out
}

// Action returns the IAM action that authorizes the API operation op of
// service (the emulator's call log names services by their IAM prefix:
// "ecs", "autoscaling", "ec2", "sqs", "events"): SERVICE:OPERATION, or the
// single action of a batch operation (sqs:DeleteMessage for
// DeleteMessageBatch).
func Action(service, op string) string {
	for _, p := range permissions {
		if strings.HasPrefix(p.Action, service+":") && slices.Contains(p.Operations, op) {
			return p.Action
		}
	}
	return service + ":" + op
}

// Covers reports whether mode m's policy allows the API operation op of
// service, and names the IAM action it needs.
func Covers(m Mode, service, op string) (action string, ok bool) {
	action = Action(service, op)
	for _, p := range Permissions(m) {
		if p.Action == action {
			return action, true
		}
	}
	return action, false
}

// resourceNames name the resources for people (`drainer iam-policy --list`).
var resourceNames = map[Resource]string{
	Anywhere: "*", Clusters: "cluster", ContainerInstances: "container-instance", Tasks: "task",
	Services: "service", InClusters: "* if ecs:cluster", CapacityProviders: "capacity-provider/*",
	Groups: "autoScalingGroup", Instances: "instance/*", NetworkInterfaces: "network-interface/*",
	Queue: "queue", QueueFamily: "queue, dead-letter", EventBus: "event-bus", DrainerRules: "rule/drainer-*",
	Rules: "rule/*", LogGroup: "log-group", LogStreams: "log-stream",
}

// String names r as the Service Authorization Reference names its resource
// type ("cluster", "autoScalingGroup"), or the pattern drainer narrows it
// to ("instance/*").
func (r Resource) String() string {
	if s, ok := resourceNames[r]; ok {
		return s
	}
	return fmt.Sprintf("Resource(%d)", int(r))
}

// Call is an API call as the emulator's call log names it: the service by
// its IAM prefix ("autoscaling") and the operation ("DeleteMessageBatch").
type Call struct{ Service, Operation string }

// Uncovered returns the IAM actions the calls need that mode m's policy
// does not allow, sorted, each once: none when the policy covers them all.
func Uncovered(m Mode, calls []Call) []string {
	var out []string
	for _, c := range calls {
		if action, ok := Covers(m, c.Service, c.Operation); !ok && !slices.Contains(out, action) {
			out = append(out, action)
		}
	}
	slices.Sort(out)
	return out
}
