package aws

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/drainer-dev/drainer/cloud"
)

// TasksOn implements cloud.ECS: it lists the instance's tasks of both
// desired statuses (a task asked to stop has desired status STOPPED but
// may still be running), describes them a hundred at a time, then fills
// each one's class and stop timeout from the caches.
func (c *Client) TasksOn(ctx context.Context, cluster, containerInstanceARN string) ([]cloud.Task, error) {
	var arns []string
	for _, desired := range []ecstypes.DesiredStatus{ecstypes.DesiredStatusRunning, ecstypes.DesiredStatusStopped} {
		p := ecs.NewListTasksPaginator(c.ecs, &ecs.ListTasksInput{
			Cluster: aws.String(cluster), ContainerInstance: aws.String(containerInstanceARN),
			DesiredStatus: desired, MaxResults: aws.Int32(100),
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, wrap(err, "list %s tasks on %s", desired, containerInstanceARN)
			}
			arns = append(arns, page.TaskArns...)
		}
	}
	// A task moving from RUNNING to STOPPED between the two listings shows
	// up twice.
	arns = dedup(arns)

	var tasks []cloud.Task
	for _, batch := range chunks(arns, maxDescribeTasks) {
		res, err := c.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: batch})
		if err != nil {
			return nil, wrap(err, "describe tasks on %s", containerInstanceARN)
		}
		for _, t := range res.Tasks {
			tasks = append(tasks, taskFrom(t))
		}
	}
	if err := c.classifyTasks(ctx, cluster, tasks); err != nil {
		return nil, wrap(err, "classify tasks on %s", containerInstanceARN)
	}
	if err := c.fillStopTimeouts(ctx, tasks); err != nil {
		return nil, wrap(err, "stop timeouts of tasks on %s", containerInstanceARN)
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
		// DescribeServices caches what it learns.
		if _, err := c.DescribeServices(ctx, cluster, missing); err != nil {
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
	for i := range tasks {
		arn := tasks[i].TaskDefinitionARN
		c.mu.Lock()
		d, ok := c.stopTimeouts[arn]
		c.mu.Unlock()
		if !ok {
			var err error
			if d, err = c.stopTimeout(ctx, arn); err != nil {
				return err
			}
		}
		tasks[i].StopTimeout = d
	}
	return nil
}

func (c *Client) stopTimeout(ctx context.Context, taskDefinitionARN string) (time.Duration, error) {
	if taskDefinitionARN == "" {
		return cloud.DefaultStopTimeout, nil
	}
	res, err := c.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(taskDefinitionARN)})
	if err != nil {
		return 0, wrap(err, "describe task definition %s", taskDefinitionARN)
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
