package ec2

import (
	"encoding/base64"
	"strconv"
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

// RequestLaunchTemplateData is the modelled part of EC2's launch template
// data: what an instance launched from the template takes.
type RequestLaunchTemplateData struct {
	ImageId               string
	InstanceType          string
	UserData              string // base64, as on the wire
	InstanceMarketOptions *LaunchTemplateInstanceMarketOptions
	TagSpecifications     []LaunchTemplateTagSpecification `ec2:"TagSpecification,tagSpecificationSet"`
}

// ResponseLaunchTemplateData is the same data as described back.
type ResponseLaunchTemplateData = RequestLaunchTemplateData

// LaunchTemplateInstanceMarketOptions selects Spot ("spot"); on-demand is
// the absence of market options.
type LaunchTemplateInstanceMarketOptions struct {
	MarketType string
}

// LaunchTemplateTagSpecification tags the resources launched from a template
// (ResourceType "instance" is the one the emulator applies).
type LaunchTemplateTagSpecification struct {
	ResourceType string
	Tags         []Tag `ec2:"Tag,tagSet"`
}

// TagSpecification tags the resource a call creates ("launch-template" here).
type TagSpecification struct {
	ResourceType string
	Tags         []Tag `ec2:"Tag,tagSet"`
}

// LaunchTemplate is the EC2 API's description of a launch template.
type LaunchTemplate struct {
	CreateTime           time.Time
	CreatedBy            string
	DefaultVersionNumber int64
	LatestVersionNumber  int64
	LaunchTemplateId     string
	LaunchTemplateName   string
	Tags                 []Tag `ec2:",tagSet"`
}

// LaunchTemplateVersion is the EC2 API's description of one version.
type LaunchTemplateVersion struct {
	CreateTime         time.Time
	CreatedBy          string
	DefaultVersion     bool
	LaunchTemplateData *ResponseLaunchTemplateData
	LaunchTemplateId   string
	LaunchTemplateName string
	VersionDescription string
	VersionNumber      int64
}

type launchTemplate struct {
	id, name       string
	seq            uint64
	created        time.Time
	defaultVersion int64
	versions       []*templateVersion // versions[n-1] is version n
	tags           []Tag
}

type templateVersion struct {
	number      int64
	description string
	created     time.Time
	data        RequestLaunchTemplateData
}

// version resolves "", "$Default", "$Latest" or a version number.
func (lt *launchTemplate) version(v string) (*templateVersion, error) {
	switch v {
	case "", "$Default":
		return lt.versions[lt.defaultVersion-1], nil
	case "$Latest":
		return lt.versions[len(lt.versions)-1], nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 || n > int64(len(lt.versions)) {
		return nil, core.ClientError("InvalidLaunchTemplateId.VersionNotFound",
			"Could not find the specified version %s for the launch template with ID %s.", v, lt.id)
	}
	return lt.versions[n-1], nil
}

func (s *Service) createdBy() string { return "arn:aws:iam::" + s.env.Account + ":root" }

func (s *Service) describeTemplate(lt *launchTemplate) LaunchTemplate {
	return LaunchTemplate{
		CreateTime:           lt.created,
		CreatedBy:            s.createdBy(),
		DefaultVersionNumber: lt.defaultVersion,
		LatestVersionNumber:  int64(len(lt.versions)),
		LaunchTemplateId:     lt.id,
		LaunchTemplateName:   lt.name,
		Tags:                 append([]Tag(nil), lt.tags...),
	}
}

func (s *Service) describeVersion(lt *launchTemplate, v *templateVersion) LaunchTemplateVersion {
	d := copyData(v.data)
	return LaunchTemplateVersion{
		CreateTime:         v.created,
		CreatedBy:          s.createdBy(),
		DefaultVersion:     v.number == lt.defaultVersion,
		LaunchTemplateData: &d,
		LaunchTemplateId:   lt.id,
		LaunchTemplateName: lt.name,
		VersionDescription: v.description,
		VersionNumber:      v.number,
	}
}

// findTemplate resolves a template by id or by name (exactly one given).
func (s *Service) findTemplate(id, name string) (*launchTemplate, error) {
	switch {
	case id != "" && name != "":
		return nil, core.ClientError("InvalidParameterCombination", "The parameters LaunchTemplateId and LaunchTemplateName cannot be used together. Specify one of them.")
	case id != "":
		if !wellFormed(id, "lt-") {
			return nil, core.ClientError("InvalidLaunchTemplateId.Malformed", "Invalid id: %q (expecting \"lt-...\")", id)
		}
		if lt, ok := s.templates[id]; ok {
			return lt, nil
		}
		return nil, errTemplateIDNotFound(id)
	case name != "":
		if lt, ok := s.templateNames[name]; ok {
			return lt, nil
		}
		return nil, errTemplateNameNotFound(name)
	}
	return nil, errMissing("LaunchTemplateId or LaunchTemplateName")
}

func errTemplateIDNotFound(id string) error {
	return core.ClientError("InvalidLaunchTemplateId.NotFound", "The specified launch template, with template ID %s, does not exist.", id)
}

func errTemplateNameNotFound(name string) error {
	return core.ClientError("InvalidLaunchTemplateName.NotFoundException", "The specified launch template, with template name %s, does not exist.", name)
}

// validTemplateName applies EC2's rule: 3–128 characters of letters,
// digits and ( ) . - / _.
func validTemplateName(n string) bool {
	if len(n) < 3 || len(n) > 128 {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '(' || c == ')' || c == '.' || c == '-' || c == '/' || c == '_':
		default:
			return false
		}
	}
	return true
}

func validateData(d *RequestLaunchTemplateData) error {
	if d.UserData != "" {
		if _, err := base64.StdEncoding.DecodeString(d.UserData); err != nil {
			return core.ClientError("InvalidUserData.Malformed", "Invalid BASE64 encoding of user data.")
		}
	}
	if m := d.InstanceMarketOptions; m != nil && m.MarketType != "" && m.MarketType != "spot" {
		return core.ClientError("InvalidParameterValue", "Value (%s) for parameter MarketType is invalid.", m.MarketType)
	}
	return nil
}

// copyData deep-copies template data so callers never alias stored state.
func copyData(d RequestLaunchTemplateData) RequestLaunchTemplateData {
	if d.InstanceMarketOptions != nil {
		m := *d.InstanceMarketOptions
		d.InstanceMarketOptions = &m
	}
	if d.TagSpecifications != nil {
		ts := make([]LaunchTemplateTagSpecification, len(d.TagSpecifications))
		for i, t := range d.TagSpecifications {
			ts[i] = LaunchTemplateTagSpecification{ResourceType: t.ResourceType, Tags: append([]Tag(nil), t.Tags...)}
		}
		d.TagSpecifications = ts
	}
	return d
}

// overlay returns base with every member set in top replacing it, as a new
// version created from a SourceVersion inherits what it does not specify.
func overlay(base, top RequestLaunchTemplateData) RequestLaunchTemplateData {
	if top.ImageId != "" {
		base.ImageId = top.ImageId
	}
	if top.InstanceType != "" {
		base.InstanceType = top.InstanceType
	}
	if top.UserData != "" {
		base.UserData = top.UserData
	}
	if top.InstanceMarketOptions != nil {
		base.InstanceMarketOptions = top.InstanceMarketOptions
	}
	if top.TagSpecifications != nil {
		base.TagSpecifications = top.TagSpecifications
	}
	return copyData(base)
}
