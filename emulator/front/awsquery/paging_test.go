package awsquery_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	asgsdk "github.com/aws/aws-sdk-go-v2/service/autoscaling"
	ec2sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"

	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/fault"
)

// TestPaginators walks every paginated describe with the SDK's own
// paginators, several pages each, and checks the union is what the library
// holds.
func TestPaginators(t *testing.T) {
	e := newEnv(t)
	e.template(t)
	e.group(t, "a", 7)
	e.group(t, "b", 0)
	e.group(t, "c", 0)
	var instances []string
	for _, r := range lib(e.w, e.w.EC2.DescribeInstances, ec2.DescribeInstancesInput{}).Reservations {
		for _, in := range r.Instances {
			instances = append(instances, in.InstanceId)
			e.attachENI(t, in.InstanceId)
		}
	}

	tests := []struct {
		name      string
		walk      func(ctx context.Context) (items, pages int, err error)
		wantItems int
	}{
		{"DescribeAutoScalingGroups", func(ctx context.Context) (int, int, error) {
			p := asgsdk.NewDescribeAutoScalingGroupsPaginator(e.asg, &asgsdk.DescribeAutoScalingGroupsInput{MaxRecords: aws.Int32(1)})
			return walk(ctx, p.HasMorePages, func(ctx context.Context) (int, error) {
				out, err := p.NextPage(ctx)
				if err != nil {
					return 0, err
				}
				return len(out.AutoScalingGroups), nil
			})
		}, 3},
		{"DescribeScalingActivities", func(ctx context.Context) (int, int, error) {
			p := asgsdk.NewDescribeScalingActivitiesPaginator(e.asg, &asgsdk.DescribeScalingActivitiesInput{AutoScalingGroupName: aws.String("a"), MaxRecords: aws.Int32(2)})
			return walk(ctx, p.HasMorePages, func(ctx context.Context) (int, error) {
				out, err := p.NextPage(ctx)
				if err != nil {
					return 0, err
				}
				return len(out.Activities), nil
			})
		}, len(lib(e.w, e.w.AutoScaling.DescribeScalingActivities, autoscaling.DescribeScalingActivitiesInput{AutoScalingGroupName: "a"}).Activities)},
		{"DescribeInstances", func(ctx context.Context) (int, int, error) {
			p := ec2sdk.NewDescribeInstancesPaginator(e.ec2, &ec2sdk.DescribeInstancesInput{MaxResults: aws.Int32(5)})
			return walk(ctx, p.HasMorePages, func(ctx context.Context) (int, error) {
				out, err := p.NextPage(ctx)
				if err != nil {
					return 0, err
				}
				n := 0
				for _, r := range out.Reservations {
					n += len(r.Instances)
				}
				return n, nil
			})
		}, len(instances)},
		{"DescribeNetworkInterfaces", func(ctx context.Context) (int, int, error) {
			p := ec2sdk.NewDescribeNetworkInterfacesPaginator(e.ec2, &ec2sdk.DescribeNetworkInterfacesInput{MaxResults: aws.Int32(5)})
			return walk(ctx, p.HasMorePages, func(ctx context.Context) (int, error) {
				out, err := p.NextPage(ctx)
				if err != nil {
					return 0, err
				}
				return len(out.NetworkInterfaces), nil
			})
		}, len(instances)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, pages, err := tt.walk(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			if items != tt.wantItems || pages < 2 {
				t.Fatalf("%d items in %d pages, want %d items in several pages", items, pages, tt.wantItems)
			}
		})
	}
}

func walk(ctx context.Context, more func() bool, next func(context.Context) (int, error)) (items, pages int, err error) {
	for more() {
		n, err := next(ctx)
		if err != nil {
			return items, pages, err
		}
		items += n
		pages++
	}
	return items, pages, nil
}

// TestThrottlingIsRetried throttles one operation of each service to one
// call a second (virtual time) and checks that the throttled answer carries
// each service's own code and is one the SDK's retryer retries as a
// throttle, and that a token has come back a virtual second later. The
// retry loop itself is the client's (cloud/aws tests it on virtual time).
func TestThrottlingIsRetried(t *testing.T) {
	e := newEnv(t)
	e.template(t)
	tests := []struct {
		service, op, code string
		call              func(context.Context) error
	}{
		{"autoscaling", "DescribeAutoScalingGroups", "Throttling", func(ctx context.Context) error {
			_, err := e.asg.DescribeAutoScalingGroups(ctx, &asgsdk.DescribeAutoScalingGroupsInput{})
			return err
		}},
		{"ec2", "DescribeInstances", "RequestLimitExceeded", func(ctx context.Context) error {
			_, err := e.ec2.DescribeInstances(ctx, &ec2sdk.DescribeInstancesInput{})
			return err
		}},
	}
	throttle := retry.IsErrorThrottles(retry.DefaultThrottles)
	retryable := retry.IsErrorRetryables(retry.DefaultRetryables)
	for _, tt := range tests {
		t.Run(tt.service, func(t *testing.T) {
			var err error
			e.w.Do(func() { err = e.w.Faults.Set(fault.Rule{Service: tt.service, Operation: tt.op, Rate: 1, Burst: 1}) })
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.call(ctx(t)); err != nil {
				t.Fatalf("first call (the burst): %v", err)
			}
			err = tt.call(ctx(t))
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tt.code {
				t.Fatalf("second call at the same instant: %v, want %s", err, tt.code)
			}
			if throttle.IsErrorThrottle(err) != aws.TrueTernary || retryable.IsErrorRetryable(err) != aws.TrueTernary {
				t.Fatalf("the SDK does not retry %s as a throttle", tt.code)
			}
			e.w.Clock.RunFor(time.Second)
			if err := tt.call(ctx(t)); err != nil {
				t.Fatalf("a virtual second later: %v", err)
			}
			var throttled, ok int
			e.w.Do(func() {
				throttled = e.w.Calls.Count(tt.service, tt.op, tt.code)
				ok = e.w.Calls.Count(tt.service, tt.op, "OK")
			})
			if ok != 2 || throttled != 1 {
				t.Fatalf("call log: %d OK, %d %s; want 2 OK and 1 throttled", ok, throttled, tt.code)
			}
		})
	}
}
