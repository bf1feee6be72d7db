package aws

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/cloud"
)

// DescribeInstances implements cloud.EC2: the ids go into shared calls
// selecting up to 200 instances by the instance-id filter (EC2 takes at
// most maxEC2FilterValues filter values a call), so that one caller's
// unknown id fails only that caller, with InvalidInstanceID.NotFound as
// EC2 answers it by id.
func (c *Client) DescribeInstances(ctx context.Context, ids []string) ([]cloud.Instance, error) {
	want := dedup(ids)
	for _, id := range want {
		if err := awsid.CheckInstanceID(id); err != nil {
			return nil, fmt.Errorf("describe EC2 instances: %w", err)
		}
	}
	res, err := c.instances.Do(ctx, struct{}{}, want)
	if err != nil {
		return nil, wrap(err, "describe EC2 instances")
	}
	out := make([]cloud.Instance, 0, len(res))
	var missing []string
	for _, id := range want {
		if in, ok := res[id]; ok {
			out = append(out, in)
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return out, wrap(instancesNotFound(missing), "describe EC2 instances")
	}
	return out, nil
}

// TerminateInstances implements cloud.EC2.
func (c *Client) TerminateInstances(ctx context.Context, ids []string) error {
	for _, batch := range chunks(dedup(ids), maxEC2IDs) {
		if _, err := c.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: batch}); err != nil {
			return wrap(err, "terminate EC2 instances %v", batch)
		}
	}
	return nil
}

// AvailableNetworkInterfaces implements cloud.EC2. Ids go in the
// network-interface-id filter rather than NetworkInterfaceIds: EC2 fails a
// whole DescribeNetworkInterfaces with InvalidNetworkInterfaceID.NotFound
// when one named interface is gone (as ECS deletes a stopped awsvpc task's
// interface), while a filter just matches fewer. EC2 takes at most
// maxEC2FilterValues filter values per call, all filters together.
func (c *Client) AvailableNetworkInterfaces(ctx context.Context, q cloud.NetworkInterfaceQuery) ([]cloud.NetworkInterface, error) {
	filters := []ec2types.Filter{{Name: aws.String("status"), Values: []string{"available"}}}
	names := make([]string, 0, len(q.Filters))
	for name := range q.Filters {
		names = append(names, name)
	}
	slices.Sort(names) // a stable request, whatever the map order
	values := 1
	for _, name := range names {
		if name != "status" && name != "network-interface-id" {
			filters = append(filters, ec2types.Filter{Name: aws.String(name), Values: q.Filters[name]})
			values += len(q.Filters[name])
		}
	}
	batches := chunks(dedup(append(slices.Clone(q.IDs), q.Filters["network-interface-id"]...)), max(1, maxEC2FilterValues-values))
	if len(batches) == 0 {
		batches = [][]string{nil}
	}
	var out []cloud.NetworkInterface
	for _, batch := range batches {
		in := &ec2.DescribeNetworkInterfacesInput{Filters: filters, MaxResults: aws.Int32(1000)}
		if len(batch) > 0 {
			in.Filters = append(slices.Clip(filters), ec2types.Filter{Name: aws.String("network-interface-id"), Values: batch})
		}
		p := ec2.NewDescribeNetworkInterfacesPaginator(c.ec2, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, wrap(err, "describe available network interfaces")
			}
			for _, n := range page.NetworkInterfaces {
				out = append(out, networkInterfaceFrom(n))
			}
		}
	}
	return out, nil
}

// DeleteNetworkInterface implements cloud.EC2.
func (c *Client) DeleteNetworkInterface(ctx context.Context, id string) error {
	_, err := c.ec2.DeleteNetworkInterface(ctx, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: aws.String(id)})
	return wrap(err, "delete network interface %s", id)
}

func instanceFrom(i ec2types.Instance) cloud.Instance {
	out := cloud.Instance{
		ID:           aws.ToString(i.InstanceId),
		InstanceType: string(i.InstanceType),
		LaunchTime:   aws.ToTime(i.LaunchTime),
		Spot:         i.InstanceLifecycle == ec2types.InstanceLifecycleTypeSpot,
		Tags:         ec2Tags(i.Tags),
	}
	if i.State != nil {
		out.State = string(i.State.Name)
	}
	if i.Placement != nil {
		out.AvailabilityZone = aws.ToString(i.Placement.AvailabilityZone)
	}
	return out
}

func networkInterfaceFrom(n ec2types.NetworkInterface) cloud.NetworkInterface {
	return cloud.NetworkInterface{
		ID:               aws.ToString(n.NetworkInterfaceId),
		Status:           string(n.Status),
		Description:      aws.ToString(n.Description),
		AvailabilityZone: aws.ToString(n.AvailabilityZone),
		InterfaceType:    string(n.InterfaceType),
		Tags:             ec2Tags(n.TagSet),
	}
}

func ec2Tags(tags []ec2types.Tag) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}

// UserData implements cloud.EC2: one DescribeInstanceAttribute of
// userData, which EC2 answers base64-encoded (Amazon EC2 API Reference,
// DescribeInstanceAttribute: "userData").
func (c *Client) UserData(ctx context.Context, instanceID string) (string, error) {
	if err := awsid.CheckInstanceID(instanceID); err != nil {
		return "", fmt.Errorf("user data: %w", err)
	}
	res, err := c.ec2.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{
		InstanceId: aws.String(instanceID), Attribute: ec2types.InstanceAttributeNameUserData,
	})
	if err != nil {
		return "", wrap(err, "user data of %s", instanceID)
	}
	if res.UserData == nil || res.UserData.Value == nil {
		return "", nil
	}
	b, err := base64.StdEncoding.DecodeString(*res.UserData.Value)
	if err != nil {
		return "", fmt.Errorf("user data of %s: not base64: %w", instanceID, err)
	}
	return string(b), nil
}
