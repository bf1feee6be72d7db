package awsquery_test

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/drainer-dev/drainer/emulator/ec2"
)

// leakENI attaches an awsvpc network interface to instance id and leaves
// it "available" when the instance goes.
func (e *env) attachENI(t *testing.T, id string) string {
	t.Helper()
	var ni *ec2.NetworkInterface
	var err error
	e.w.Do(func() {
		ni, err = e.w.EC2.AttachNetworkInterface(id, "arn:aws:ecs:us-east-1:123456789012:attachment/x")
	})
	if err != nil {
		t.Fatal(err)
	}
	return ni.ID
}

// TestEC2Operations drives every EC2 operation through the SDK on one
// world and compares each answer with the emulator library's.
func TestEC2Operations(t *testing.T) {
	e := newEnv(t)
	lt := e.template(t)
	e.group(t, "web", 2)
	var ids []string
	var eni string

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"CreateLaunchTemplate", func(t *testing.T) {
			want := lib(e.w, e.w.EC2.DescribeLaunchTemplates, ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{*lt.LaunchTemplateId}})
			checkSame(t, "template", want.LaunchTemplates[0], lt)
			if len(lt.Tags) != 1 || *lt.Tags[0].Key != "owner" || *lt.LatestVersionNumber != 1 {
				t.Fatalf("template = %+v", lt)
			}
		}},
		{"CreateLaunchTemplateVersion", func(t *testing.T) {
			out, err := e.ec2.CreateLaunchTemplateVersion(ctx(t), &ec2sdk.CreateLaunchTemplateVersionInput{
				LaunchTemplateId: lt.LaunchTemplateId, SourceVersion: aws.String("1"), VersionDescription: aws.String("spot"),
				LaunchTemplateData: &ec2types.RequestLaunchTemplateData{
					InstanceType:          ec2types.InstanceTypeM5Xlarge,
					InstanceMarketOptions: &ec2types.LaunchTemplateInstanceMarketOptionsRequest{MarketType: ec2types.MarketTypeSpot},
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			v := out.LaunchTemplateVersion
			if *v.VersionNumber != 2 || v.LaunchTemplateData.InstanceType != ec2types.InstanceTypeM5Xlarge ||
				v.LaunchTemplateData.InstanceMarketOptions.MarketType != ec2types.MarketTypeSpot || *v.LaunchTemplateData.ImageId != "ami-12345678" {
				t.Fatalf("version = %+v", v)
			}
		}},
		{"ModifyLaunchTemplate", func(t *testing.T) {
			out, err := e.ec2.ModifyLaunchTemplate(ctx(t), &ec2sdk.ModifyLaunchTemplateInput{LaunchTemplateName: aws.String(ltName), DefaultVersion: aws.String("2")})
			if err != nil {
				t.Fatal(err)
			}
			if *out.LaunchTemplate.DefaultVersionNumber != 2 {
				t.Fatalf("default version %d", *out.LaunchTemplate.DefaultVersionNumber)
			}
		}},
		{"DescribeLaunchTemplates", func(t *testing.T) {
			out, err := e.ec2.DescribeLaunchTemplates(ctx(t), &ec2sdk.DescribeLaunchTemplatesInput{
				Filters: []ec2types.Filter{{Name: aws.String("tag:owner"), Values: []string{"drainer"}}},
			})
			if err != nil {
				t.Fatal(err)
			}
			checkSame(t, "templates", lib(e.w, e.w.EC2.DescribeLaunchTemplates, ec2.DescribeLaunchTemplatesInput{}), out)
			if len(out.LaunchTemplates) != 1 {
				t.Fatalf("templates = %+v", out.LaunchTemplates)
			}
		}},
		{"DescribeLaunchTemplateVersions", func(t *testing.T) {
			out, err := e.ec2.DescribeLaunchTemplateVersions(ctx(t), &ec2sdk.DescribeLaunchTemplateVersionsInput{
				LaunchTemplateName: aws.String(ltName), Versions: []string{"1", "$Latest"},
			})
			if err != nil {
				t.Fatal(err)
			}
			checkSame(t, "versions", lib(e.w, e.w.EC2.DescribeLaunchTemplateVersions, ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateName: ltName, Versions: []string{"1", "$Latest"}}), out)
			if len(out.LaunchTemplateVersions) != 2 {
				t.Fatalf("versions = %+v", out.LaunchTemplateVersions)
			}
			d := out.LaunchTemplateVersions[0].LaunchTemplateData
			ud, _ := base64.StdEncoding.DecodeString(*d.UserData)
			if string(ud) != userData || len(d.TagSpecifications) != 1 || *d.TagSpecifications[0].Tags[0].Value != "web" {
				t.Fatalf("version 1 data = %+v", d)
			}
		}},
		{"DescribeInstances", func(t *testing.T) {
			out, err := e.ec2.DescribeInstances(ctx(t), &ec2sdk.DescribeInstancesInput{
				Filters: []ec2types.Filter{
					{Name: aws.String("tag:aws:autoscaling:groupName"), Values: []string{"web"}},
					{Name: aws.String("instance-state-name"), Values: []string{"running", "pending"}},
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			checkSame(t, "instances", lib(e.w, e.w.EC2.DescribeInstances, ec2.DescribeInstancesInput{}), out)
			for _, r := range out.Reservations {
				for _, in := range r.Instances {
					ids = append(ids, *in.InstanceId)
					if in.State.Name != ec2types.InstanceStateNameRunning || *in.State.Code != 16 || in.LaunchTime == nil {
						t.Errorf("instance = %+v", in)
					}
				}
			}
			if len(ids) != 2 {
				t.Fatalf("instances %v", ids)
			}
		}},
		{"DescribeNetworkInterfaces", func(t *testing.T) {
			eni = e.attachENI(t, ids[0])
			out, err := e.ec2.DescribeNetworkInterfaces(ctx(t), &ec2sdk.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{eni}})
			if err != nil {
				t.Fatal(err)
			}
			checkSame(t, "interfaces", lib(e.w, e.w.EC2.DescribeNetworkInterfaces, ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{eni}}), out)
			if n := out.NetworkInterfaces; len(n) != 1 || n[0].Status != ec2types.NetworkInterfaceStatusInUse || *n[0].Attachment.InstanceId != ids[0] {
				t.Fatalf("interfaces = %+v", n)
			}
		}},
		{"TerminateInstances", func(t *testing.T) {
			out, err := e.ec2.TerminateInstances(ctx(t), &ec2sdk.TerminateInstancesInput{InstanceIds: ids[:1]})
			if err != nil {
				t.Fatal(err)
			}
			c := out.TerminatingInstances
			if len(c) != 1 || *c[0].InstanceId != ids[0] || c[0].PreviousState.Name != ec2types.InstanceStateNameRunning || c[0].CurrentState.Name != ec2types.InstanceStateNameShuttingDown {
				t.Fatalf("state changes = %+v", c)
			}
			e.w.Clock.RunFor(time.Minute)
		}},
		{"DeleteNetworkInterface", func(t *testing.T) {
			d, err := e.ec2.DescribeNetworkInterfaces(ctx(t), &ec2sdk.DescribeNetworkInterfacesInput{
				Filters: []ec2types.Filter{{Name: aws.String("status"), Values: []string{"available"}}},
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(d.NetworkInterfaces) != 1 || *d.NetworkInterfaces[0].NetworkInterfaceId != eni || d.NetworkInterfaces[0].Attachment != nil {
				t.Fatalf("available interfaces = %+v", d.NetworkInterfaces)
			}
			if _, err := e.ec2.DeleteNetworkInterface(ctx(t), &ec2sdk.DeleteNetworkInterfaceInput{NetworkInterfaceId: aws.String(eni)}); err != nil {
				t.Fatal(err)
			}
			if left := lib(e.w, e.w.EC2.DescribeNetworkInterfaces, ec2.DescribeNetworkInterfacesInput{}); len(left.NetworkInterfaces) != 0 {
				t.Fatalf("interfaces left: %+v", left.NetworkInterfaces)
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			t.FailNow()
		}
	}
}
