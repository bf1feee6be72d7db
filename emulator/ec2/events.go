package ec2

import "github.com/drainer-dev/drainer/emulator/core"

// EventBridge source and detail types EC2 publishes.
const (
	EventSource           = "aws.ec2"
	DetailTypeStateChange = "EC2 Instance State-change Notification"
	DetailTypeSpotWarning = "EC2 Spot Instance Interruption Warning"
	DetailTypeRebalance   = "EC2 Instance Rebalance Recommendation"
)

// StateChangeDetail is the detail of an instance state-change notification.
type StateChangeDetail struct {
	InstanceID string `json:"instance-id"`
	State      State  `json:"state"`
}

// SpotInterruptionDetail is the detail of a Spot interruption warning.
type SpotInterruptionDetail struct {
	InstanceID     string `json:"instance-id"`
	InstanceAction string `json:"instance-action"`
}

// RebalanceDetail is the detail of a rebalance recommendation.
type RebalanceDetail struct {
	InstanceID string `json:"instance-id"`
}

func (s *Service) emit(detailType, instanceID string, detail any) {
	s.opts.Events.Emit(core.Event{
		Source:     EventSource,
		DetailType: detailType,
		Resources:  []string{s.env.ARN("ec2", "instance/"+instanceID)},
		Detail:     detail,
	})
}
