package aws

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/batch"
	"github.com/drainer-dev/drainer/cloud"
)

// batches are the Client's coalesced calls: concurrent callers asking for
// items of the same key within Options.BatchWindow share one call of up to
// the API's limit.
type batches struct {
	containerInstances *batch.Batcher[string, string, cloud.ContainerInstance] // by cluster
	tasks              *batch.Batcher[string, string, cloud.Task]              // by cluster; unclassified
	drains             *batch.Batcher[string, string, cloud.Failure]           // by cluster; failures only
	attributes         *batch.Batcher[string, attributeSet, error]             // by cluster
	groupInstances     *batch.Batcher[struct{}, string, cloud.GroupInstance]
	instances          *batch.Batcher[struct{}, string, cloud.Instance]
	// The facts behind task classification, fetched once per cluster and
	// batch however many drains miss them at once.
	taskDefinitions *batch.Batcher[struct{}, string, stopTimeoutAnswer]
	daemonKinds     *batch.Batcher[string, string, bool] // by cluster: service name → DAEMON
}

// stopTimeoutAnswer is a task definition's stop timeout, or why it could
// not be read (one revision gone fails only the callers that need it).
type stopTimeoutAnswer struct {
	stopTime
	err error
}

// coalesce makes the Client's batchers.
func (c *Client) coalesce() {
	clk, win := c.opts.Clock, c.opts.BatchWindow
	opts := func(max int) batch.Options {
		// A shared call waits in its bucket at the most urgent of its
		// callers' priorities.
		return batch.Options{Max: max, Window: win, Lead: func(a, b context.Context) bool {
			return cloud.PriorityOf(a) > cloud.PriorityOf(b)
		}}
	}
	// The batches of the reads drains make at every look, and of DRAINING,
	// wait for their bucket's token before they are sealed: while AWS's
	// rate limit holds a call back, the items asked for meanwhile join it
	// instead of queueing calls of their own (a thousand drains woken one
	// by one by their tasks' STOPPED events then share calls of a hundred).
	gated := func(max int, service, action string) batch.Options {
		o := opts(max)
		o.Gate = c.gate(service, action)
		return o
	}
	c.containerInstances = batch.New(clk, gated(maxDescribeInstances, "ecs", "DescribeContainerInstances"), c.describeContainerInstances)
	c.tasks = batch.New(clk, gated(maxDescribeTasks, "ecs", "DescribeTasks"), c.describeTasks)
	c.drains = batch.New(clk, gated(maxDrainBatch, "ecs", "UpdateContainerInstancesState"), c.drainContainerInstances)
	c.attributes = batch.New(clk, gated(maxAttributesPerCall/maxAttributesPerSet, "ecs", "PutAttributes"), c.putAttributeSets)
	c.groupInstances = batch.New(clk, gated(maxAutoScalingIDs, "autoscaling", "DescribeAutoScalingInstances"), c.describeGroupInstances)
	c.instances = batch.New(clk, gated(maxEC2FilterValues, "ec2", "DescribeInstances"), c.describeInstances)
	c.taskDefinitions = batch.New(clk, opts(maxDescribeTasks), c.describeStopTimeouts)
	c.daemonKinds = batch.New(clk, opts(maxDescribeServices), c.describeDaemonKinds)
}

// gate returns a batch.Options.Gate that takes the token of action's
// bucket (a filtered call, for EC2) at the call's priority, and marks the
// context so that the call's first attempt does not take another
// (paceMiddleware).
func (c *Client) gate(service, action string) func(context.Context) (context.Context, error) {
	return func(ctx context.Context) (context.Context, error) {
		b := c.pace.bucket(bucketOf(service, action, false, c.pace.lim))
		if err := b.take(ctx, cloud.PriorityOf(ctx)); err != nil {
			return nil, err
		}
		return context.WithValue(ctx, prepaidKey{}, &prepaid{bucket: b}), nil
	}
}

// byAsked files each resource ECS answered under the items of asked that
// name it: its ARN, or its id (ECS takes either and answers with the ARN).
func byAsked[R any](asked []string, answered []R, arnOf func(R) string, idOf func(string) string) map[string]R {
	want := make(map[string]bool, len(asked))
	for _, s := range asked {
		want[s] = true
	}
	out := make(map[string]R, len(asked))
	for _, r := range answered {
		arn := arnOf(r)
		if want[arn] {
			out[arn] = r
		}
		if id := idOf(arn); id != "" && id != arn && want[id] {
			out[id] = r
		}
	}
	return out
}

// inOrder returns the results of want in its order, each resource once
// (an ARN and its id name the same one).
func inOrder[R any](want []string, res map[string]R, keyOf func(R) string) []R {
	out := make([]R, 0, len(res))
	seen := make(map[string]bool, len(res))
	for _, w := range want {
		if r, ok := res[w]; ok && !seen[keyOf(r)] {
			seen[keyOf(r)] = true
			out = append(out, r)
		}
	}
	return out
}

// describeContainerInstances is one DescribeContainerInstances call.
func (c *Client) describeContainerInstances(ctx context.Context, cluster string, arns []string) (map[string]cloud.ContainerInstance, error) {
	res, err := c.ecs.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{
		Cluster: aws.String(cluster), ContainerInstances: arns,
	})
	if err != nil {
		return nil, err
	}
	cis := make([]cloud.ContainerInstance, 0, len(res.ContainerInstances))
	for _, ci := range res.ContainerInstances {
		cis = append(cis, containerInstanceFrom(ci))
	}
	return byAsked(arns, cis, func(ci cloud.ContainerInstance) string { return ci.ARN }, awsid.ContainerInstanceID), nil
}

// describeTasks is one DescribeTasks call; the tasks are not classified.
func (c *Client) describeTasks(ctx context.Context, cluster string, arns []string) (map[string]cloud.Task, error) {
	res, err := c.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: arns})
	if err != nil {
		return nil, err
	}
	tasks := make([]cloud.Task, 0, len(res.Tasks))
	for _, t := range res.Tasks {
		tasks = append(tasks, taskFrom(t))
	}
	return byAsked(arns, tasks, func(t cloud.Task) string { return t.ARN }, awsid.TaskID), nil
}

// drainContainerInstances is one UpdateContainerInstancesState call to
// DRAINING; it answers the items ECS refused, with their failure.
func (c *Client) drainContainerInstances(ctx context.Context, cluster string, arns []string) (map[string]cloud.Failure, error) {
	res, err := c.ecs.UpdateContainerInstancesState(ctx, &ecs.UpdateContainerInstancesStateInput{
		Cluster: aws.String(cluster), ContainerInstances: arns, Status: ecstypes.ContainerInstanceStatusDraining,
	})
	if err != nil {
		return nil, err
	}
	out := byAsked(arns, ecsFailures(res.Failures), func(f cloud.Failure) string { return f.ID }, awsid.ContainerInstanceID)
	for item, f := range out {
		f.ID = item // as the caller named it
		out[item] = f
	}
	return out, nil
}

// describeGroupInstances is one DescribeAutoScalingInstances request
// (paged, though fifty ids fit one page).
func (c *Client) describeGroupInstances(ctx context.Context, _ struct{}, ids []string) (map[string]cloud.GroupInstance, error) {
	out := make(map[string]cloud.GroupInstance, len(ids))
	p := autoscaling.NewDescribeAutoScalingInstancesPaginator(c.autoscaling, &autoscaling.DescribeAutoScalingInstancesInput{
		InstanceIds: ids, MaxRecords: aws.Int32(int32(maxAutoScalingIDs)),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, i := range page.AutoScalingInstances {
			gi := groupInstanceFrom(i)
			out[gi.InstanceID] = gi
		}
	}
	return out, nil
}

// describeInstances is one DescribeInstances request selecting ids with
// the instance-id filter: unlike InstanceIds, a filter just matches fewer
// when an id is unknown, so one caller's stale id does not fail the
// others'. Filters make the request paged (MaxResults).
func (c *Client) describeInstances(ctx context.Context, _ struct{}, ids []string) (map[string]cloud.Instance, error) {
	out := make(map[string]cloud.Instance, len(ids))
	p := ec2.NewDescribeInstancesPaginator(c.ec2, &ec2.DescribeInstancesInput{
		Filters:    []ec2types.Filter{{Name: aws.String("instance-id"), Values: ids}},
		MaxResults: aws.Int32(1000),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Reservations {
			for _, i := range r.Instances {
				in := instanceFrom(i)
				out[in.ID] = in
			}
		}
	}
	return out, nil
}

// instancesNotFound is EC2's answer to DescribeInstances by InstanceIds
// naming unknown instances, for the callers whose ids the filter did not
// match ("The instance ID 'i-…' does not exist"; several: "The instance
// IDs '…, …' do not exist"; Amazon EC2 API Reference, "Error codes for
// the Amazon EC2 API", InvalidInstanceID.NotFound).
func instancesNotFound(ids []string) error {
	msg := fmt.Sprintf("The instance ID '%s' does not exist", ids[0])
	if len(ids) > 1 {
		msg = fmt.Sprintf("The instance IDs '%s' do not exist", strings.Join(ids, ", "))
	}
	return &smithy.GenericAPIError{Code: "InvalidInstanceID.NotFound", Message: msg, Fault: smithy.FaultClient}
}

// describeStopTimeouts reads the stop timeout of each task definition not
// cached yet, one DescribeTaskDefinition each (the API takes one).
func (c *Client) describeStopTimeouts(ctx context.Context, _ struct{}, arns []string) (map[string]stopTimeoutAnswer, error) {
	out := make(map[string]stopTimeoutAnswer, len(arns))
	for _, arn := range arns {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		st, err := c.stopTimeout(ctx, arn)
		out[arn] = stopTimeoutAnswer{st, err}
	}
	return out, nil
}

// describeDaemonKinds describes up to ten services of cluster and caches
// their scheduling strategy; unknown services are left out.
func (c *Client) describeDaemonKinds(ctx context.Context, cluster string, names []string) (map[string]bool, error) {
	svcs, err := c.describeServices(ctx, cluster, names)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(svcs))
	for _, s := range svcs {
		out[s.Name] = s.Daemon
	}
	return out, nil
}
