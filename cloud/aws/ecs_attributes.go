package aws

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/drainer-dev/drainer/cloud"
)

// PutAttributes implements cloud.ECS. Attributes are checked against ECS's
// rules first, so a bad value fails before any of them is written. A set
// of at most two (a drain's record) goes into a call shared with other
// container instances' sets asked for at the same time, five sets a call
// (ECS takes ten attributes a call, each naming its own target: API
// reference, PutAttributes); a larger set is written ten per call in name
// order.
func (c *Client) PutAttributes(ctx context.Context, cluster, containerInstanceARN string, attrs map[string]string) error {
	names := make([]string, 0, len(attrs))
	for name, value := range attrs {
		if err := cloud.ValidateAttribute(name, value); err != nil {
			return wrap(err, "put attributes on %s", containerInstanceARN)
		}
		names = append(names, name)
	}
	slices.Sort(names)
	if len(names) > 0 && len(names) <= maxAttributesPerSet {
		it := attributeSet{target: containerInstanceARN}
		for _, name := range names {
			it.pairs += name + "\x00" + attrs[name] + "\x00"
		}
		res, err := c.attributes.Do(ctx, cluster, []attributeSet{it})
		if err == nil {
			err = res[it]
		}
		return wrap(err, "put attributes on %s", containerInstanceARN)
	}
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

// maxAttributesPerSet is the largest set of attributes PutAttributes
// shares a call with others: five sets fill a call of ten.
const maxAttributesPerSet = 2

// attributeSet is the attributes one PutAttributes caller writes on one
// target, as a batch item: pairs is name, NUL, value, NUL, … in name order.
type attributeSet struct {
	target, pairs string
}

func (a attributeSet) attributes() []ecstypes.Attribute {
	var out []ecstypes.Attribute
	parts := strings.Split(strings.TrimSuffix(a.pairs, "\x00"), "\x00")
	for i := 0; i+1 < len(parts); i += 2 {
		out = append(out, ecsAttribute(a.target, parts[i], parts[i+1]))
	}
	return out
}

// putAttributeSets is one PutAttributes call carrying sets, each answered
// with nil. When ECS refuses the call (one target at its limit of ten
// attributes, or gone), each set is written alone, so that only its own
// refusal reaches each caller.
func (c *Client) putAttributeSets(ctx context.Context, cluster string, sets []attributeSet) (map[attributeSet]error, error) {
	var list []ecstypes.Attribute
	for _, a := range sets {
		list = append(list, a.attributes()...)
	}
	out := make(map[attributeSet]error, len(sets))
	_, err := c.ecs.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String(cluster), Attributes: list})
	if err == nil || len(sets) == 1 {
		for _, a := range sets {
			out[a] = err
		}
		return out, nil
	}
	for _, a := range sets {
		_, err := c.ecs.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String(cluster), Attributes: a.attributes()})
		out[a] = err
	}
	return out, nil
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
