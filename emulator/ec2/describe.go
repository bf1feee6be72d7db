package ec2

import (
	"strings"
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

// DescribeInstancesInput mirrors the EC2 DescribeInstances request.
type DescribeInstancesInput struct {
	DryRun      *bool    // answer DryRunOperation instead of acting (see dryRun)
	InstanceIds []string `ec2:"InstanceId"`
	Filters     []Filter `ec2:"Filter"`
	MaxResults  *int32   // 5–1000; not with InstanceIds
	NextToken   string
}

// DescribeInstancesOutput mirrors the EC2 DescribeInstances response.
type DescribeInstancesOutput struct {
	Reservations []Reservation `ec2:",reservationSet"`
	NextToken    string        // empty on the last page
}

// Reservation is one launch request's group of instances (one instance per
// reservation in this emulator).
type Reservation struct {
	ReservationId string
	OwnerId       string
	Instances     []InstanceInfo `ec2:",instancesSet"`
}

// InstanceInfo is the EC2 API's Instance shape (renamed: Instance is the
// ground-truth type of this package).
type InstanceInfo struct {
	InstanceId            string
	ImageId               string
	InstanceType          string
	Placement             Placement
	State                 InstanceState `ec2:",instanceState"`
	LaunchTime            time.Time
	PrivateIpAddress      string
	PrivateDnsName        string
	InstanceLifecycle     string // "spot", or empty for on-demand
	Tags                  []Tag  `ec2:",tagSet"`
	StateReason           *StateReason
	StateTransitionReason string `ec2:",reason"`
	SubnetId              string
	VpcId                 string
}

// Placement is where an instance runs.
type Placement struct {
	AvailabilityZone string
}

// InstanceState is a state code and name.
type InstanceState struct {
	Code int32
	Name State
}

// StateReason explains the latest state change.
type StateReason struct {
	Code, Message string
}

// stateReasonMessages are the messages EC2 documents for the codes the
// emulator produces (API_StateReason).
var stateReasonMessages = map[string]string{
	ReasonUserInitiated:   "Client.UserInitiatedShutdown: User initiated shutdown",
	ReasonSpotTermination: "Server.SpotInstanceTermination: Spot instance termination",
	"pending":             "pending",
}

var instanceFilters = filterFields[*instRec]{
	fields: map[string]func(*instRec) string{
		"instance-id":         func(r *instRec) string { return r.inst.ID },
		"instance-state-name": func(r *instRec) string { return string(r.inst.State) },
		"instance-state-code": func(r *instRec) string { return itoa(uint32(r.inst.State.Code())) },
		"availability-zone":   func(r *instRec) string { return r.inst.AZ },
		"instance-type":       func(r *instRec) string { return r.inst.InstanceType },
		"image-id":            func(r *instRec) string { return r.inst.ImageID },
		"private-ip-address":  func(r *instRec) string { return r.inst.PrivateIP },
		"reservation-id":      func(r *instRec) string { return r.reservationID },
		"instance-lifecycle": func(r *instRec) string {
			if r.inst.Spot {
				return "spot"
			}
			return ""
		},
	},
	tags: func(r *instRec) []Tag { return r.inst.Tags },
}

// DescribeInstances lists instances, terminated ones included until their
// retention passes, in launch order.
func (s *Service) DescribeInstances(in DescribeInstancesInput) (*DescribeInstancesOutput, error) {
	limit, after, err := listParams(in.MaxResults, in.NextToken, len(in.InstanceIds), "instancesSet")
	if err != nil {
		return nil, err
	}
	keep, err := instanceFilters.compile(in.Filters)
	if err != nil {
		return nil, err
	}
	items := s.instOrder
	if len(in.InstanceIds) > 0 {
		if items, err = s.lookupInstances(in.InstanceIds); err != nil {
			return nil, err
		}
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	recs, next := page(items, func(r *instRec) uint64 { return r.seq }, after, limit,
		func(r *instRec) bool { return !r.removed && keep(r) })
	out := &DescribeInstancesOutput{NextToken: next, Reservations: make([]Reservation, 0, len(recs))}
	for _, r := range recs {
		out.Reservations = append(out.Reservations, Reservation{
			ReservationId: r.reservationID,
			OwnerId:       s.env.Account,
			Instances:     []InstanceInfo{s.describe(r)},
		})
	}
	return out, nil
}

// lookupInstances resolves ids to records in launch order, failing as EC2
// does: malformed ids first, then every unknown id in one error.
func (s *Service) lookupInstances(ids []string) ([]*instRec, error) {
	ids = dedupe(ids)
	for _, id := range ids {
		if !wellFormed(id, "i-") {
			return nil, errMalformedInstanceID(id)
		}
	}
	var missing []string
	recs := make([]*instRec, 0, len(ids))
	for _, id := range ids {
		if r, ok := s.instances[id]; ok {
			recs = append(recs, r)
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return nil, errInstancesNotFound(missing)
	}
	sortRecs(recs, func(r *instRec) uint64 { return r.seq })
	return recs, nil
}

// describe renders the API view of one instance.
func (s *Service) describe(r *instRec) InstanceInfo {
	in := &r.inst
	out := InstanceInfo{
		InstanceId:       in.ID,
		ImageId:          in.ImageID,
		InstanceType:     in.InstanceType,
		Placement:        Placement{AvailabilityZone: in.AZ},
		State:            InstanceState{Code: in.State.Code(), Name: in.State},
		LaunchTime:       in.LaunchTime,
		PrivateIpAddress: in.PrivateIP,
		PrivateDnsName:   privateDNSName(in.PrivateIP, s.env.Region),
		SubnetId:         in.SubnetID,
		VpcId:            in.VpcID,
		Tags:             append([]Tag(nil), in.Tags...),
	}
	if in.Spot {
		out.InstanceLifecycle = "spot"
	}
	code := reasonCode(in.StateReason)
	if in.State == StatePending {
		code = "pending"
	}
	if code != "" {
		msg, ok := stateReasonMessages[code]
		if !ok {
			msg = code
		}
		out.StateReason = &StateReason{Code: code, Message: msg}
	}
	if code == ReasonUserInitiated {
		out.StateTransitionReason = "User initiated (" + r.reasonAt.UTC().Format("2006-01-02 15:04:05") + " GMT)"
	}
	return out
}

// reasonCode maps a Terminate reason to the state reason code EC2 reports:
// codes ("Client.…", "Server.…") pass through, and free text such as
// "User initiated (Auto Scaling)" is a termination through the API.
func reasonCode(reason string) string {
	if reason == "" || strings.HasPrefix(reason, "Client.") || strings.HasPrefix(reason, "Server.") {
		return reason
	}
	return ReasonUserInitiated
}

// privateDNSName is EC2's internal host name for an address:
// ip-10-0-1-4.ec2.internal in us-east-1, ip-10-0-1-4.REGION.compute.internal elsewhere.
func privateDNSName(ip, region string) string {
	b := []byte("ip-" + ip)
	for i := range b {
		if b[i] == '.' {
			b[i] = '-'
		}
	}
	if region == "us-east-1" {
		return string(b) + ".ec2.internal"
	}
	return string(b) + "." + region + ".compute.internal"
}

// TerminateInstancesInput mirrors the EC2 TerminateInstances request.
type TerminateInstancesInput struct {
	DryRun      *bool    // answer DryRunOperation instead of acting (see dryRun)
	InstanceIds []string `ec2:"InstanceId"`
}

// TerminateInstancesOutput mirrors the EC2 TerminateInstances response.
type TerminateInstancesOutput struct {
	TerminatingInstances []InstanceStateChange `ec2:",instancesSet"`
}

// InstanceStateChange is an instance's state before and after a call.
type InstanceStateChange struct {
	InstanceId    string
	CurrentState  InstanceState
	PreviousState InstanceState
}

// TerminateInstances terminates instances; an unknown or malformed id fails
// the whole call and terminates nothing.
func (s *Service) TerminateInstances(in TerminateInstancesInput) (*TerminateInstancesOutput, error) {
	if len(in.InstanceIds) == 0 {
		return nil, core.ClientError("InvalidParameterCombination", "No instances specified")
	}
	recs, err := s.lookupInstances(in.InstanceIds)
	if err != nil {
		return nil, err
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	out := &TerminateInstancesOutput{TerminatingInstances: make([]InstanceStateChange, 0, len(recs))}
	for _, r := range recs {
		prev := r.inst.State
		s.terminate(r, ReasonUserInitiated)
		out.TerminatingInstances = append(out.TerminatingInstances, InstanceStateChange{
			InstanceId:    r.inst.ID,
			PreviousState: InstanceState{Code: prev.Code(), Name: prev},
			CurrentState:  InstanceState{Code: r.inst.State.Code(), Name: r.inst.State},
		})
	}
	return out, nil
}
