package ec2

import (
	"strconv"

	"github.com/drainer-dev/drainer/emulator/core"
)

// CreateLaunchTemplateInput mirrors the EC2 CreateLaunchTemplate request.
type CreateLaunchTemplateInput struct {
	DryRun             *bool // answer DryRunOperation instead of acting (see dryRun)
	LaunchTemplateName string
	VersionDescription string
	LaunchTemplateData *RequestLaunchTemplateData
	TagSpecifications  []TagSpecification `ec2:"TagSpecification"`
}

// CreateLaunchTemplateOutput mirrors the EC2 CreateLaunchTemplate response.
type CreateLaunchTemplateOutput struct {
	LaunchTemplate *LaunchTemplate
}

// CreateLaunchTemplate creates a template with its version 1 as default.
func (s *Service) CreateLaunchTemplate(in CreateLaunchTemplateInput) (*CreateLaunchTemplateOutput, error) {
	if in.LaunchTemplateName == "" {
		return nil, errMissing("LaunchTemplateName")
	}
	if in.LaunchTemplateData == nil {
		return nil, errMissing("LaunchTemplateData")
	}
	if !validTemplateName(in.LaunchTemplateName) {
		return nil, core.ClientError("InvalidLaunchTemplateName.MalformedException",
			"A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.")
	}
	if _, ok := s.templateNames[in.LaunchTemplateName]; ok {
		return nil, core.ClientError("InvalidLaunchTemplateName.AlreadyExistsException", "Launch template name already in use.")
	}
	if err := validateData(in.LaunchTemplateData); err != nil {
		return nil, err
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	now := s.env.Now()
	lt := &launchTemplate{
		id:             s.newID("lt-", func(id string) bool { _, ok := s.templates[id]; return ok }),
		name:           in.LaunchTemplateName,
		seq:            s.nextSeq(),
		created:        now,
		defaultVersion: 1,
	}
	for _, ts := range in.TagSpecifications {
		if ts.ResourceType == "launch-template" {
			lt.tags = append(lt.tags, ts.Tags...)
		}
	}
	lt.tags = mergeTags(lt.tags)
	lt.versions = []*templateVersion{{number: 1, description: in.VersionDescription, created: now, data: copyData(*in.LaunchTemplateData)}}
	s.templates[lt.id] = lt
	s.templateNames[lt.name] = lt
	s.templateOrder = append(s.templateOrder, lt)
	d := s.describeTemplate(lt)
	return &CreateLaunchTemplateOutput{LaunchTemplate: &d}, nil
}

// CreateLaunchTemplateVersionInput mirrors the EC2 CreateLaunchTemplateVersion request.
type CreateLaunchTemplateVersionInput struct {
	DryRun             *bool // answer DryRunOperation instead of acting (see dryRun)
	LaunchTemplateId   string
	LaunchTemplateName string
	SourceVersion      string // the new version inherits what LaunchTemplateData leaves unset
	VersionDescription string
	LaunchTemplateData *RequestLaunchTemplateData
}

// CreateLaunchTemplateVersionOutput mirrors the EC2 CreateLaunchTemplateVersion response.
type CreateLaunchTemplateVersionOutput struct {
	LaunchTemplateVersion *LaunchTemplateVersion
}

// CreateLaunchTemplateVersion adds a version; the default version does not move.
func (s *Service) CreateLaunchTemplateVersion(in CreateLaunchTemplateVersionInput) (*CreateLaunchTemplateVersionOutput, error) {
	lt, err := s.findTemplate(in.LaunchTemplateId, in.LaunchTemplateName)
	if err != nil {
		return nil, err
	}
	if in.LaunchTemplateData == nil {
		return nil, errMissing("LaunchTemplateData")
	}
	if err := validateData(in.LaunchTemplateData); err != nil {
		return nil, err
	}
	data := copyData(*in.LaunchTemplateData)
	if in.SourceVersion != "" {
		src, err := lt.version(in.SourceVersion)
		if err != nil {
			return nil, err
		}
		data = overlay(src.data, data)
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	v := &templateVersion{number: int64(len(lt.versions)) + 1, description: in.VersionDescription, created: s.env.Now(), data: data}
	lt.versions = append(lt.versions, v)
	d := s.describeVersion(lt, v)
	return &CreateLaunchTemplateVersionOutput{LaunchTemplateVersion: &d}, nil
}

// ModifyLaunchTemplateInput mirrors the EC2 ModifyLaunchTemplate request.
type ModifyLaunchTemplateInput struct {
	DryRun             *bool // answer DryRunOperation instead of acting (see dryRun)
	LaunchTemplateId   string
	LaunchTemplateName string
	DefaultVersion     string `ec2:"SetDefaultVersion"`
}

// ModifyLaunchTemplateOutput mirrors the EC2 ModifyLaunchTemplate response.
type ModifyLaunchTemplateOutput struct {
	LaunchTemplate *LaunchTemplate
}

// ModifyLaunchTemplate sets the default version.
func (s *Service) ModifyLaunchTemplate(in ModifyLaunchTemplateInput) (*ModifyLaunchTemplateOutput, error) {
	lt, err := s.findTemplate(in.LaunchTemplateId, in.LaunchTemplateName)
	if err != nil {
		return nil, err
	}
	if in.DefaultVersion != "" {
		v, err := lt.version(in.DefaultVersion)
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		lt.defaultVersion = v.number
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	d := s.describeTemplate(lt)
	return &ModifyLaunchTemplateOutput{LaunchTemplate: &d}, nil
}

// DescribeLaunchTemplatesInput mirrors the EC2 DescribeLaunchTemplates request.
type DescribeLaunchTemplatesInput struct {
	DryRun              *bool    // answer DryRunOperation instead of acting (see dryRun)
	LaunchTemplateIds   []string `ec2:"LaunchTemplateId"`
	LaunchTemplateNames []string `ec2:"LaunchTemplateName"`
	Filters             []Filter `ec2:"Filter"` // launch-template-name, tag:KEY, tag-key, tag-value
	MaxResults          *int32   // 1–200
	NextToken           string
}

// DescribeLaunchTemplatesOutput mirrors the EC2 DescribeLaunchTemplates response.
type DescribeLaunchTemplatesOutput struct {
	LaunchTemplates []LaunchTemplate
	NextToken       string
}

var templateFilters = filterFields[*launchTemplate]{
	fields: map[string]func(*launchTemplate) string{
		"launch-template-name": func(lt *launchTemplate) string { return lt.name },
	},
	tags: func(lt *launchTemplate) []Tag { return lt.tags },
}

// checkTemplateMaxResults applies the 1–200 range of the template operations.
func checkTemplateMaxResults(p *int32) (int, error) {
	if p == nil {
		return 0, nil
	}
	if *p < 1 || *p > 200 {
		return 0, core.ClientError("InvalidParameterValue", "Maximum results allowed are between 1 and 200")
	}
	return int(*p), nil
}

// DescribeLaunchTemplates lists templates in creation order; an unknown id
// or name fails the call.
func (s *Service) DescribeLaunchTemplates(in DescribeLaunchTemplatesInput) (*DescribeLaunchTemplatesOutput, error) {
	limit, err := checkTemplateMaxResults(in.MaxResults)
	if err != nil {
		return nil, err
	}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	keep, err := templateFilters.compile(in.Filters)
	if err != nil {
		return nil, err
	}
	items := s.templateOrder
	if len(in.LaunchTemplateIds) > 0 || len(in.LaunchTemplateNames) > 0 {
		wanted := map[*launchTemplate]bool{}
		for _, id := range in.LaunchTemplateIds {
			lt, err := s.findTemplate(id, "")
			if err != nil {
				return nil, err
			}
			wanted[lt] = true
		}
		for _, name := range in.LaunchTemplateNames {
			lt, err := s.findTemplate("", name)
			if err != nil {
				return nil, err
			}
			wanted[lt] = true
		}
		items = nil
		for _, lt := range s.templateOrder {
			if wanted[lt] {
				items = append(items, lt)
			}
		}
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	lts, next := page(items, func(lt *launchTemplate) uint64 { return lt.seq }, after, limit, keep)
	out := &DescribeLaunchTemplatesOutput{NextToken: next, LaunchTemplates: make([]LaunchTemplate, 0, len(lts))}
	for _, lt := range lts {
		out.LaunchTemplates = append(out.LaunchTemplates, s.describeTemplate(lt))
	}
	return out, nil
}

// DescribeLaunchTemplateVersionsInput mirrors the EC2 DescribeLaunchTemplateVersions request.
type DescribeLaunchTemplateVersionsInput struct {
	DryRun             *bool // answer DryRunOperation instead of acting (see dryRun)
	LaunchTemplateId   string
	LaunchTemplateName string
	Versions           []string `ec2:"LaunchTemplateVersion"` // numbers, $Latest, $Default; empty: all
	MinVersion         string
	MaxVersion         string
	MaxResults         *int32 // 1–200
	NextToken          string
}

// DescribeLaunchTemplateVersionsOutput mirrors the EC2 DescribeLaunchTemplateVersions response.
type DescribeLaunchTemplateVersionsOutput struct {
	LaunchTemplateVersions []LaunchTemplateVersion `ec2:",launchTemplateVersionSet"`
	NextToken              string
}

// DescribeLaunchTemplateVersions lists versions of one template in
// ascending order.
//
// Without a template id or name it describes, for every template of the
// account, its $Latest and/or $Default version: only those two may be
// asked for then.
//
// Source: "DescribeLaunchTemplateVersions"
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeLaunchTemplateVersions.html):
// "To describe all launch templates in your account that are defined as
// the latest version, the valid value is $Latest. To describe all launch
// templates in your account that are defined as the default version, the
// valid value is $Default. You can specify $Latest and $Default in the
// same request. You cannot specify numbers."
func (s *Service) DescribeLaunchTemplateVersions(in DescribeLaunchTemplateVersionsInput) (*DescribeLaunchTemplateVersionsOutput, error) {
	if in.LaunchTemplateId == "" && in.LaunchTemplateName == "" && len(in.Versions) > 0 {
		return s.describeAccountVersions(in)
	}
	lt, err := s.findTemplate(in.LaunchTemplateId, in.LaunchTemplateName)
	if err != nil {
		return nil, err
	}
	limit, err := checkTemplateMaxResults(in.MaxResults)
	if err != nil {
		return nil, err
	}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	bound := func(v string, def int64) (int64, error) {
		if v == "" {
			return def, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, core.ClientError("InvalidParameterValue", "Invalid value '%s' for version bound.", v)
		}
		return n, nil
	}
	lo, err := bound(in.MinVersion, 1)
	if err != nil {
		return nil, err
	}
	hi, err := bound(in.MaxVersion, int64(len(lt.versions)))
	if err != nil {
		return nil, err
	}
	items := lt.versions
	if len(in.Versions) > 0 {
		wanted := map[int64]bool{}
		for _, v := range in.Versions {
			tv, err := lt.version(v)
			if err != nil {
				return nil, err
			}
			wanted[tv.number] = true
		}
		items = nil
		for _, tv := range lt.versions {
			if wanted[tv.number] {
				items = append(items, tv)
			}
		}
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	vs, next := page(items, func(v *templateVersion) uint64 { return uint64(v.number) }, after, limit,
		func(v *templateVersion) bool { return v.number >= lo && v.number <= hi })
	out := &DescribeLaunchTemplateVersionsOutput{NextToken: next, LaunchTemplateVersions: make([]LaunchTemplateVersion, 0, len(vs))}
	for _, v := range vs {
		out.LaunchTemplateVersions = append(out.LaunchTemplateVersions, s.describeVersion(lt, v))
	}
	return out, nil
}

// describeAccountVersions answers DescribeLaunchTemplateVersions without a
// template: the $Latest and/or $Default version of every template, in
// template creation order.
func (s *Service) describeAccountVersions(in DescribeLaunchTemplateVersionsInput) (*DescribeLaunchTemplateVersionsOutput, error) {
	var latest, def bool
	for _, v := range in.Versions {
		switch v {
		case "$Latest":
			latest = true
		case "$Default":
			def = true
		default:
			return nil, core.ClientError("InvalidParameterValue",
				"Version '%s' is not valid without a launch template: only $Latest and $Default describe the versions of every launch template.", v)
		}
	}
	if in.MinVersion != "" || in.MaxVersion != "" {
		return nil, errMissing("LaunchTemplateId or LaunchTemplateName")
	}
	limit, err := checkTemplateMaxResults(in.MaxResults)
	if err != nil {
		return nil, err
	}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	type item struct {
		lt  *launchTemplate
		v   *templateVersion
		key uint64
	}
	var items []item
	for _, lt := range s.templateOrder {
		d, l := lt.versions[lt.defaultVersion-1], lt.versions[len(lt.versions)-1]
		if def {
			items = append(items, item{lt, d, lt.seq<<20 | uint64(d.number)})
		}
		if latest && (!def || l != d) {
			items = append(items, item{lt, l, lt.seq<<20 | uint64(l.number)})
		}
	}
	if def && latest {
		// Each template's two entries in version order.
		for i := 0; i+1 < len(items); i++ {
			if items[i].lt == items[i+1].lt && items[i].v.number > items[i+1].v.number {
				items[i], items[i+1] = items[i+1], items[i]
			}
		}
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	got, next := page(items, func(it item) uint64 { return it.key }, after, limit, func(item) bool { return true })
	out := &DescribeLaunchTemplateVersionsOutput{NextToken: next, LaunchTemplateVersions: make([]LaunchTemplateVersion, 0, len(got))}
	for _, it := range got {
		out.LaunchTemplateVersions = append(out.LaunchTemplateVersions, s.describeVersion(it.lt, it.v))
	}
	return out, nil
}

// TemplateRef names a launch template version exactly: the template's id
// and name and a version number.
type TemplateRef struct {
	ID, Name string
	Version  int64
}

// ResolveTemplate resolves a template given by id or by name (exactly one)
// and a version ("", "$Default", "$Latest" or a number) to the template's
// id, name and version number, failing with EC2's errors.
func (s *Service) ResolveTemplate(id, name, version string) (TemplateRef, error) {
	lt, err := s.findTemplate(id, name)
	if err != nil {
		return TemplateRef{}, err
	}
	v, err := lt.version(version)
	if err != nil {
		return TemplateRef{}, err
	}
	return TemplateRef{ID: lt.id, Name: lt.name, Version: v.number}, nil
}
