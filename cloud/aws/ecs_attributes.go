package aws

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/drainer-dev/drainer/cloud"
)

// PutAttributes implements cloud.ECS. Attributes are checked against ECS's
// rules first, so a bad value fails before any of them is written, then
// written ten per call in name order.
func (c *Client) PutAttributes(ctx context.Context, cluster, containerInstanceARN string, attrs map[string]string) error {
	names := make([]string, 0, len(attrs))
	for name, value := range attrs {
		if err := cloud.ValidateAttribute(name, value); err != nil {
			return wrap(err, "put attributes on %s", containerInstanceARN)
		}
		names = append(names, name)
	}
	slices.Sort(names)
	for _, batch := range chunks(names, maxAttributesPerCall) {
		list := make([]ecstypes.Attribute, 0, len(batch))
		for _, name := range batch {
			list = append(list, ecsAttribute(containerInstanceARN, name, attrs[name]))
		}
		if _, err := c.ecs.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String(cluster), Attributes: list}); err != nil {
			return wrap(err, "put attributes on %s", containerInstanceARN)
		}
	}
	return nil
}

// DeleteAttributes implements cloud.ECS.
func (c *Client) DeleteAttributes(ctx context.Context, cluster, containerInstanceARN string, names []string) error {
	for _, batch := range chunks(dedup(names), maxAttributesPerCall) {
		list := make([]ecstypes.Attribute, 0, len(batch))
		for _, name := range batch {
			list = append(list, ecsAttribute(containerInstanceARN, name, ""))
		}
		if _, err := c.ecs.DeleteAttributes(ctx, &ecs.DeleteAttributesInput{Cluster: aws.String(cluster), Attributes: list}); err != nil {
			return wrap(err, "delete attributes from %s", containerInstanceARN)
		}
	}
	return nil
}

// ListAttributeTargets implements cloud.ECS.
func (c *Client) ListAttributeTargets(ctx context.Context, cluster, name string) ([]cloud.AttributeTarget, error) {
	var out []cloud.AttributeTarget
	p := ecs.NewListAttributesPaginator(c.ecs, &ecs.ListAttributesInput{
		Cluster: aws.String(cluster), TargetType: ecstypes.TargetTypeContainerInstance,
		AttributeName: aws.String(name), MaxResults: aws.Int32(100),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap(err, "list container instances of %s with attribute %s", cluster, name)
		}
		for _, a := range page.Attributes {
			out = append(out, cloud.AttributeTarget{
				ContainerInstanceARN: aws.ToString(a.TargetId),
				Name:                 aws.ToString(a.Name),
				Value:                aws.ToString(a.Value),
			})
		}
	}
	return out, nil
}

// ecsAttribute builds a container-instance attribute; an empty value is
// sent as no value, which is how ECS stores a bare attribute.
func ecsAttribute(target, name, value string) ecstypes.Attribute {
	a := ecstypes.Attribute{Name: aws.String(name), TargetId: aws.String(target), TargetType: ecstypes.TargetTypeContainerInstance}
	if value != "" {
		a.Value = aws.String(value)
	}
	return a
}
