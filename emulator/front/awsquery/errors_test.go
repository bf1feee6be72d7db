package awsquery_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	asgsdk "github.com/aws/aws-sdk-go-v2/service/autoscaling"
	ec2sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// TestDocumentedErrorsThroughTheSDK checks that each error the services
// document reaches the SDK as an APIError with its code.
func TestDocumentedErrorsThroughTheSDK(t *testing.T) {
	e := newEnv(t)
	lt := e.template(t)
	e.group(t, "web", 1)
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"group exists", func() error {
			_, err := e.asg.CreateAutoScalingGroup(ctx(t), &asgsdk.CreateAutoScalingGroupInput{
				AutoScalingGroupName: aws.String("web"), MinSize: aws.Int32(0), MaxSize: aws.Int32(1), AvailabilityZones: []string{"us-east-1a"},
				LaunchTemplate: nil, InstanceId: nil,
			})
			return err
		}, "AlreadyExists"},
		{"unknown group", func() error {
			_, err := e.asg.UpdateAutoScalingGroup(ctx(t), &asgsdk.UpdateAutoScalingGroupInput{AutoScalingGroupName: aws.String("nope"), MaxSize: aws.Int32(3)})
			return err
		}, "ValidationError"},
		{"desired above max", func() error {
			_, err := e.asg.SetDesiredCapacity(ctx(t), &asgsdk.SetDesiredCapacityInput{AutoScalingGroupName: aws.String("web"), DesiredCapacity: aws.Int32(99)})
			return err
		}, "ValidationError"},
		{"maxRecords out of range", func() error {
			_, err := e.asg.DescribeAutoScalingGroups(ctx(t), &asgsdk.DescribeAutoScalingGroupsInput{MaxRecords: aws.Int32(1000)})
			return err
		}, "ValidationError"},
		{"heartbeat timeout out of range", func() error {
			_, err := e.asg.PutLifecycleHook(ctx(t), &asgsdk.PutLifecycleHookInput{AutoScalingGroupName: aws.String("web"), LifecycleHookName: aws.String("h"),
				LifecycleTransition: aws.String("autoscaling:EC2_INSTANCE_TERMINATING"), HeartbeatTimeout: aws.Int32(7201)})
			return err
		}, "ValidationError"},
		{"no active lifecycle action", func() error {
			_, err := e.asg.CompleteLifecycleAction(ctx(t), &asgsdk.CompleteLifecycleActionInput{AutoScalingGroupName: aws.String("web"), LifecycleHookName: aws.String("h"),
				LifecycleActionResult: aws.String("CONTINUE"), LifecycleActionToken: aws.String("00000000-0000-0000-0000-000000000000")})
			return err
		}, "ValidationError"},
		{"no refresh to cancel", func() error {
			_, err := e.asg.CancelInstanceRefresh(ctx(t), &asgsdk.CancelInstanceRefreshInput{AutoScalingGroupName: aws.String("web")})
			return err
		}, "ActiveInstanceRefreshNotFound"},
		{"refresh already running", func() error {
			for range 2 {
				if _, err := e.asg.StartInstanceRefresh(ctx(t), &asgsdk.StartInstanceRefreshInput{AutoScalingGroupName: aws.String("web")}); err != nil {
					return err
				}
			}
			return nil
		}, "InstanceRefreshInProgress"},
		{"bad next token", func() error {
			_, err := e.asg.DescribeScalingActivities(ctx(t), &asgsdk.DescribeScalingActivitiesInput{NextToken: aws.String("garbage")})
			return err
		}, "ValidationError"},
		{"template name taken", func() error {
			_, err := e.ec2.CreateLaunchTemplate(ctx(t), &ec2sdk.CreateLaunchTemplateInput{LaunchTemplateName: aws.String(ltName),
				LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String("ami-1")}})
			return err
		}, "InvalidLaunchTemplateName.AlreadyExistsException"},
		{"template id unknown", func() error {
			_, err := e.ec2.DescribeLaunchTemplates(ctx(t), &ec2sdk.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{"lt-0123456789abcdef0"}})
			return err
		}, "InvalidLaunchTemplateId.NotFound"},
		{"version unknown", func() error {
			_, err := e.ec2.DescribeLaunchTemplateVersions(ctx(t), &ec2sdk.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: lt.LaunchTemplateId, Versions: []string{"9"}})
			return err
		}, "InvalidLaunchTemplateId.VersionNotFound"},
		{"bad user data", func() error {
			_, err := e.ec2.CreateLaunchTemplateVersion(ctx(t), &ec2sdk.CreateLaunchTemplateVersionInput{LaunchTemplateId: lt.LaunchTemplateId,
				LaunchTemplateData: &ec2types.RequestLaunchTemplateData{UserData: aws.String("%%% not base64")}})
			return err
		}, "InvalidUserData.Malformed"},
		{"instance id malformed", func() error {
			_, err := e.ec2.DescribeInstances(ctx(t), &ec2sdk.DescribeInstancesInput{InstanceIds: []string{"x-1"}})
			return err
		}, "InvalidInstanceID.Malformed"},
		{"instance unknown", func() error {
			_, err := e.ec2.TerminateInstances(ctx(t), &ec2sdk.TerminateInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
			return err
		}, "InvalidInstanceID.NotFound"},
		{"ids with maxResults", func() error {
			_, err := e.ec2.DescribeInstances(ctx(t), &ec2sdk.DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}, MaxResults: aws.Int32(5)})
			return err
		}, "InvalidParameterCombination"},
		{"bad filter", func() error {
			_, err := e.ec2.DescribeInstances(ctx(t), &ec2sdk.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: aws.String("no-such-filter"), Values: []string{"x"}}}})
			return err
		}, "InvalidParameterValue"},
		{"bad pagination token", func() error {
			_, err := e.ec2.DescribeNetworkInterfaces(ctx(t), &ec2sdk.DescribeNetworkInterfacesInput{NextToken: aws.String("garbage")})
			return err
		}, "InvalidPaginationToken"},
		{"interface unknown", func() error {
			_, err := e.ec2.DeleteNetworkInterface(ctx(t), &ec2sdk.DeleteNetworkInterfaceInput{NetworkInterfaceId: aws.String("eni-0123456789abcdef0")})
			return err
		}, "InvalidNetworkInterfaceID.NotFound"},
		{"interface malformed", func() error {
			_, err := e.ec2.DescribeNetworkInterfaces(ctx(t), &ec2sdk.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{"nic-1"}})
			return err
		}, "InvalidNetworkInterfaceID.Malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errorCode(tt.call()); got != tt.code {
				t.Fatalf("error code %q, want %q", got, tt.code)
			}
		})
	}
}

// queryError is either error document: awsQuery's ErrorResponse or
// ec2Query's Response.
type queryError struct {
	XMLName   xml.Name
	Type      string `xml:"Error>Type"`
	Code      string `xml:"Error>Code"`
	Message   string `xml:"Error>Message"`
	RequestID string `xml:"RequestId"`
	EC2Code   string `xml:"Errors>Error>Code"`
	EC2ID     string `xml:"RequestID"`
}

// post sends a raw form to the server and returns the status and body.
func post(t *testing.T, e *env, path string, form url.Values) (int, []byte) {
	t.Helper()
	resp, err := http.Post(e.srv.URL+path, "application/x-www-form-urlencoded; charset=utf-8", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/xml" {
		t.Errorf("Content-Type %q", ct)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// TestRequestsTheSDKWouldRefuse sends forms no SDK sends (it validates
// first) and checks the service's own answers.
func TestRequestsTheSDKWouldRefuse(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		form   string
		status int
		root   string
		code   string
	}{
		{"no action", "Version=2011-01-01", 400, "ErrorResponse", "MissingAction"},
		{"no action nor version", "", 400, "ErrorResponse", "MissingAction"},
		{"unknown action", "Action=LaunchRockets&Version=2011-01-01", 400, "ErrorResponse", "InvalidAction"},
		{"unknown version", "Action=DescribeAutoScalingGroups&Version=2099-01-01", 400, "ErrorResponse", "InvalidAction"},
		{"unknown ec2 action", "Action=StopInstances&Version=2016-11-15", 400, "Response", "InvalidAction"},
		{"asg: missing group name", "Action=CreateAutoScalingGroup&Version=2011-01-01&MinSize=0&MaxSize=1", 400, "ErrorResponse", "ValidationError"},
		{"asg: min size not a number", "Action=CreateAutoScalingGroup&Version=2011-01-01&AutoScalingGroupName=g&MinSize=one&MaxSize=1", 400, "ErrorResponse", "ValidationError"},
		{"asg: boolean not true/false", "Action=SetInstanceProtection&Version=2011-01-01&AutoScalingGroupName=g&InstanceIds.member.1=i-1&ProtectedFromScaleIn=yes", 400, "ErrorResponse", "ValidationError"},
		{"ec2: missing interface id", "Action=DeleteNetworkInterface&Version=2016-11-15", 400, "Response", "MissingParameter"},
		{"ec2: maxResults not a number", "Action=DescribeInstances&Version=2016-11-15&MaxResults=lots", 400, "Response", "InvalidParameterValue"},
		{"ec2: no instances to terminate", "Action=TerminateInstances&Version=2016-11-15", 400, "Response", "InvalidParameterCombination"},
		{"sqs: missing queue url", "Action=SendMessage&Version=2012-11-05&MessageBody=x", 400, "ErrorResponse", "MissingParameter"},
		{"sqs: unknown queue", "Action=GetQueueUrl&Version=2012-11-05&QueueName=nope", 400, "ErrorResponse", "AWS.SimpleQueueService.NonExistentQueue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form, err := url.ParseQuery(tt.form)
			if err != nil {
				t.Fatal(err)
			}
			status, body := post(t, e, "/", form)
			var qe queryError
			if err := xml.Unmarshal(body, &qe); err != nil {
				t.Fatalf("%v in %s", err, body)
			}
			code, id := qe.Code, qe.RequestID
			if qe.XMLName.Local == "Response" {
				code, id = qe.EC2Code, qe.EC2ID
			} else if want := map[bool]string{true: "Sender", false: "Receiver"}[status < 500]; qe.Type != want {
				t.Errorf("Type %q, want %q", qe.Type, want)
			}
			if status != tt.status || qe.XMLName.Local != tt.root || code != tt.code || id == "" {
				t.Fatalf("status %d root %s code %s id %q, want %d %s %s: %s", status, qe.XMLName.Local, code, id, tt.status, tt.root, tt.code, body)
			}
		})
	}
}
