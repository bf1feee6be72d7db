package awsquery_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	asgsdk "github.com/aws/aws-sdk-go-v2/service/autoscaling"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	ec2sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/front/awsquery"
)

// env is a world served by awsquery.Serve on a loopback server, with real
// SDK clients pointed at it.
type env struct {
	w   *emulator.World
	srv *httptest.Server
	asg *asgsdk.Client
	ec2 *ec2sdk.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	w := emulator.New(emulator.Config{Seed: 1})
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		awsquery.Serve(w, "test", rw, r)
	}))
	t.Cleanup(srv.Close)
	cfg := sdkConfig(srv.Client(), aws.NopRetryer{})
	return &env{
		w:   w,
		srv: srv,
		asg: asgsdk.NewFromConfig(cfg, func(o *asgsdk.Options) { o.BaseEndpoint = aws.String(srv.URL) }),
		ec2: ec2sdk.NewFromConfig(cfg, func(o *ec2sdk.Options) { o.BaseEndpoint = aws.String(srv.URL) }),
	}
}

func sdkConfig(hc aws.HTTPClient, r aws.Retryer) aws.Config {
	return aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		HTTPClient:  hc,
		Retryer:     func() aws.Retryer { return r },
	}
}

// ctx is the test's context: a call waits for as long as the test may
// run, never for a wall-clock time a busy machine could exceed.
func ctx(t *testing.T) context.Context { return t.Context() }

// errorCode is the AWS error code the SDK parsed, "" for nil.
func errorCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "not an API error: " + err.Error()
}

const ltName = "web-lt"

const userData = "#!/bin/bash\necho ECS_CLUSTER=web >> /etc/ecs/ecs.config\n"

// template creates launch template ltName over the wire.
func (e *env) template(t *testing.T) *ec2types.LaunchTemplate {
	t.Helper()
	out, err := e.ec2.CreateLaunchTemplate(ctx(t), &ec2sdk.CreateLaunchTemplateInput{
		LaunchTemplateName: aws.String(ltName),
		VersionDescription: aws.String("v1"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{
			ImageId:      aws.String("ami-12345678"),
			InstanceType: ec2types.InstanceTypeM5Large,
			UserData:     aws.String(base64.StdEncoding.EncodeToString([]byte(userData))),
			TagSpecifications: []ec2types.LaunchTemplateTagSpecificationRequest{{
				ResourceType: ec2types.ResourceTypeInstance,
				Tags:         []ec2types.Tag{{Key: aws.String("team"), Value: aws.String("web")}},
			}},
		},
		TagSpecifications: []ec2types.TagSpecification{{
			ResourceType: ec2types.ResourceTypeLaunchTemplate,
			Tags:         []ec2types.Tag{{Key: aws.String("owner"), Value: aws.String("drainer")}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.LaunchTemplate
}

// group creates group name of n instances from ltName over the wire and
// runs the world until they are InService.
func (e *env) group(t *testing.T, name string, n int32) {
	t.Helper()
	_, err := e.asg.CreateAutoScalingGroup(ctx(t), &asgsdk.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String(name),
		LaunchTemplate:       &asgtypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String(ltName), Version: aws.String("$Latest")},
		MinSize:              aws.Int32(0),
		MaxSize:              aws.Int32(n + 2),
		DesiredCapacity:      aws.Int32(n),
		AvailabilityZones:    []string{"us-east-1a", "us-east-1b"},
		Tags: []asgtypes.Tag{{
			Key: aws.String("env"), Value: aws.String("test"), PropagateAtLaunch: aws.Bool(true),
			ResourceId: aws.String(name), ResourceType: aws.String("auto-scaling-group"),
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.w.Clock.RunFor(2 * time.Minute)
}
