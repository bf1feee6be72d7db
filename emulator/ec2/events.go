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
	s.opts.Events.Emit(s.instanceEvent(detailType, instanceID, detail))
}

// instanceEvent is the event EC2 publishes about one instance: resources
// its ARN.
func (s *Service) instanceEvent(detailType, instanceID string, detail any) core.Event {
	return core.Event{
		Source:     EventSource,
		DetailType: detailType,
		Resources:  []string{s.env.ARN("ec2", "instance/"+instanceID)},
		Detail:     detail,
	}
}

// SpotWarningEvent is the EventBridge event EC2 publishes two minutes
// before it interrupts Spot instance id (InterruptSpot publishes it), for a
// scenario that delivers a copy itself. The instance need not exist.
//
// Source: "Spot Instance interruption notices"
// (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html).
func (s *Service) SpotWarningEvent(id string) core.Event {
	return s.instanceEvent(DetailTypeSpotWarning, id, SpotInterruptionDetail{InstanceID: id, InstanceAction: "terminate"})
}

// RebalanceEvent is the EventBridge event of a rebalance recommendation
// for instance id (RecommendRebalance publishes it). The instance need not
// exist.
//
// Source: "EC2 instance rebalance recommendations"
// (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/rebalance-recommendations.html).
func (s *Service) RebalanceEvent(id string) core.Event {
	return s.instanceEvent(DetailTypeRebalance, id, RebalanceDetail{InstanceID: id})
}
