package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/drainer-dev/drainer/cloud"
)

// TasksOn implements cloud.ECS: it lists the instance's tasks of both
// desired statuses (a task asked to stop has desired status STOPPED but
// may still be running), then describes them as DescribeTasks does.
func (c *Client) TasksOn(ctx context.Context, cluster, containerInstanceARN string) ([]cloud.Task, error) {
	var arns []string
	for _, desired := range []cloud.DesiredStatus{cloud.DesiredRunning, cloud.DesiredStopped} {
		some, err := c.ListTasks(ctx, cluster, containerInstanceARN, desired)
		if err != nil {
			return nil, err
		}
		arns = append(arns, some...)
	}
	// A task moving from RUNNING to STOPPED between the two listings shows
	// up twice; DescribeTasks describes it once.
	tasks, err := c.DescribeTasks(ctx, cluster, arns)
	if err != nil {
		return nil, fmt.Errorf("tasks on %s: %w", containerInstanceARN, err)
	}
	return tasks, nil
}

// ListTasks implements cloud.ECS, a hundred ARNs a page.
func (c *Client) ListTasks(ctx context.Context, cluster, containerInstanceARN string, desired cloud.DesiredStatus) ([]string, error) {
	in := &ecs.ListTasksInput{Cluster: aws.String(cluster), DesiredStatus: ecstypes.DesiredStatus(desired), MaxResults: aws.Int32(100)}
	where := "cluster " + cluster
	if containerInstanceARN != "" {
		in.ContainerInstance = aws.String(containerInstanceARN)
		where = containerInstanceARN
	}
	status := string(desired)
	if status == "" {
		status = string(cloud.DesiredRunning)
	}
	var arns []string
	p := ecs.NewListTasksPaginator(c.ecs, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap(err, "list %s tasks on %s", status, where)
		}
		arns = append(arns, page.TaskArns...)
	}
	return arns, nil
}

// DescribeTasks implements cloud.ECS: the tasks go into the cluster's
// shared calls of up to a hundred, then each is classified and given its
// stop timeout from the caches (what is missing there is looked up once,
// however many callers miss it together).
func (c *Client) DescribeTasks(ctx context.Context, cluster string, taskARNs []string) ([]cloud.Task, error) {
	want := dedup(taskARNs)
	res, err := c.tasks.Do(ctx, cluster, want)
	if err != nil {
		return nil, wrap(err, "describe tasks of %s", cluster)
	}
	tasks := inOrder(want, res, func(t cloud.Task) string { return t.ARN })
	if err := c.classifyTasks(ctx, cluster, tasks); err != nil {
		return nil, wrap(err, "classify tasks of %s", cluster)
	}
	if err := c.fillStopTimeouts(ctx, tasks); err != nil {
		return nil, wrap(err, "stop timeouts of tasks of %s", cluster)
	}
	return tasks, nil
}

// classifyTasks sets each task's Class, describing the services not yet
// cached (scheduling strategies never change, so one look is enough).
func (c *Client) classifyTasks(ctx context.Context, cluster string, tasks []cloud.Task) error {
	var missing []string
	c.mu.Lock()
	for _, t := range tasks {
		if t.Service == "" {
			continue
		}
		if _, ok := c.daemons[serviceKey(t.ClusterARN, t.Service)]; !ok {
			missing = append(missing, t.Service)
		}
	}
	c.mu.Unlock()
	if missing = dedup(missing); len(missing) > 0 {
		// The lookups cache what they learn.
		if _, err := c.daemonKinds.Do(ctx, cluster, missing); err != nil {
			return err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range tasks {
		t := &tasks[i]
		t.Class = classify(t.Group, func(service string) bool {
			// A service ECS no longer knows is treated as a replica
			// service: ECS still owns its tasks.
			return c.daemons[serviceKey(t.ClusterARN, service)]
		})
	}
	return nil
}

// fillStopTimeouts sets each task's StopTimeout from its task definition,
// describing the revisions not yet cached (revisions are immutable).
func (c *Client) fillStopTimeouts(ctx context.Context, tasks []cloud.Task) error {
	var missing []string
	c.mu.Lock()
	for i := range tasks {
		arn := tasks[i].TaskDefinitionARN
		if arn == "" {
			tasks[i].StopTimeout, tasks[i].AgentStopTimeout = cloud.DefaultStopTimeout, true
		} else if st, ok := c.stopTimeouts[arn]; ok {
			tasks[i].StopTimeout, tasks[i].AgentStopTimeout = st.d, st.agent
		} else {
			missing = append(missing, arn)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return nil
	}
	looked, err := c.taskDefinitions.Do(ctx, struct{}{}, dedup(missing))
	if err != nil {
		return err
	}
	for i := range tasks {
		if a, ok := looked[tasks[i].TaskDefinitionARN]; ok {
			if a.err != nil {
				return a.err
			}
			tasks[i].StopTimeout, tasks[i].AgentStopTimeout = a.d, a.agent
		}
	}
	return nil
}

func (c *Client) stopTimeout(ctx context.Context, taskDefinitionARN string) (stopTime, error) {
	if taskDefinitionARN == "" {
		return stopTime{cloud.DefaultStopTimeout, true}, nil
	}
	res, err := c.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(taskDefinitionARN)})
	if err != nil {
		return stopTime{}, wrap(err, "describe task definition %s", taskDefinitionARN)
	}
	d := stopTimeoutOf(res.TaskDefinition)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.stopTimeouts) >= maxTaskDefinitionCache {
		// Bounded memory over months of deployments: start afresh.
		clear(c.stopTimeouts)
	}
	c.stopTimeouts[taskDefinitionARN] = d
	return d, nil
}

// StopTask implements cloud.ECS.
func (c *Client) StopTask(ctx context.Context, cluster, taskARN, reason string) error {
	_, err := c.ecs.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String(cluster), Task: aws.String(taskARN), Reason: aws.String(reason)})
	return wrap(err, "stop task %s", taskARN)
}
