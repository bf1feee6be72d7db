package ec2

import (
	"encoding/base64"

	"github.com/drainer-dev/drainer/emulator/core"
)

// DefaultRunInstanceType is the type RunInstances launches when neither
// the request nor its launch template names one.
//
// Source: "RunInstances" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html):
// InstanceType "Default: m1.small".
const DefaultRunInstanceType = "m1.small"

// maxRunCount caps MinCount/MaxCount in the emulator (AWS caps them by the
// account's vCPU quota, which is not modelled).
const maxRunCount = 1000

// RunInstancesInput mirrors the modelled part of the EC2 RunInstances
// request.
type RunInstancesInput struct {
	DryRun                *bool
	ImageId               string
	InstanceType          string
	MinCount              *int32
	MaxCount              *int32
	SubnetId              string
	Placement             *Placement
	UserData              string // base64
	LaunchTemplate        *LaunchTemplateSpecification
	InstanceMarketOptions *LaunchTemplateInstanceMarketOptions
	TagSpecifications     []TagSpecification `ec2:"TagSpecification"`
}

// LaunchTemplateSpecification names the template of a RunInstances call.
type LaunchTemplateSpecification struct {
	LaunchTemplateId   string
	LaunchTemplateName string
	Version            string
}

// RunInstancesOutput is the reservation RunInstances made.
type RunInstancesOutput struct {
	ReservationId string
	OwnerId       string
	Instances     []InstanceInfo `ec2:",instancesSet"`
}

// RunInstances launches MaxCount instances (all or nothing: the emulator
// has no capacity limit, so MinCount only has to be valid) outside any
// Auto Scaling group, in one reservation. The request's own members
// override its launch template's; the zone comes from the subnet, else
// from Placement, else the region's first zone (its default subnet).
func (s *Service) RunInstances(in RunInstancesInput) (*RunInstancesOutput, error) {
	switch {
	case in.MinCount == nil:
		return nil, errMissing("MinCount")
	case in.MaxCount == nil:
		return nil, errMissing("MaxCount")
	case *in.MinCount < 1:
		return nil, core.ClientError("InvalidParameterValue", "Value (%d) for parameter minCount is invalid. Expected a positive integer.", *in.MinCount)
	case *in.MaxCount < *in.MinCount:
		return nil, core.ClientError("InvalidParameterValue", "Value (%d) for parameter maxCount is invalid. Expected a value greater than or equal to minCount (%d).", *in.MaxCount, *in.MinCount)
	case *in.MaxCount > maxRunCount:
		return nil, core.ClientError("InstanceLimitExceeded", "You have requested more instances (%d) than your current instance limit of %d allows for the specified instance type.", *in.MaxCount, maxRunCount)
	}
	spec := LaunchSpec{InstanceType: in.InstanceType, SubnetID: in.SubnetId}
	if in.Placement != nil {
		spec.AZ = in.Placement.AvailabilityZone
	}
	if spec.SubnetID == "" && spec.AZ == "" {
		spec.AZ = s.env.Region + defaultZones[0]
	}
	if lt := in.LaunchTemplate; lt != nil {
		spec.LaunchTemplateID, spec.LaunchTemplateName, spec.Version = lt.LaunchTemplateId, lt.LaunchTemplateName, lt.Version
	} else {
		if in.ImageId == "" {
			return nil, errMissing("ImageId")
		}
		if spec.InstanceType == "" {
			spec.InstanceType = DefaultRunInstanceType
		}
	}
	if m := in.InstanceMarketOptions; m != nil {
		switch m.MarketType {
		case "spot":
			spec.Market = "spot"
		case "":
		default: // capacity-block and anything else: not modelled
			return nil, core.ClientError("InvalidParameterValue", "Value (%s) for parameter MarketType is invalid.", m.MarketType)
		}
	}
	if in.UserData != "" {
		if _, err := base64.StdEncoding.DecodeString(in.UserData); err != nil {
			return nil, core.ClientError("InvalidUserData.Malformed", "Invalid BASE64 encoding of user data.")
		}
	}
	spec.Tags = tagsFor(in.TagSpecifications, "instance")
	plan, err := s.planLaunch(spec)
	if err != nil {
		return nil, err
	}
	if in.ImageId != "" {
		plan.ImageID = in.ImageId
	}
	if in.UserData != "" {
		b, _ := base64.StdEncoding.DecodeString(in.UserData)
		plan.UserData = string(b)
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	out := &RunInstancesOutput{ReservationId: s.env.ID("r-", 17), OwnerId: s.env.Account}
	for range *in.MaxCount {
		inst := s.start(plan, out.ReservationId)
		out.Instances = append(out.Instances, s.describe(s.instances[inst.ID]))
	}
	return out, nil
}

// AttributeValue is a string attribute value.
type AttributeValue struct {
	Value string
}

// DescribeInstanceAttributeInput mirrors the EC2 DescribeInstanceAttribute
// request.
type DescribeInstanceAttributeInput struct {
	DryRun     *bool
	InstanceId string
	Attribute  string
}

// DescribeInstanceAttributeOutput mirrors the EC2 DescribeInstanceAttribute
// response for the attributes the emulator models.
type DescribeInstanceAttributeOutput struct {
	InstanceId   string
	UserData     *AttributeValue // base64, as on the wire
	InstanceType *AttributeValue
}

// DescribeInstanceAttribute describes one attribute of an instance: the
// emulator models userData (base64 of what the instance was launched
// with; empty when none) and instanceType.
//
// Source: "DescribeInstanceAttribute"
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceAttribute.html).
func (s *Service) DescribeInstanceAttribute(in DescribeInstanceAttributeInput) (*DescribeInstanceAttributeOutput, error) {
	switch {
	case in.InstanceId == "":
		return nil, errMissing("InstanceId")
	case in.Attribute == "":
		return nil, errMissing("Attribute")
	}
	recs, err := s.lookupInstances([]string{in.InstanceId})
	if err != nil {
		return nil, err
	}
	inst := recs[0].inst
	out := &DescribeInstanceAttributeOutput{InstanceId: inst.ID}
	switch in.Attribute {
	case "userData":
		out.UserData = &AttributeValue{}
		if inst.UserData != "" {
			out.UserData.Value = base64.StdEncoding.EncodeToString([]byte(inst.UserData))
		}
	case "instanceType":
		out.InstanceType = &AttributeValue{Value: inst.InstanceType}
	case "kernel", "ramdisk", "disableApiTermination", "instanceInitiatedShutdownBehavior", "rootDeviceName",
		"blockDeviceMapping", "productCodes", "sourceDestCheck", "groupSet", "ebsOptimized", "sriovNetSupport",
		"enaSupport", "enclaveOptions", "disableApiStop":
		return nil, core.ClientError("UnsupportedOperation", "The emulator does not model the instance attribute %s.", in.Attribute)
	default:
		return nil, core.ClientError("InvalidParameterValue", "Value (%s) for parameter attribute is invalid. Unknown attribute.", in.Attribute)
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	return out, nil
}
