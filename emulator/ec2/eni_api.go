package ec2

import (
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

// DescribeNetworkInterfacesInput mirrors the EC2 DescribeNetworkInterfaces request.
type DescribeNetworkInterfacesInput struct {
	DryRun              *bool    // answer DryRunOperation instead of acting (see dryRun)
	NetworkInterfaceIds []string `ec2:"NetworkInterfaceId"`
	Filters             []Filter `ec2:"Filter"`
	MaxResults          *int32   // 5–1000; not with NetworkInterfaceIds
	NextToken           string
}

// DescribeNetworkInterfacesOutput mirrors the EC2 DescribeNetworkInterfaces response.
type DescribeNetworkInterfacesOutput struct {
	NetworkInterfaces []NetworkInterfaceInfo `ec2:",networkInterfaceSet"`
	NextToken         string                 // empty on the last page
}

// NetworkInterfaceInfo is the EC2 API's NetworkInterface shape (renamed:
// NetworkInterface is the ground-truth type of this package).
type NetworkInterfaceInfo struct {
	NetworkInterfaceId string
	Status             string
	Description        string
	AvailabilityZone   string
	PrivateIpAddress   string
	InterfaceType      string
	OwnerId            string
	Attachment         *NetworkInterfaceAttachment // nil when detached
}

// NetworkInterfaceAttachment describes where an interface is attached.
type NetworkInterfaceAttachment struct {
	AttachmentId        string
	InstanceId          string
	InstanceOwnerId     string
	DeviceIndex         int32
	Status              string // "attached"
	AttachTime          time.Time
	DeleteOnTermination bool
}

var eniFilters = filterFields[*eniRec]{
	fields: map[string]func(*eniRec) string{
		"network-interface-id":   func(e *eniRec) string { return e.ni.ID },
		"status":                 func(e *eniRec) string { return e.ni.Status },
		"attachment.instance-id": func(e *eniRec) string { return e.ni.InstanceID },
		"attachment.status": func(e *eniRec) string {
			if e.inst != nil {
				return "attached"
			}
			return ""
		},
		"availability-zone":  func(e *eniRec) string { return e.ni.AZ },
		"description":        func(e *eniRec) string { return e.ni.Description },
		"private-ip-address": func(e *eniRec) string { return e.ni.PrivateIP },
		"interface-type":     func(*eniRec) string { return "interface" },
	},
}

// DescribeNetworkInterfaces lists interfaces in creation order.
func (s *Service) DescribeNetworkInterfaces(in DescribeNetworkInterfacesInput) (*DescribeNetworkInterfacesOutput, error) {
	limit, after, err := listParams(in.MaxResults, in.NextToken, len(in.NetworkInterfaceIds), "networkInterfaceIdSet")
	if err != nil {
		return nil, err
	}
	keep, err := eniFilters.compile(in.Filters)
	if err != nil {
		return nil, err
	}
	items := s.eniOrder
	if len(in.NetworkInterfaceIds) > 0 {
		if items, err = s.lookupENIs(in.NetworkInterfaceIds); err != nil {
			return nil, err
		}
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	recs, next := page(items, func(e *eniRec) uint64 { return e.seq }, after, limit,
		func(e *eniRec) bool { return !e.removed && keep(e) })
	out := &DescribeNetworkInterfacesOutput{NextToken: next, NetworkInterfaces: make([]NetworkInterfaceInfo, 0, len(recs))}
	for _, e := range recs {
		out.NetworkInterfaces = append(out.NetworkInterfaces, s.describeENI(e))
	}
	return out, nil
}

func (s *Service) lookupENIs(ids []string) ([]*eniRec, error) {
	ids = dedupe(ids)
	for _, id := range ids {
		if !wellFormed(id, "eni-") {
			return nil, errMalformedENIID(id)
		}
	}
	var missing []string
	recs := make([]*eniRec, 0, len(ids))
	for _, id := range ids {
		if e, ok := s.enis[id]; ok {
			recs = append(recs, e)
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return nil, errENIsNotFound(missing)
	}
	sortRecs(recs, func(e *eniRec) uint64 { return e.seq })
	return recs, nil
}

func (s *Service) describeENI(e *eniRec) NetworkInterfaceInfo {
	out := NetworkInterfaceInfo{
		NetworkInterfaceId: e.ni.ID,
		Status:             e.ni.Status,
		Description:        e.ni.Description,
		AvailabilityZone:   e.ni.AZ,
		PrivateIpAddress:   e.ni.PrivateIP,
		InterfaceType:      "interface",
		OwnerId:            s.env.Account,
	}
	if e.inst != nil {
		out.Attachment = &NetworkInterfaceAttachment{
			AttachmentId:    e.attachID,
			InstanceId:      e.ni.InstanceID,
			InstanceOwnerId: s.env.Account,
			DeviceIndex:     e.device,
			Status:          "attached",
			AttachTime:      e.attachTime,
		}
	}
	return out
}

// DeleteNetworkInterfaceInput mirrors the EC2 DeleteNetworkInterface request.
type DeleteNetworkInterfaceInput struct {
	DryRun             *bool // answer DryRunOperation instead of acting (see dryRun)
	NetworkInterfaceId string
}

// DeleteNetworkInterfaceOutput is empty, as in EC2.
type DeleteNetworkInterfaceOutput struct{}

// DeleteNetworkInterface deletes a detached ("available") interface.
func (s *Service) DeleteNetworkInterface(in DeleteNetworkInterfaceInput) (*DeleteNetworkInterfaceOutput, error) {
	id := in.NetworkInterfaceId
	if id == "" {
		return nil, errMissing("NetworkInterfaceId")
	}
	if !wellFormed(id, "eni-") {
		return nil, errMalformedENIID(id)
	}
	e, ok := s.enis[id]
	if !ok {
		return nil, errENIsNotFound([]string{id})
	}
	if e.inst != nil {
		return nil, core.ClientError("InvalidParameterValue", "Network interface '%s' is currently in use.", id)
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	s.forgetENI(e)
	return &DeleteNetworkInterfaceOutput{}, nil
}
