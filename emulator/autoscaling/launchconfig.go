package autoscaling

import (
	"encoding/base64"
	"slices"
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

// launchConfig is one launch configuration: what an instance of a group
// using it is launched with.
type launchConfig struct {
	name, arn       string
	imageID, itype  string
	userData        string // base64, as given
	spotPrice       string // a Spot launch when set
	keyName         string
	securityGroups  []string
	iamProfile      string
	created         time.Time
	associatePublic *bool
}

// LaunchConfiguration is a launch configuration as
// DescribeLaunchConfigurations shows it.
type LaunchConfiguration struct {
	LaunchConfigurationName  string
	LaunchConfigurationARN   string
	ImageId                  string
	InstanceType             string
	UserData                 string
	SpotPrice                string
	KeyName                  string
	SecurityGroups           []string
	IamInstanceProfile       string
	AssociatePublicIpAddress *bool
	CreatedTime              time.Time
}

// CreateLaunchConfigurationInput mirrors the modelled part of the AWS
// request.
type CreateLaunchConfigurationInput struct {
	LaunchConfigurationName  string
	ImageId                  string
	InstanceType             string
	InstanceId               string
	UserData                 string
	SpotPrice                string
	KeyName                  string
	SecurityGroups           []string
	IamInstanceProfile       string
	AssociatePublicIpAddress *bool
}

// CreateLaunchConfigurationOutput is empty, as in AWS.
type CreateLaunchConfigurationOutput struct{}

// DescribeLaunchConfigurationsInput mirrors the AWS request.
type DescribeLaunchConfigurationsInput struct {
	LaunchConfigurationNames []string
	MaxRecords               *int32
	NextToken                string
}

// DescribeLaunchConfigurationsOutput mirrors the AWS response.
type DescribeLaunchConfigurationsOutput struct {
	LaunchConfigurations []LaunchConfiguration
	NextToken            string
}

// DeleteLaunchConfigurationInput mirrors the AWS request.
type DeleteLaunchConfigurationInput struct {
	LaunchConfigurationName string
}

// DeleteLaunchConfigurationOutput is empty, as in AWS.
type DeleteLaunchConfigurationOutput struct{}

// CreateLaunchConfiguration stores a launch configuration. The image and
// the instance type are required (creating one from an instance is not
// modelled); the user data must be base64.
//
// Source: "CreateLaunchConfiguration"
// (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateLaunchConfiguration.html).
// AWS no longer lets accounts created since 2024 make launch
// configurations; the emulator still does, for the older stacks that use
// them.
func (s *Service) CreateLaunchConfiguration(in CreateLaunchConfigurationInput) (*CreateLaunchConfigurationOutput, error) {
	switch {
	case in.LaunchConfigurationName == "":
		return nil, nullMember("launchConfigurationName")
	case len(in.LaunchConfigurationName) > 255:
		return nil, validation("1 validation error detected: Value '%s' at 'launchConfigurationName' failed to satisfy constraint: Member must have length less than or equal to 255", in.LaunchConfigurationName)
	case in.InstanceId != "":
		return nil, validation("The emulator does not create launch configurations from an instance: give ImageId and InstanceType.")
	case in.ImageId == "":
		return nil, validation("Valid requests must contain either the InstanceID parameter or both the ImageId and InstanceType parameters.")
	case in.InstanceType == "":
		return nil, validation("Valid requests must contain either the InstanceID parameter or both the ImageId and InstanceType parameters.")
	}
	if _, ok := s.configs[in.LaunchConfigurationName]; ok {
		return nil, core.ClientError("AlreadyExists", "Launch Configuration by this name already exists - A launch configuration already exists with the name %s", in.LaunchConfigurationName)
	}
	if in.UserData != "" {
		if _, err := base64.StdEncoding.DecodeString(in.UserData); err != nil {
			return nil, validation("Invalid BASE64 encoding of user data.")
		}
	}
	lc := &launchConfig{
		name:            in.LaunchConfigurationName,
		arn:             s.env.ARN("autoscaling", "launchConfiguration:"+s.env.UUID()+":launchConfigurationName/"+in.LaunchConfigurationName),
		imageID:         in.ImageId,
		itype:           in.InstanceType,
		userData:        in.UserData,
		spotPrice:       in.SpotPrice,
		keyName:         in.KeyName,
		securityGroups:  slices.Clone(in.SecurityGroups),
		iamProfile:      in.IamInstanceProfile,
		associatePublic: in.AssociatePublicIpAddress,
		created:         s.now(),
	}
	s.configs[lc.name] = lc
	return &CreateLaunchConfigurationOutput{}, nil
}

// DescribeLaunchConfigurations lists launch configurations by name,
// sorted by name.
func (s *Service) DescribeLaunchConfigurations(in DescribeLaunchConfigurationsInput) (*DescribeLaunchConfigurationsOutput, error) {
	names := make([]string, 0, len(s.configs))
	for n := range s.configs {
		if len(in.LaunchConfigurationNames) == 0 || slices.Contains(in.LaunchConfigurationNames, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	start, end, next, err := page(len(names), in.MaxRecords, 50, 100, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &DescribeLaunchConfigurationsOutput{LaunchConfigurations: make([]LaunchConfiguration, 0, end-start), NextToken: next}
	for _, n := range names[start:end] {
		lc := s.configs[n]
		out.LaunchConfigurations = append(out.LaunchConfigurations, LaunchConfiguration{
			LaunchConfigurationName:  lc.name,
			LaunchConfigurationARN:   lc.arn,
			ImageId:                  lc.imageID,
			InstanceType:             lc.itype,
			UserData:                 lc.userData,
			SpotPrice:                lc.spotPrice,
			KeyName:                  lc.keyName,
			SecurityGroups:           slices.Clone(lc.securityGroups),
			IamInstanceProfile:       lc.iamProfile,
			AssociatePublicIpAddress: lc.associatePublic,
			CreatedTime:              lc.created,
		})
	}
	return out, nil
}

// DeleteLaunchConfiguration deletes a launch configuration no group uses.
//
// Source: "DeleteLaunchConfiguration"
// (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DeleteLaunchConfiguration.html):
// "The launch configuration must not be attached to an Auto Scaling group."
func (s *Service) DeleteLaunchConfiguration(in DeleteLaunchConfigurationInput) (*DeleteLaunchConfigurationOutput, error) {
	if in.LaunchConfigurationName == "" {
		return nil, nullMember("launchConfigurationName")
	}
	lc, err := s.launchConfig(in.LaunchConfigurationName)
	if err != nil {
		return nil, err
	}
	for _, n := range s.GroupNames() {
		if s.groups[n].lc == lc {
			return nil, core.ClientError("ResourceInUse", "Cannot delete launch configuration %s because it is attached to AutoScalingGroup %s", lc.name, n)
		}
	}
	delete(s.configs, lc.name)
	return &DeleteLaunchConfigurationOutput{}, nil
}

// launchConfig returns the named launch configuration or AWS's error.
func (s *Service) launchConfig(name string) (*launchConfig, error) {
	if lc, ok := s.configs[name]; ok {
		return lc, nil
	}
	return nil, validation("Launch configuration name not found - Launch configuration %s not found", name)
}
