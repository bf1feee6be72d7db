package aws

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/drainer-dev/drainer/cloud"
)

// ListClusters implements cloud.ECS.
func (c *Client) ListClusters(ctx context.Context) ([]string, error) {
	now := c.opts.Clock.Now()
	c.mu.Lock()
	if c.clusters != nil && now.Sub(c.clustersAt) < clustersFor {
		arns := slices.Clone(c.clusters)
		c.mu.Unlock()
		return arns, nil
	}
	c.mu.Unlock()
	arns := []string{}
	p := ecs.NewListClustersPaginator(c.ecs, &ecs.ListClustersInput{MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap(err, "list clusters")
		}
		arns = append(arns, page.ClusterArns...)
	}
	c.mu.Lock()
	c.clusters, c.clustersAt = slices.Clone(arns), now
	c.mu.Unlock()
	return arns, nil
}

// FindContainerInstance implements cloud.ECS.
func (c *Client) FindContainerInstance(ctx context.Context, cluster, ec2InstanceID string) (cloud.ContainerInstance, error) {
	clusters := []string{cluster}
	if cluster == "" {
		var err error
		if clusters, err = c.ListClusters(ctx); err != nil {
			return cloud.ContainerInstance{}, fmt.Errorf("find container instance of %s: %w", ec2InstanceID, err)
		}
	}
	for _, cl := range clusters {
		arns, err := c.listContainerInstanceARNs(ctx, cl, "ec2InstanceId == "+ec2InstanceID, "")
		if errors.Is(err, cloud.ErrNotFound) && cluster == "" {
			continue // deleted between the listing and now
		}
		if err != nil {
			return cloud.ContainerInstance{}, fmt.Errorf("find container instance of %s: %w", ec2InstanceID, err)
		}
		if len(arns) == 0 {
			continue
		}
		cis, err := c.DescribeContainerInstances(ctx, cl, arns)
		if err != nil {
			return cloud.ContainerInstance{}, fmt.Errorf("find container instance of %s: %w", ec2InstanceID, err)
		}
		for _, ci := range cis {
			if ci.EC2InstanceID == ec2InstanceID {
				return ci, nil
			}
		}
	}
	where := "cluster " + cluster
	if cluster == "" {
		where = "any cluster"
	}
	return cloud.ContainerInstance{}, fmt.Errorf("container instance of %s in %s: %w", ec2InstanceID, where, cloud.ErrNotFound)
}

// ListContainerInstances implements cloud.ECS. Status "" lists every
// status but INACTIVE (ECS's default; INACTIVE ones are deregistered).
func (c *Client) ListContainerInstances(ctx context.Context, cluster string, status cloud.ContainerInstanceStatus) ([]cloud.ContainerInstance, error) {
	arns, err := c.listContainerInstanceARNs(ctx, cluster, "", status)
	if err != nil {
		return nil, err
	}
	return c.DescribeContainerInstances(ctx, cluster, arns)
}

// ListContainerInstancesPage implements cloud.ECS: one
// ListContainerInstances call of up to 100 ARNs from token, then their
// description in one DescribeContainerInstances (the cluster's shared
// calls of up to a hundred). ListContainerInstances, Amazon ECS API
// Reference: "maxResults … can be between 1 and 100"; "nextToken … This
// value is null when there are no more results to return"
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListContainerInstances.html).
func (c *Client) ListContainerInstancesPage(ctx context.Context, cluster string, status cloud.ContainerInstanceStatus, token string) ([]cloud.ContainerInstance, string, error) {
	in := &ecs.ListContainerInstancesInput{Cluster: aws.String(cluster), MaxResults: aws.Int32(100)}
	if status != "" {
		in.Status = ecstypes.ContainerInstanceStatus(status)
	}
	if token != "" {
		in.NextToken = aws.String(token)
	}
	out, err := c.ecs.ListContainerInstances(ctx, in)
	if err != nil {
		return nil, "", wrap(err, "list container instances of %s", cluster)
	}
	next := aws.ToString(out.NextToken)
	if len(out.ContainerInstanceArns) == 0 {
		return []cloud.ContainerInstance{}, next, nil
	}
	cis, err := c.DescribeContainerInstances(ctx, cluster, out.ContainerInstanceArns)
	if err != nil {
		return nil, "", err // "describe container instances of …"
	}
	return cis, next, nil
}

func (c *Client) listContainerInstanceARNs(ctx context.Context, cluster, filter string, status cloud.ContainerInstanceStatus) ([]string, error) {
	in := &ecs.ListContainerInstancesInput{Cluster: aws.String(cluster), MaxResults: aws.Int32(100)}
	if filter != "" {
		in.Filter = aws.String(filter)
	}
	if status != "" {
		in.Status = ecstypes.ContainerInstanceStatus(status)
	}
	var arns []string
	p := ecs.NewListContainerInstancesPaginator(c.ecs, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap(err, "list container instances of %s", cluster)
		}
		arns = append(arns, page.ContainerInstanceArns...)
	}
	return arns, nil
}

// DescribeContainerInstances implements cloud.ECS: the container
// instances go into the cluster's shared calls of up to a hundred.
func (c *Client) DescribeContainerInstances(ctx context.Context, cluster string, arns []string) ([]cloud.ContainerInstance, error) {
	want := dedup(arns)
	res, err := c.containerInstances.Do(ctx, cluster, want)
	if err != nil {
		return nil, wrap(err, "describe container instances of %s", cluster)
	}
	return inOrder(want, res, func(ci cloud.ContainerInstance) string { return ci.ARN }), nil
}

// DrainContainerInstances implements cloud.ECS: the container instances go
// into the cluster's shared calls of ten.
func (c *Client) DrainContainerInstances(ctx context.Context, cluster string, arns []string) ([]cloud.Failure, error) {
	want := dedup(arns)
	res, err := c.drains.Do(ctx, cluster, want)
	failures := make([]cloud.Failure, 0, len(res))
	for _, a := range want {
		if f, ok := res[a]; ok {
			failures = append(failures, f)
		}
	}
	if err != nil {
		return failures, wrap(err, "set container instances of %s DRAINING", cluster)
	}
	return failures, nil
}

// DeregisterContainerInstance implements cloud.ECS.
func (c *Client) DeregisterContainerInstance(ctx context.Context, cluster, containerInstanceARN string, force bool) error {
	_, err := c.ecs.DeregisterContainerInstance(ctx, &ecs.DeregisterContainerInstanceInput{
		Cluster: aws.String(cluster), ContainerInstance: aws.String(containerInstanceARN), Force: aws.Bool(force),
	})
	return wrap(err, "deregister container instance %s", containerInstanceARN)
}

func ecsFailures(fs []ecstypes.Failure) []cloud.Failure {
	out := make([]cloud.Failure, 0, len(fs))
	for _, f := range fs {
		out = append(out, cloud.Failure{ID: aws.ToString(f.Arn), Code: aws.ToString(f.Reason), Message: aws.ToString(f.Detail)})
	}
	return out
}
