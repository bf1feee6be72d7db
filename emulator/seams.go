package emulator

import (
	"strconv"

	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ec2"
)

// fleet lets Auto Scaling launch and terminate EC2 instances.
type fleet struct{ ec2 *ec2.Service }

func (f fleet) Launch(req autoscaling.LaunchRequest) (autoscaling.LaunchedInstance, error) {
	spec := ec2.LaunchSpec{
		LaunchTemplateID:   req.LaunchTemplateID,
		LaunchTemplateName: req.LaunchTemplateName,
		Version:            req.Version,
		InstanceType:       req.InstanceType,
		AZ:                 req.AZ,
		SubnetID:           req.SubnetID,
		ImageID:            req.ImageID,
		UserData:           req.UserData,
		Market:             req.Market,
	}
	for _, t := range req.Tags {
		spec.Tags = append(spec.Tags, ec2.Tag{Key: t.Key, Value: t.Value})
	}
	inst, err := f.ec2.Launch(spec)
	if err != nil {
		return autoscaling.LaunchedInstance{}, err
	}
	return autoscaling.LaunchedInstance{
		ID:                    inst.ID,
		AZ:                    inst.AZ,
		InstanceType:          inst.InstanceType,
		LaunchTemplateVersion: inst.LaunchTemplateVersion,
		LaunchTemplateID:      inst.LaunchTemplateID,
		Spot:                  inst.Spot,
	}, nil
}

// SubnetZone lets Auto Scaling place a group by VPCZoneIdentifier
// (autoscaling.SubnetResolver).
func (f fleet) SubnetZone(id string) (string, error) { return f.ec2.SubnetZone(id) }

// ResolveTemplate lets Auto Scaling name a group's template by id and
// resolve $Latest/$Default (autoscaling.TemplateResolver).
func (f fleet) ResolveTemplate(id, name, version string) (autoscaling.LaunchTemplateSpecification, error) {
	ref, err := f.ec2.ResolveTemplate(id, name, version)
	if err != nil {
		return autoscaling.LaunchTemplateSpecification{}, err
	}
	return autoscaling.LaunchTemplateSpecification{LaunchTemplateId: ref.ID, LaunchTemplateName: ref.Name,
		Version: strconv.FormatInt(ref.Version, 10)}, nil
}

func (f fleet) Terminate(id string) error {
	return f.ec2.Terminate(id, "User initiated (Auto Scaling)")
}

// network lets ECS attach and detach the ENIs of awsvpc tasks.
type network struct{ ec2 *ec2.Service }

func (n network) Attach(instanceID, description string) (string, error) {
	eni, err := n.ec2.AttachNetworkInterface(instanceID, description)
	if err != nil {
		return "", err
	}
	return eni.ID, nil
}

func (n network) Detach(id string, leak bool) { n.ec2.DetachNetworkInterface(id, leak) }
