package emulator

import (
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
		Spot:                  inst.Spot,
	}, nil
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
