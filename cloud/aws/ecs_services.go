package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/drainer-dev/drainer/cloud"
)

// DescribeServices implements cloud.ECS. It also remembers each service's
// scheduling strategy for task classification.
func (c *Client) DescribeServices(ctx context.Context, cluster string, services []string) ([]cloud.Service, error) {
	var out []cloud.Service
	for _, batch := range chunks(dedup(services), maxDescribeServices) {
		svcs, err := c.describeServices(ctx, cluster, batch)
		if err != nil {
			return nil, wrap(err, "describe services of %s", cluster)
		}
		out = append(out, svcs...)
	}
	return out, nil
}

// describeServices is one DescribeServices call of up to ten services; it
// caches their scheduling strategies.
func (c *Client) describeServices(ctx context.Context, cluster string, names []string) ([]cloud.Service, error) {
	res, err := c.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: names})
	if err != nil {
		return nil, err
	}
	out := make([]cloud.Service, 0, len(res.Services))
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range res.Services {
		svc := serviceFrom(s)
		c.daemons[serviceKey(svc.ClusterARN, svc.Name)] = svc.Daemon
		out = append(out, svc)
	}
	return out, nil
}

// CapacityProviders implements cloud.ECS: the cluster's providers by name,
// then their Auto Scaling settings (Fargate providers have none and are
// left out).
func (c *Client) CapacityProviders(ctx context.Context, cluster string) ([]cloud.CapacityProvider, error) {
	res, err := c.ecs.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{cluster}})
	if err != nil {
		return nil, wrap(err, "describe cluster %s", cluster)
	}
	if len(res.Clusters) == 0 {
		return nil, fmt.Errorf("describe cluster %s: %w", cluster, cloud.ErrNotFound)
	}
	var out []cloud.CapacityProvider
	for _, batch := range chunks(res.Clusters[0].CapacityProviders, maxCapacityProviders) {
		in := &ecs.DescribeCapacityProvidersInput{CapacityProviders: batch}
		for {
			page, err := c.ecs.DescribeCapacityProviders(ctx, in)
			if err != nil {
				return nil, wrap(err, "describe capacity providers of %s", cluster)
			}
			for _, cp := range page.CapacityProviders {
				asg := cp.AutoScalingGroupProvider
				if asg == nil {
					continue
				}
				out = append(out, cloud.CapacityProvider{
					Name:                         aws.ToString(cp.Name),
					ARN:                          aws.ToString(cp.CapacityProviderArn),
					AutoScalingGroupARN:          aws.ToString(asg.AutoScalingGroupArn),
					ManagedTerminationProtection: asg.ManagedTerminationProtection == "ENABLED",
					ManagedDraining:              asg.ManagedDraining == "ENABLED",
				})
			}
			if aws.ToString(page.NextToken) == "" {
				break
			}
			in.NextToken = page.NextToken
		}
	}
	return out, nil
}
