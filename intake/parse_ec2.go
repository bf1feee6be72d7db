package intake

// ec2Detail is the detail of the EC2 events drainer reads.
type ec2Detail struct {
	InstanceID     string `json:"instance-id"`
	InstanceAction string `json:"instance-action"`
	State          string `json:"state"`
}

func decodeEC2(b []byte) (ec2Detail, error) {
	var d ec2Detail
	if err := decode(b, "detail", &d); err != nil {
		return d, err
	}
	return d, checkInstanceID(d.InstanceID, "instance-id")
}

// parseSpotInterruption reads an "EC2 Spot Instance Interruption Warning".
// Its time is required: the instance goes SpotWarning after it, whatever
// drainer does, and a drain must know that deadline.
func parseSpotInterruption(b []byte, h Header) (Notice, error) {
	d, err := decodeEC2(b)
	if err != nil {
		return nil, err
	}
	if h.Time.IsZero() {
		return nil, skip(ReasonInvalidField, "time: a Spot warning needs its time for its deadline")
	}
	return SpotInterruption{Header: h, InstanceID: d.InstanceID, Action: d.InstanceAction, Deadline: h.Time.Add(SpotWarning)}, nil
}

// parseRebalance reads an "EC2 Instance Rebalance Recommendation".
func parseRebalance(b []byte, h Header) (Notice, error) {
	d, err := decodeEC2(b)
	if err != nil {
		return nil, err
	}
	return RebalanceRecommendation{Header: h, InstanceID: d.InstanceID}, nil
}

// parseStateChange reads an "EC2 Instance State-change Notification".
func parseStateChange(b []byte, h Header) (Notice, error) {
	d, err := decodeEC2(b)
	if err != nil {
		return nil, err
	}
	if err := required("state", d.State); err != nil {
		return nil, err
	}
	return InstanceStateChange{Header: h, InstanceID: d.InstanceID, State: d.State}, nil
}
