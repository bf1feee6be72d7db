package ec2

import (
	"hash/fnv"
	"net/netip"
	"strconv"

	"github.com/drainer-dev/drainer/emulator/core"
)

// defaultVPCCIDR and the default subnets' /20 blocks are what EC2 gives
// every account's default VPC.
//
// Source: "Default VPCs" (https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html):
// "Amazon creates a default VPC with a size /16 IPv4 CIDR block
// (172.31.0.0/16)" and "a size /20 default subnet in each Availability
// Zone".
const defaultVPCCIDR = "172.31.0.0/16"

// defaultZones are the zones the emulated region has (a, b and c), each
// with a default subnet.
var defaultZones = []string{"a", "b", "c"}

// Vpc is the EC2 API's description of a VPC.
type Vpc struct {
	VpcId           string
	OwnerId         string
	CidrBlock       string
	State           string
	IsDefault       bool
	InstanceTenancy string
	Tags            []Tag `ec2:",tagSet"`
}

// Subnet is the EC2 API's description of a subnet.
type Subnet struct {
	SubnetId                string
	SubnetArn               string
	VpcId                   string
	OwnerId                 string
	CidrBlock               string
	AvailabilityZone        string
	State                   string
	AvailableIpAddressCount int32
	DefaultForAz            bool
	MapPublicIpOnLaunch     bool
	Tags                    []Tag `ec2:",tagSet"`
}

type vpcRec struct {
	vpc     Vpc
	seq     uint64
	prefix  netip.Prefix
	subnets []*subnetRec
}

type subnetRec struct {
	sn     Subnet
	seq    uint64
	prefix netip.Prefix
	vpc    *vpcRec
}

// stableID is an id of the given prefix that depends only on the account,
// region and name: the default VPC and its subnets get the same ids in
// every world of an account and region without drawing on the seeded
// random source (so adding them changed no other id).
func (s *Service) stableID(prefix, name string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s.env.Account + "/" + s.env.Region + "/" + name))
	hex := strconv.FormatUint(h.Sum64(), 16)
	for len(hex) < 17 {
		hex = "0" + hex
	}
	return prefix + hex[:17]
}

// createDefaultVPC makes the account's default VPC with one default
// subnet per zone.
func (s *Service) createDefaultVPC() {
	v := s.addVPC(s.stableID("vpc-", "default-vpc"), netip.MustParsePrefix(defaultVPCCIDR), true, nil)
	for i, z := range defaultZones {
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{172, 31, byte(16 * i), 0}), 20)
		s.addSubnet(s.stableID("subnet-", "default-"+z), v, p, s.env.Region+z, true, nil)
	}
}

func (s *Service) addVPC(id string, p netip.Prefix, isDefault bool, tags []Tag) *vpcRec {
	v := &vpcRec{seq: s.nextSeq(), prefix: p, vpc: Vpc{VpcId: id, OwnerId: s.env.Account, CidrBlock: p.String(),
		State: "available", IsDefault: isDefault, InstanceTenancy: "default", Tags: tags}}
	s.vpcs[id] = v
	s.vpcOrder = append(s.vpcOrder, v)
	return v
}

func (s *Service) addSubnet(id string, v *vpcRec, p netip.Prefix, az string, isDefault bool, tags []Tag) *subnetRec {
	free := int32(1)<<(32-p.Bits()) - 5 // AWS reserves five addresses in every subnet
	sn := &subnetRec{seq: s.nextSeq(), prefix: p, vpc: v, sn: Subnet{SubnetId: id,
		SubnetArn: s.env.ARN("ec2", "subnet/"+id), VpcId: v.vpc.VpcId, OwnerId: s.env.Account, CidrBlock: p.String(),
		AvailabilityZone: az, State: "available", AvailableIpAddressCount: free, DefaultForAz: isDefault,
		MapPublicIpOnLaunch: isDefault, Tags: tags}}
	v.subnets = append(v.subnets, sn)
	s.subnets[id] = sn
	s.subnetOrder = append(s.subnetOrder, sn)
	return sn
}

// SubnetZone returns the Availability Zone of a subnet, failing as EC2
// does for an unknown or malformed id.
func (s *Service) SubnetZone(id string) (string, error) {
	sn, err := s.findSubnet(id)
	if err != nil {
		return "", err
	}
	return sn.sn.AvailabilityZone, nil
}

func (s *Service) findVPC(id string) (*vpcRec, error) {
	if v, ok := s.vpcs[id]; ok {
		return v, nil
	}
	return nil, core.ClientError("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", id)
}

func (s *Service) findSubnet(id string) (*subnetRec, error) {
	if !wellFormed(id, "subnet-") {
		return nil, core.ClientError("InvalidSubnetID.Malformed", "Invalid id: %q", id)
	}
	sn, ok := s.subnets[id]
	if !ok {
		return nil, core.ClientError("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", id)
	}
	return sn, nil
}

// defaultSubnet is the default subnet of zone az, or of the first zone
// when az is "".
func (s *Service) defaultSubnet(az string) *subnetRec {
	for _, sn := range s.subnetOrder {
		if sn.sn.DefaultForAz && (az == "" || sn.sn.AvailabilityZone == az) {
			return sn
		}
	}
	return nil
}

// CreateVpcInput mirrors the EC2 CreateVpc request.
type CreateVpcInput struct {
	DryRun            *bool
	CidrBlock         string
	InstanceTenancy   string
	TagSpecifications []TagSpecification `ec2:"TagSpecification"`
}

// CreateVpcOutput mirrors the EC2 CreateVpc response.
type CreateVpcOutput struct {
	Vpc *Vpc
}

// CreateVpc creates a VPC with an IPv4 block between /16 and /28.
//
// Source: "CreateVpc" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpc.html)
// and "VPC CIDR blocks" (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html):
// "The allowed block size is between a /16 netmask (65,536 IP addresses)
// and /28 netmask (16 IP addresses)."
func (s *Service) CreateVpc(in CreateVpcInput) (*CreateVpcOutput, error) {
	if in.CidrBlock == "" {
		return nil, errMissing("CidrBlock")
	}
	p, err := netip.ParsePrefix(in.CidrBlock)
	if err != nil || !p.Addr().Is4() {
		return nil, core.ClientError("InvalidParameterValue", "Value (%s) for parameter cidrBlock is invalid. This is not a valid CIDR block.", in.CidrBlock)
	}
	if p.Bits() < 16 || p.Bits() > 28 {
		return nil, core.ClientError("InvalidVpc.Range", "The CIDR '%s' is invalid.", in.CidrBlock)
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	v := s.addVPC(s.newID("vpc-", func(id string) bool { _, ok := s.vpcs[id]; return ok }), p.Masked(), false, tagsFor(in.TagSpecifications, "vpc"))
	out := v.vpc
	out.Tags = append([]Tag(nil), v.vpc.Tags...)
	return &CreateVpcOutput{Vpc: &out}, nil
}

// CreateSubnetInput mirrors the EC2 CreateSubnet request.
type CreateSubnetInput struct {
	DryRun            *bool
	VpcId             string
	CidrBlock         string
	AvailabilityZone  string
	TagSpecifications []TagSpecification `ec2:"TagSpecification"`
}

// CreateSubnetOutput mirrors the EC2 CreateSubnet response.
type CreateSubnetOutput struct {
	Subnet *Subnet
}

// CreateSubnet creates a subnet inside a VPC's block, not overlapping its
// other subnets, in the given zone (default: the region's first).
//
// Source: "CreateSubnet" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSubnet.html)
// and "Subnet CIDR blocks" (https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html):
// between /16 and /28, and "The first four IP addresses and the last IP
// address in each subnet CIDR block are not available for your use".
func (s *Service) CreateSubnet(in CreateSubnetInput) (*CreateSubnetOutput, error) {
	switch {
	case in.VpcId == "":
		return nil, errMissing("VpcId")
	case in.CidrBlock == "":
		return nil, errMissing("CidrBlock")
	}
	v, err := s.findVPC(in.VpcId)
	if err != nil {
		return nil, err
	}
	p, err := netip.ParsePrefix(in.CidrBlock)
	if err != nil || !p.Addr().Is4() {
		return nil, core.ClientError("InvalidParameterValue", "Value (%s) for parameter cidrBlock is invalid. This is not a valid CIDR block.", in.CidrBlock)
	}
	p = p.Masked()
	if p.Bits() < 16 || p.Bits() > 28 || !v.prefix.Contains(p.Addr()) || p.Bits() < v.prefix.Bits() {
		return nil, core.ClientError("InvalidSubnet.Range", "The CIDR '%s' is invalid.", in.CidrBlock)
	}
	for _, o := range v.subnets {
		if o.prefix.Overlaps(p) {
			return nil, core.ClientError("InvalidSubnet.Conflict", "The CIDR '%s' conflicts with another subnet", in.CidrBlock)
		}
	}
	az := in.AvailabilityZone
	if az == "" {
		az = s.env.Region + defaultZones[0]
	}
	if !s.validAZ(az) {
		return nil, core.ClientError("InvalidParameterValue", "Value (%s) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: %sa, %sb, %sc.",
			az, s.env.Region, s.env.Region, s.env.Region)
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	sn := s.addSubnet(s.newID("subnet-", func(id string) bool { _, ok := s.subnets[id]; return ok }), v, p, az, false, tagsFor(in.TagSpecifications, "subnet"))
	out := sn.sn
	out.Tags = append([]Tag(nil), sn.sn.Tags...)
	return &CreateSubnetOutput{Subnet: &out}, nil
}

// DescribeVpcsInput mirrors the EC2 DescribeVpcs request.
type DescribeVpcsInput struct {
	DryRun     *bool
	VpcIds     []string `ec2:"VpcId"`
	Filters    []Filter `ec2:"Filter"` // vpc-id, cidr-block, cidr, is-default, isDefault, state, owner-id, tag:KEY, tag-key, tag-value
	MaxResults *int32   // 5–1000
	NextToken  string
}

// DescribeVpcsOutput mirrors the EC2 DescribeVpcs response.
type DescribeVpcsOutput struct {
	Vpcs      []Vpc `ec2:",vpcSet"`
	NextToken string
}

var vpcFilters = filterFields[*vpcRec]{
	fields: map[string]func(*vpcRec) string{
		"vpc-id":     func(v *vpcRec) string { return v.vpc.VpcId },
		"cidr-block": func(v *vpcRec) string { return v.vpc.CidrBlock },
		"cidr":       func(v *vpcRec) string { return v.vpc.CidrBlock },
		"is-default": func(v *vpcRec) string { return strconv.FormatBool(v.vpc.IsDefault) },
		"isDefault":  func(v *vpcRec) string { return strconv.FormatBool(v.vpc.IsDefault) },
		"state":      func(v *vpcRec) string { return v.vpc.State },
		"owner-id":   func(v *vpcRec) string { return v.vpc.OwnerId },
	},
	tags: func(v *vpcRec) []Tag { return v.vpc.Tags },
}

// DescribeVpcs lists VPCs in creation order, the default VPC first.
func (s *Service) DescribeVpcs(in DescribeVpcsInput) (*DescribeVpcsOutput, error) {
	limit, after, err := listParams(in.MaxResults, in.NextToken, len(in.VpcIds), "vpcSet")
	if err != nil {
		return nil, err
	}
	keep, err := vpcFilters.compile(in.Filters)
	if err != nil {
		return nil, err
	}
	items := s.vpcOrder
	if len(in.VpcIds) > 0 {
		if items, err = pick(in.VpcIds, s.findVPC, func(v *vpcRec) uint64 { return v.seq }); err != nil {
			return nil, err
		}
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	got, next := page(items, func(v *vpcRec) uint64 { return v.seq }, after, limit, keep)
	out := &DescribeVpcsOutput{NextToken: next, Vpcs: make([]Vpc, 0, len(got))}
	for _, v := range got {
		d := v.vpc
		d.Tags = append([]Tag(nil), v.vpc.Tags...)
		out.Vpcs = append(out.Vpcs, d)
	}
	return out, nil
}

// DescribeSubnetsInput mirrors the EC2 DescribeSubnets request.
type DescribeSubnetsInput struct {
	DryRun     *bool
	SubnetIds  []string `ec2:"SubnetId"`
	Filters    []Filter `ec2:"Filter"` // subnet-id, vpc-id, availability-zone, cidr-block, default-for-az, state, tag:KEY, tag-key, tag-value
	MaxResults *int32   // 5–1000
	NextToken  string
}

// DescribeSubnetsOutput mirrors the EC2 DescribeSubnets response.
type DescribeSubnetsOutput struct {
	Subnets   []Subnet `ec2:",subnetSet"`
	NextToken string
}

var subnetFilters = filterFields[*subnetRec]{
	fields: map[string]func(*subnetRec) string{
		"subnet-id":         func(s *subnetRec) string { return s.sn.SubnetId },
		"vpc-id":            func(s *subnetRec) string { return s.sn.VpcId },
		"availability-zone": func(s *subnetRec) string { return s.sn.AvailabilityZone },
		"availabilityZone":  func(s *subnetRec) string { return s.sn.AvailabilityZone },
		"cidr-block":        func(s *subnetRec) string { return s.sn.CidrBlock },
		"cidrBlock":         func(s *subnetRec) string { return s.sn.CidrBlock },
		"default-for-az":    func(s *subnetRec) string { return strconv.FormatBool(s.sn.DefaultForAz) },
		"defaultForAz":      func(s *subnetRec) string { return strconv.FormatBool(s.sn.DefaultForAz) },
		"state":             func(s *subnetRec) string { return s.sn.State },
		"owner-id":          func(s *subnetRec) string { return s.sn.OwnerId },
	},
	tags: func(s *subnetRec) []Tag { return s.sn.Tags },
}

// DescribeSubnets lists subnets in creation order, the default ones first.
func (s *Service) DescribeSubnets(in DescribeSubnetsInput) (*DescribeSubnetsOutput, error) {
	limit, after, err := listParams(in.MaxResults, in.NextToken, len(in.SubnetIds), "subnetSet")
	if err != nil {
		return nil, err
	}
	keep, err := subnetFilters.compile(in.Filters)
	if err != nil {
		return nil, err
	}
	items := s.subnetOrder
	if len(in.SubnetIds) > 0 {
		if items, err = pick(in.SubnetIds, s.findSubnet, func(sn *subnetRec) uint64 { return sn.seq }); err != nil {
			return nil, err
		}
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	got, next := page(items, func(sn *subnetRec) uint64 { return sn.seq }, after, limit, keep)
	out := &DescribeSubnetsOutput{NextToken: next, Subnets: make([]Subnet, 0, len(got))}
	for _, sn := range got {
		d := sn.sn
		d.Tags = append([]Tag(nil), sn.sn.Tags...)
		out.Subnets = append(out.Subnets, d)
	}
	return out, nil
}

// tagsFor returns the tags of the specifications for resourceType.
func tagsFor(specs []TagSpecification, resourceType string) []Tag {
	var tags []Tag
	for _, ts := range specs {
		if ts.ResourceType == resourceType {
			tags = append(tags, ts.Tags...)
		}
	}
	return mergeTags(tags)
}

// pick resolves ids (repeats dropped) to records in creation order, failing
// at the first unknown one.
func pick[T any](ids []string, find func(string) (T, error), seq func(T) uint64) ([]T, error) {
	var out []T
	for _, id := range dedupe(ids) {
		r, err := find(id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	sortRecs(out, seq)
	return out, nil
}

// sortRecs sorts records by sequence (insertion sort: id lists are short).
func sortRecs[T any](recs []T, seq func(T) uint64) {
	for i := 1; i < len(recs); i++ {
		for j := i; j > 0 && seq(recs[j]) < seq(recs[j-1]); j-- {
			recs[j], recs[j-1] = recs[j-1], recs[j]
		}
	}
}
