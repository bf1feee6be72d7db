package front_test

import (
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
)

// asgEndpoint is an empty world with Auto Scaling and EC2 clients on it.
func asgEndpoint(t *testing.T) (*endpoint, *autoscaling.Client, *ec2.Client) {
	t.Helper()
	e := newEndpoint(t)
	asg := autoscaling.NewFromConfig(e.cfg, func(o *autoscaling.Options) { o.BaseEndpoint = aws.String(baseEndpoint) })
	ec := ec2.NewFromConfig(e.cfg, func(o *ec2.Options) { o.BaseEndpoint = aws.String(baseEndpoint) })
	return e, asg, ec
}

// template creates a launch template of the given instance type.
func template(t *testing.T, ec *ec2.Client, name, itype string) *ec2types.LaunchTemplate {
	t.Helper()
	out, err := ec.CreateLaunchTemplate(ctxT(t), &ec2.CreateLaunchTemplateInput{
		LaunchTemplateName: aws.String(name),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String("ami-12345678"),
			InstanceType: ec2types.InstanceType(itype),
			UserData:     aws.String(base64.StdEncoding.EncodeToString([]byte("#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n")))},
	})
	noErr(t, err)
	return out.LaunchTemplate
}

func TestAutoScalingWireShapes(t *testing.T) {
	e, asg, ec := asgEndpoint(t)
	lt := template(t, ec, "big", "m7i.48xlarge") // a type outside the common few
	_, err := asg.CreateAutoScalingGroup(ctxT(t), &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String("web"),
		LaunchTemplate:       &asgtypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("big"), Version: aws.String("$Latest")},
		MinSize:              aws.Int32(0), MaxSize: aws.Int32(4), DesiredCapacity: aws.Int32(1),
		AvailabilityZones: []string{"us-east-1a"},
	})
	noErr(t, err)
	e.w.Clock.RunFor(time.Minute)
	out, err := asg.DescribeAutoScalingGroups(ctxT(t), &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web"}})
	noErr(t, err)
	g := out.AutoScalingGroups[0]
	// A group made with a template name is described with its id too.
	if got := g.LaunchTemplate; aws.ToString(got.LaunchTemplateId) != aws.ToString(lt.LaunchTemplateId) ||
		aws.ToString(got.LaunchTemplateName) != "big" || aws.ToString(got.Version) != "$Latest" {
		t.Errorf("group template = %+v, want id %s, name big, $Latest", got, aws.ToString(lt.LaunchTemplateId))
	}
	if len(g.Instances) != 1 || g.Instances[0].InstanceType == nil || *g.Instances[0].InstanceType != "m7i.48xlarge" ||
		aws.ToString(g.Instances[0].LaunchTemplate.LaunchTemplateId) != aws.ToString(lt.LaunchTemplateId) {
		t.Fatalf("instances %+v, want one m7i.48xlarge from the template", g.Instances)
	}

	// An unknown group: UpdateAutoScalingGroup answers as AWS does.
	_, err = asg.UpdateAutoScalingGroup(ctxT(t), &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: aws.String("nope"), MaxSize: aws.Int32(3)})
	var ae smithy.APIError
	if !asAPIError(err, &ae) || ae.ErrorCode() != "ValidationError" || ae.ErrorMessage() != "AutoScalingGroup name not found - null" {
		t.Errorf("UpdateAutoScalingGroup of an unknown group = %v", err)
	}
	// An unknown template is refused as AWS refuses it.
	_, err = asg.CreateAutoScalingGroup(ctxT(t), &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String("bad"),
		LaunchTemplate:       &asgtypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("missing")},
		MinSize:              aws.Int32(0), MaxSize: aws.Int32(1), AvailabilityZones: []string{"us-east-1a"},
	})
	if !asAPIError(err, &ae) || ae.ErrorCode() != "ValidationError" ||
		ae.ErrorMessage() != "You must use a valid fully-formed launch template. The specified launch template, with template name missing, does not exist." {
		t.Errorf("group with an unknown template = %v", err)
	}

	// Standby over the wire.
	id := aws.ToString(g.Instances[0].InstanceId)
	sb, err := asg.EnterStandby(ctxT(t), &autoscaling.EnterStandbyInput{AutoScalingGroupName: aws.String("web"),
		InstanceIds: []string{id}, ShouldDecrementDesiredCapacity: aws.Bool(true)})
	noErr(t, err)
	if len(sb.Activities) != 1 {
		t.Errorf("EnterStandby activities %+v", sb.Activities)
	}
	inst, err := asg.DescribeAutoScalingInstances(ctxT(t), &autoscaling.DescribeAutoScalingInstancesInput{InstanceIds: []string{id}})
	noErr(t, err)
	if s := aws.ToString(inst.AutoScalingInstances[0].LifecycleState); s != "Standby" {
		t.Errorf("after EnterStandby: %s", s)
	}
}

// A scale in that finds every instance protected is in the activity
// history with AWS's words.
func TestAllProtectedScaleInActivityOverTheWire(t *testing.T) {
	e, asg, ec := asgEndpoint(t)
	template(t, ec, "ecs", "m5.large")
	_, err := asg.CreateAutoScalingGroup(ctxT(t), &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String("web"),
		LaunchTemplate:       &asgtypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("ecs")},
		MinSize:              aws.Int32(0), MaxSize: aws.Int32(4), DesiredCapacity: aws.Int32(2),
		AvailabilityZones: []string{"us-east-1a"}, NewInstancesProtectedFromScaleIn: aws.Bool(true),
	})
	noErr(t, err)
	e.w.Clock.RunFor(time.Minute)
	_, err = asg.SetDesiredCapacity(ctxT(t), &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: aws.String("web"), DesiredCapacity: aws.Int32(0)})
	noErr(t, err)
	e.w.Clock.RunFor(time.Second)
	acts, err := asg.DescribeScalingActivities(ctxT(t), &autoscaling.DescribeScalingActivitiesInput{AutoScalingGroupName: aws.String("web")})
	noErr(t, err)
	if d := aws.ToString(acts.Activities[0].Description); d != "Could not scale to desired capacity because all remaining instances are protected from scale-in." {
		t.Fatalf("newest activity %q", d)
	}
}

func TestEC2DryRunAndVersionLookups(t *testing.T) {
	e, _, ec := asgEndpoint(t)
	_ = e
	_, err := ec.CreateLaunchTemplate(ctxT(t), &ec2.CreateLaunchTemplateInput{DryRun: aws.Bool(true),
		LaunchTemplateName: aws.String("dry"), LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String("ami-1")}})
	var ae smithy.APIError
	if !asAPIError(err, &ae) || ae.ErrorCode() != "DryRunOperation" || ae.ErrorMessage() != "Request would have succeeded, but DryRun flag is set." {
		t.Fatalf("dry-run CreateLaunchTemplate = %v", err)
	}
	if got, _ := ec.DescribeLaunchTemplates(ctxT(t), &ec2.DescribeLaunchTemplatesInput{}); len(got.LaunchTemplates) != 0 {
		t.Fatalf("a dry run created %d templates", len(got.LaunchTemplates))
	}
	// A dry run checks the request first: a bad one fails as usual.
	_, err = ec.DescribeInstances(ctxT(t), &ec2.DescribeInstancesInput{DryRun: aws.Bool(true), InstanceIds: []string{"bogus"}})
	if apiCode(err) != "InvalidInstanceID.Malformed" {
		t.Fatalf("dry run of a malformed request = %v", err)
	}
	_, err = ec.DescribeInstances(ctxT(t), &ec2.DescribeInstancesInput{DryRun: aws.Bool(true)})
	if apiCode(err) != "DryRunOperation" {
		t.Fatalf("dry-run DescribeInstances = %v", err)
	}

	a := template(t, ec, "tpl-a", "m5.large")
	b := template(t, ec, "tpl-b", "c5.large")
	_, err = ec.CreateLaunchTemplateVersion(ctxT(t), &ec2.CreateLaunchTemplateVersionInput{LaunchTemplateId: a.LaunchTemplateId,
		SourceVersion: aws.String("1"), LaunchTemplateData: &ec2types.RequestLaunchTemplateData{InstanceType: "m5.xlarge"}})
	noErr(t, err)
	// Without a template, $Latest and $Default describe every template.
	vs, err := ec.DescribeLaunchTemplateVersions(ctxT(t), &ec2.DescribeLaunchTemplateVersionsInput{Versions: []string{"$Latest"}})
	noErr(t, err)
	if len(vs.LaunchTemplateVersions) != 2 || aws.ToInt64(vs.LaunchTemplateVersions[0].VersionNumber) != 2 ||
		aws.ToString(vs.LaunchTemplateVersions[1].LaunchTemplateId) != aws.ToString(b.LaunchTemplateId) {
		t.Fatalf("$Latest of every template = %+v", vs.LaunchTemplateVersions)
	}
	vs, err = ec.DescribeLaunchTemplateVersions(ctxT(t), &ec2.DescribeLaunchTemplateVersionsInput{Versions: []string{"$Latest", "$Default"}})
	noErr(t, err)
	if len(vs.LaunchTemplateVersions) != 3 {
		t.Fatalf("$Latest and $Default of every template: %d versions, want 3", len(vs.LaunchTemplateVersions))
	}
	_, err = ec.DescribeLaunchTemplateVersions(ctxT(t), &ec2.DescribeLaunchTemplateVersionsInput{Versions: []string{"1"}})
	if apiCode(err) != "InvalidParameterValue" {
		t.Fatalf("a version number without a template = %v", err)
	}
}

func asAPIError(err error, ae *smithy.APIError) bool {
	return err != nil && errors.As(err, ae)
}

func TestRunInstancesAndUserData(t *testing.T) {
	e, _, ec := asgEndpoint(t)
	lt := template(t, ec, "solo", "c7g.large")
	out, err := ec.RunInstances(ctxT(t), &ec2.RunInstancesInput{MinCount: aws.Int32(2), MaxCount: aws.Int32(2),
		LaunchTemplate: &ec2types.LaunchTemplateSpecification{LaunchTemplateId: lt.LaunchTemplateId},
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance,
			Tags: []ec2types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}}})
	noErr(t, err)
	if len(out.Instances) != 2 || out.Instances[0].InstanceType != "c7g.large" || out.Instances[0].State.Name != ec2types.InstanceStateNamePending ||
		aws.ToString(out.Instances[0].SubnetId) == "" || aws.ToString(out.Instances[0].VpcId) == "" {
		t.Fatalf("RunInstances = %+v", out.Instances)
	}
	id := aws.ToString(out.Instances[0].InstanceId)
	e.w.Clock.RunFor(time.Minute)
	d, err := ec.DescribeInstances(ctxT(t), &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	noErr(t, err)
	got := d.Reservations[0]
	if aws.ToString(got.ReservationId) != aws.ToString(out.ReservationId) || got.Instances[0].State.Name != ec2types.InstanceStateNameRunning {
		t.Fatalf("described %+v", got)
	}
	attr, err := ec.DescribeInstanceAttribute(ctxT(t), &ec2.DescribeInstanceAttributeInput{InstanceId: aws.String(id), Attribute: ec2types.InstanceAttributeNameUserData})
	noErr(t, err)
	plain, err := base64.StdEncoding.DecodeString(aws.ToString(attr.UserData.Value))
	noErr(t, err)
	if aws.ToString(attr.InstanceId) != id || string(plain) != "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n" {
		t.Fatalf("userData = %q", plain)
	}
	// Without a template: ImageId is required, and a dry run launches nothing.
	_, err = ec.RunInstances(ctxT(t), &ec2.RunInstancesInput{MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	if apiCode(err) != "MissingParameter" {
		t.Fatalf("RunInstances without an image = %v", err)
	}
	_, err = ec.RunInstances(ctxT(t), &ec2.RunInstancesInput{DryRun: aws.Bool(true), ImageId: aws.String("ami-1"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	if apiCode(err) != "DryRunOperation" {
		t.Fatalf("dry-run RunInstances = %v", err)
	}
	if n := len(e.w.EC2.Instances()); n != 2 {
		t.Fatalf("%d instances, want the 2 launched", n)
	}
}

func TestVPCsSubnetsAndGroupsPlacedBySubnet(t *testing.T) {
	e, asg, ec := asgEndpoint(t)
	def, err := ec.DescribeVpcs(ctxT(t), &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("is-default"), Values: []string{"true"}}}})
	noErr(t, err)
	if len(def.Vpcs) != 1 || aws.ToString(def.Vpcs[0].CidrBlock) != "172.31.0.0/16" {
		t.Fatalf("default VPC = %+v", def.Vpcs)
	}
	dsn, err := ec.DescribeSubnets(ctxT(t), &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("default-for-az"), Values: []string{"true"}}}})
	noErr(t, err)
	if len(dsn.Subnets) != 3 || aws.ToString(dsn.Subnets[1].AvailabilityZone) != "us-east-1b" || aws.ToInt32(dsn.Subnets[0].AvailableIpAddressCount) != 4091 {
		t.Fatalf("default subnets = %+v", dsn.Subnets)
	}

	vpc, err := ec.CreateVpc(ctxT(t), &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16")})
	noErr(t, err)
	vpcID := vpc.Vpc.VpcId
	_, err = ec.CreateVpc(ctxT(t), &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/8")})
	if apiCode(err) != "InvalidVpc.Range" {
		t.Fatalf("a /8 VPC = %v", err)
	}
	c, err := ec.CreateSubnet(ctxT(t), &ec2.CreateSubnetInput{VpcId: vpcID, CidrBlock: aws.String("10.1.2.0/24"), AvailabilityZone: aws.String("us-east-1c")})
	noErr(t, err)
	b, err := ec.CreateSubnet(ctxT(t), &ec2.CreateSubnetInput{VpcId: vpcID, CidrBlock: aws.String("10.1.1.0/24"), AvailabilityZone: aws.String("us-east-1b")})
	noErr(t, err)
	_, err = ec.CreateSubnet(ctxT(t), &ec2.CreateSubnetInput{VpcId: vpcID, CidrBlock: aws.String("10.1.1.128/25"), AvailabilityZone: aws.String("us-east-1b")})
	if apiCode(err) != "InvalidSubnet.Conflict" {
		t.Fatalf("an overlapping subnet = %v", err)
	}
	got, err := ec.DescribeSubnets(ctxT(t), &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{aws.ToString(vpcID)}}}})
	noErr(t, err)
	if len(got.Subnets) != 2 {
		t.Fatalf("subnets of the VPC = %+v", got.Subnets)
	}

	template(t, ec, "ecs", "m5.large")
	subnets := aws.ToString(c.Subnet.SubnetId) + "," + aws.ToString(b.Subnet.SubnetId)
	_, err = asg.CreateAutoScalingGroup(ctxT(t), &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String("web"),
		LaunchTemplate:       &asgtypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("ecs")},
		MinSize:              aws.Int32(0), MaxSize: aws.Int32(4), DesiredCapacity: aws.Int32(4),
		VPCZoneIdentifier: aws.String(subnets),
	})
	noErr(t, err)
	e.w.Clock.RunFor(time.Minute)
	g, err := asg.DescribeAutoScalingGroups(ctxT(t), &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web"}})
	noErr(t, err)
	grp := g.AutoScalingGroups[0]
	if aws.ToString(grp.VPCZoneIdentifier) != subnets || len(grp.AvailabilityZones) != 2 || grp.AvailabilityZones[0] != "us-east-1c" {
		t.Fatalf("group placement %q %v", aws.ToString(grp.VPCZoneIdentifier), grp.AvailabilityZones)
	}
	perAZ := map[string]int{}
	for _, in := range grp.Instances {
		perAZ[aws.ToString(in.AvailabilityZone)]++
		d, err := ec.DescribeInstances(ctxT(t), &ec2.DescribeInstancesInput{InstanceIds: []string{aws.ToString(in.InstanceId)}})
		noErr(t, err)
		ei := d.Reservations[0].Instances[0]
		want := map[string]string{"us-east-1c": aws.ToString(c.Subnet.SubnetId), "us-east-1b": aws.ToString(b.Subnet.SubnetId)}[aws.ToString(in.AvailabilityZone)]
		if aws.ToString(ei.SubnetId) != want || aws.ToString(ei.Placement.AvailabilityZone) != aws.ToString(in.AvailabilityZone) {
			t.Errorf("instance %s in %s subnet %s, want subnet %s", aws.ToString(in.InstanceId), aws.ToString(ei.Placement.AvailabilityZone), aws.ToString(ei.SubnetId), want)
		}
	}
	if perAZ["us-east-1c"] != 2 || perAZ["us-east-1b"] != 2 {
		t.Fatalf("instances per zone %v, want 2 and 2 in the subnets' zones", perAZ)
	}
	_, err = asg.CreateAutoScalingGroup(ctxT(t), &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String("lost"),
		LaunchTemplate:       &asgtypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("ecs")},
		MinSize:              aws.Int32(0), MaxSize: aws.Int32(1), VPCZoneIdentifier: aws.String("subnet-0123456789abcdef0"),
	})
	if apiCode(err) != "ValidationError" {
		t.Fatalf("a group in an unknown subnet = %v", err)
	}
}

func TestLaunchConfigurations(t *testing.T) {
	e, asg, ec := asgEndpoint(t)
	ud := base64.StdEncoding.EncodeToString([]byte("#!/bin/bash\necho ECS_CLUSTER=old >> /etc/ecs/ecs.config\n"))
	_, err := asg.CreateLaunchConfiguration(ctxT(t), &autoscaling.CreateLaunchConfigurationInput{LaunchConfigurationName: aws.String("old"),
		ImageId: aws.String("ami-0abc"), InstanceType: aws.String("r6i.large"), UserData: aws.String(ud)})
	noErr(t, err)
	_, err = asg.CreateLaunchConfiguration(ctxT(t), &autoscaling.CreateLaunchConfigurationInput{LaunchConfigurationName: aws.String("old"),
		ImageId: aws.String("ami-0abc"), InstanceType: aws.String("r6i.large")})
	if apiCode(err) != "AlreadyExists" {
		t.Fatalf("a second configuration of the same name = %v", err)
	}
	lcs, err := asg.DescribeLaunchConfigurations(ctxT(t), &autoscaling.DescribeLaunchConfigurationsInput{})
	noErr(t, err)
	if len(lcs.LaunchConfigurations) != 1 || aws.ToString(lcs.LaunchConfigurations[0].InstanceType) != "r6i.large" ||
		aws.ToString(lcs.LaunchConfigurations[0].UserData) != ud || lcs.LaunchConfigurations[0].CreatedTime == nil {
		t.Fatalf("DescribeLaunchConfigurations = %+v", lcs.LaunchConfigurations)
	}
	_, err = asg.CreateAutoScalingGroup(ctxT(t), &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String("legacy"), LaunchConfigurationName: aws.String("old"),
		MinSize: aws.Int32(0), MaxSize: aws.Int32(2), DesiredCapacity: aws.Int32(1), AvailabilityZones: []string{"us-east-1a"},
	})
	noErr(t, err)
	e.w.Clock.RunFor(time.Minute)
	g, err := asg.DescribeAutoScalingGroups(ctxT(t), &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"legacy"}})
	noErr(t, err)
	grp := g.AutoScalingGroups[0]
	if aws.ToString(grp.LaunchConfigurationName) != "old" || grp.LaunchTemplate != nil || len(grp.Instances) != 1 ||
		aws.ToString(grp.Instances[0].LaunchConfigurationName) != "old" || grp.Instances[0].LaunchTemplate != nil {
		t.Fatalf("group %+v", grp)
	}
	id := aws.ToString(grp.Instances[0].InstanceId)
	attr, err := ec.DescribeInstanceAttribute(ctxT(t), &ec2.DescribeInstanceAttributeInput{InstanceId: aws.String(id), Attribute: ec2types.InstanceAttributeNameUserData})
	noErr(t, err)
	if aws.ToString(attr.UserData.Value) != ud {
		t.Fatalf("instance user data %q, want the configuration's", aws.ToString(attr.UserData.Value))
	}
	d, err := ec.DescribeInstances(ctxT(t), &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	noErr(t, err)
	if in := d.Reservations[0].Instances[0]; aws.ToString(in.ImageId) != "ami-0abc" || in.InstanceType != "r6i.large" {
		t.Fatalf("instance %s %s", aws.ToString(in.ImageId), in.InstanceType)
	}
	_, err = asg.DeleteLaunchConfiguration(ctxT(t), &autoscaling.DeleteLaunchConfigurationInput{LaunchConfigurationName: aws.String("old")})
	if apiCode(err) != "ResourceInUse" {
		t.Fatalf("deleting a configuration in use = %v", err)
	}
	// Moving the group to a template frees the configuration.
	template(t, ec, "new", "m5.large")
	_, err = asg.UpdateAutoScalingGroup(ctxT(t), &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: aws.String("legacy"),
		LaunchTemplate: &asgtypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("new")}})
	noErr(t, err)
	_, err = asg.DeleteLaunchConfiguration(ctxT(t), &autoscaling.DeleteLaunchConfigurationInput{LaunchConfigurationName: aws.String("old")})
	noErr(t, err)
	_, err = asg.DeleteLaunchConfiguration(ctxT(t), &autoscaling.DeleteLaunchConfigurationInput{LaunchConfigurationName: aws.String("old")})
	if apiCode(err) != "ValidationError" {
		t.Fatalf("deleting an unknown configuration = %v", err)
	}
}

// SkipMatching compares instances with the version $Latest or $Default
// stands for when the refresh starts.
func TestRefreshSkipMatchingResolvesLatestAndDefault(t *testing.T) {
	e, asg, ec := asgEndpoint(t)
	lt := template(t, ec, "ecs", "m5.large")
	_, err := asg.CreateAutoScalingGroup(ctxT(t), &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String("web"),
		LaunchTemplate:       &asgtypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("ecs"), Version: aws.String("$Latest")},
		MinSize:              aws.Int32(0), MaxSize: aws.Int32(4), DesiredCapacity: aws.Int32(2), AvailabilityZones: []string{"us-east-1a"},
	})
	noErr(t, err)
	e.w.Clock.RunFor(time.Minute)
	refresh := func(version string) asgtypes.InstanceRefresh {
		t.Helper()
		in := &autoscaling.StartInstanceRefreshInput{AutoScalingGroupName: aws.String("web"),
			Preferences: &asgtypes.RefreshPreferences{SkipMatching: aws.Bool(true), InstanceWarmup: aws.Int32(0), MinHealthyPercentage: aws.Int32(50)}}
		if version != "" {
			in.DesiredConfiguration = &asgtypes.DesiredConfiguration{LaunchTemplate: &asgtypes.LaunchTemplateSpecification{
				LaunchTemplateId: lt.LaunchTemplateId, Version: aws.String(version)}}
		}
		_, err := asg.StartInstanceRefresh(ctxT(t), in)
		noErr(t, err)
		e.w.Clock.RunFor(time.Hour)
		out, err := asg.DescribeInstanceRefreshes(ctxT(t), &autoscaling.DescribeInstanceRefreshesInput{AutoScalingGroupName: aws.String("web")})
		noErr(t, err)
		return out.InstanceRefreshes[0]
	}
	ids := func() map[string]bool {
		g, err := asg.DescribeAutoScalingGroups(ctxT(t), &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web"}})
		noErr(t, err)
		m := map[string]bool{}
		for _, in := range g.AutoScalingGroups[0].Instances {
			m[aws.ToString(in.InstanceId)] = true
		}
		return m
	}
	replaced := func(before map[string]bool) int {
		n := 0
		for id := range ids() {
			if !before[id] {
				n++
			}
		}
		return n
	}
	// Every instance runs version 1, which $Latest is: nothing to replace.
	before := ids()
	if r := refresh(""); r.Status != asgtypes.InstanceRefreshStatusSuccessful || replaced(before) != 0 {
		t.Fatalf("refresh onto $Latest = %s, %d instances replaced", r.Status, replaced(before))
	}
	_, err = ec.CreateLaunchTemplateVersion(ctxT(t), &ec2.CreateLaunchTemplateVersionInput{LaunchTemplateId: lt.LaunchTemplateId,
		SourceVersion: aws.String("1"), LaunchTemplateData: &ec2types.RequestLaunchTemplateData{InstanceType: "m5.xlarge"}})
	noErr(t, err)
	// $Latest is version 2 now: both are replaced.
	before = ids()
	if r := refresh("$Latest"); r.Status != asgtypes.InstanceRefreshStatusSuccessful || replaced(before) != 2 {
		t.Fatalf("refresh onto the new $Latest = %s, %d replaced", r.Status, replaced(before))
	}
	// $Default is still version 1: both are replaced again.
	before = ids()
	if r := refresh("$Default"); r.Status != asgtypes.InstanceRefreshStatusSuccessful || replaced(before) != 2 {
		t.Fatalf("refresh onto $Default = %s, %d replaced", r.Status, replaced(before))
	}
	g, err := asg.DescribeAutoScalingGroups(ctxT(t), &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web"}})
	noErr(t, err)
	for _, in := range g.AutoScalingGroups[0].Instances {
		if aws.ToString(in.LaunchTemplate.Version) != "1" || aws.ToString(in.InstanceType) != "m5.large" {
			t.Errorf("instance %+v, want version 1 (m5.large)", in)
		}
	}
}
