package awsquery_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/front/awsquery"
)

// seedForms are requests as the SDKs and botocore serialize them.
var seedForms = []string{
	"Action=DescribeAutoScalingGroups&Version=2011-01-01&AutoScalingGroupNames.member.1=web&MaxRecords=10",
	"Action=DescribeAutoScalingGroups&Version=2011-01-01&Filters.member.1.Name=tag%3Aenv&Filters.member.1.Values.member.1=test&IncludeInstances=true",
	"Action=CreateAutoScalingGroup&Version=2011-01-01&AutoScalingGroupName=web&LaunchTemplate.LaunchTemplateName=web-lt&LaunchTemplate.Version=%24Latest&MinSize=0&MaxSize=3&DesiredCapacity=1&AvailabilityZones.member.1=us-east-1a&AvailabilityZones.member.2=us-east-1b&Tags.member.1.Key=env&Tags.member.1.Value=test&Tags.member.1.PropagateAtLaunch=true&LifecycleHookSpecificationList.member.1.LifecycleHookName=drain&LifecycleHookSpecificationList.member.1.LifecycleTransition=autoscaling%3AEC2_INSTANCE_TERMINATING&LifecycleHookSpecificationList.member.1.HeartbeatTimeout=300",
	"Action=CreateAutoScalingGroup&Version=2011-01-01&AutoScalingGroupName=mixed&MinSize=0&MaxSize=3&VPCZoneIdentifier=subnet-1&MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateName=web-lt&MixedInstancesPolicy.LaunchTemplate.Overrides.member.1.InstanceType=m5.large&MixedInstancesPolicy.InstancesDistribution.OnDemandBaseCapacity=1&MixedInstancesPolicy.InstancesDistribution.OnDemandPercentageAboveBaseCapacity=0",
	"Action=SetDesiredCapacity&Version=2011-01-01&AutoScalingGroupName=web&DesiredCapacity=2&HonorCooldown=false",
	"Action=CompleteLifecycleAction&Version=2011-01-01&AutoScalingGroupName=web&LifecycleHookName=drain&InstanceId=i-0123456789abcdef0&LifecycleActionResult=CONTINUE",
	"Action=StartInstanceRefresh&Version=2011-01-01&AutoScalingGroupName=web&Preferences.MinHealthyPercentage=90&Preferences.SkipMatching=true&Strategy=Rolling",
	"Action=DescribeScalingActivities&Version=2011-01-01&AutoScalingGroupName=web&MaxRecords=2&NextToken=2",
	"Action=PutNotificationConfiguration&Version=2011-01-01&AutoScalingGroupName=web&TopicARN=arn%3Aaws%3Asqs%3Aus-east-1%3A123456789012%3Aq&NotificationTypes.member.1=autoscaling%3AEC2_INSTANCE_LAUNCH",
	"Action=CreateLaunchTemplate&Version=2016-11-15&LaunchTemplateName=web-lt&LaunchTemplateData.ImageId=ami-1&LaunchTemplateData.InstanceType=m5.large&LaunchTemplateData.UserData=RUNTX0NMVVNURVI9d2Vi&LaunchTemplateData.TagSpecification.1.ResourceType=instance&LaunchTemplateData.TagSpecification.1.Tag.1.Key=a&LaunchTemplateData.TagSpecification.1.Tag.1.Value=b&TagSpecification.1.ResourceType=launch-template&TagSpecification.1.Tag.1.Key=k&TagSpecification.1.Tag.1.Value=v",
	"Action=CreateLaunchTemplateVersion&Version=2016-11-15&LaunchTemplateName=web-lt&SourceVersion=1&LaunchTemplateData.InstanceMarketOptions.MarketType=spot",
	"Action=DescribeLaunchTemplateVersions&Version=2016-11-15&LaunchTemplateName=web-lt&LaunchTemplateVersion.1=%24Latest&LaunchTemplateVersion.2=1",
	"Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3Aaws%3Aautoscaling%3AgroupName&Filter.1.Value.1=web&Filter.2.Name=instance-state-name&Filter.2.Value.1=running&MaxResults=5",
	"Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-0123456789abcdef0&InstanceId.2=i-1",
	"Action=TerminateInstances&Version=2016-11-15&InstanceId.1=i-0123456789abcdef0",
	"Action=DescribeNetworkInterfaces&Version=2016-11-15&Filter.1.Name=status&Filter.1.Value.1=available&MaxResults=5&NextToken=x",
	"Action=DeleteNetworkInterface&Version=2016-11-15&NetworkInterfaceId=eni-0123456789abcdef0",
	"Action=CreateQueue&Version=2012-11-05&QueueName=q&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=30&Tag.1.Key=a&Tag.1.Value=b",
	"Action=SendMessage&Version=2012-11-05&QueueUrl=https%3A%2F%2Fsqs.us-east-1.amazonaws.com%2F123456789012%2Fq&MessageBody=hi&MessageAttribute.1.Name=k&MessageAttribute.1.Value.DataType=Binary&MessageAttribute.1.Value.BinaryValue=AAE%3D",
	"Action=SendMessageBatch&Version=2012-11-05&QueueUrl=https%3A%2F%2Fsqs.us-east-1.amazonaws.com%2F123456789012%2Fq&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x&SendMessageBatchRequestEntry.1.DelaySeconds=5",
	"Action=ReceiveMessage&Version=2012-11-05&QueueUrl=https%3A%2F%2Fsqs.us-east-1.amazonaws.com%2F123456789012%2Fq&AttributeName.1=All&MessageAttributeName.1=All&MaxNumberOfMessages=10&WaitTimeSeconds=20",
	"Action=DeleteMessageBatch&Version=2012-11-05&QueueUrl=x&DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle=h",
	"Action=GetQueueAttributes&Version=2012-11-05&QueueUrl=x&AttributeName.1=All",
	"Action=ListQueues&Version=2012-11-05",
	"Version=2011-01-01",
	"Action=Nope&Version=2016-11-15",
	"Action=CreateAutoScalingGroup&Version=2011-01-01&MinSize=%ZZ&MaxSize=99999999999",
	"Action=DescribeInstances&Version=2016-11-15&Filter.0.Name=x&Filter.99999999999999999999.Name=y&Filter.01.Name=z",
}

// serveOnce answers one form on a fresh world, in process. The request's
// context is already cancelled, so a long poll answers at once instead of
// waiting for a clock that nobody runs.
func serveOnce(method, rawQuery, body string) *httptest.ResponseRecorder {
	w := emulator.New(emulator.Config{Seed: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequest(method, "/", strings.NewReader(body)).WithContext(ctx)
	r.URL.RawQuery = rawQuery
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	awsquery.Serve(w, "fuzz", rec, r)
	return rec
}

// checkAnswer fails unless rec holds one well-formed AWS XML document.
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	body := rec.Body.Bytes()
	if rec.Header().Get("Content-Type") != "text/xml" {
		t.Fatalf("Content-Type %q", rec.Header().Get("Content-Type"))
	}
	if rec.Code != http.StatusOK && (rec.Code < 400 || rec.Code > 599) {
		t.Fatalf("status %d", rec.Code)
	}
	if bytes.Contains(body, []byte("internal panic")) {
		t.Fatalf("handler panicked: %s", body)
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	var root string
	depth := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("malformed XML: %v in %s", err, body)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if root != "" {
					t.Fatalf("two root elements in %s", body)
				}
				root = tok.Name.Local
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	ok := rec.Code == http.StatusOK && strings.HasSuffix(root, "Response") ||
		rec.Code != http.StatusOK && (root == "ErrorResponse" || root == "Response")
	if !ok {
		t.Fatalf("status %d with root %q: %s", rec.Code, root, body)
	}
}

func FuzzServe(f *testing.F) {
	for _, s := range seedForms {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, form string, get bool) {
		var rec *httptest.ResponseRecorder
		if get {
			rec = serveOnce(http.MethodGet, form, "")
		} else {
			rec = serveOnce(http.MethodPost, "", form)
		}
		checkAnswer(t, rec)
	})
}
