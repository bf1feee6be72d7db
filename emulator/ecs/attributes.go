package ecs

import (
	"github.com/drainer-dev/drainer/emulator/core"
)

// maxCustomAttributes is ECS's limit of custom attributes per container
// instance (agent attributes do not count) and per PutAttributes call
// ("You can specify up to 10 custom attributes for each resource. You can
// specify up to 10 attributes in a single call.", PutAttributes, Amazon ECS
// API Reference).
const maxCustomAttributes = 10

// attributeLimitMessage is the text of AttributeLimitExceededException as
// the API Reference gives it (PutAttributes, Errors); it names no resource.
const attributeLimitMessage = "You can apply up to 10 custom attributes for each resource. You can view the attributes of a resource with ListAttributes. You can remove existing attributes on a resource with DeleteAttributes."

func attrLimit(format string, args ...any) error {
	return core.ClientError("AttributeLimitExceededException", format, args...)
}

// validAttrName: 1–128 letters, digits, hyphens, underscores, slashes,
// backslashes or periods.
func validAttrName(n string) bool {
	if n == "" || len(n) > 128 {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '-' || r == '_' || r == '/' || r == '\\' || r == '.') {
			return false
		}
	}
	return true
}

// validAttrValue: 1–128 letters, digits, hyphens, underscores, periods, at
// signs, slashes, backslashes, colons or spaces, not starting or ending with
// a space.
func validAttrValue(v string) bool {
	if v == "" || len(v) > 128 || v[0] == ' ' || v[len(v)-1] == ' ' {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '-' || r == '_' || r == '.' || r == '@' || r == '/' || r == '\\' || r == ':' || r == ' ') {
			return false
		}
	}
	return true
}

// attrTargets validates attributes and resolves their targets.
func (s *Service) attrTargets(c *cluster, attrs []Attribute, values bool) ([]*ContainerInstance, error) {
	if len(attrs) == 0 {
		return nil, invalid("Attributes cannot be empty.")
	}
	if len(attrs) > maxCustomAttributes {
		return nil, attrLimit("You can specify at most %d attributes in a single call.", maxCustomAttributes)
	}
	targets := make([]*ContainerInstance, len(attrs))
	for i, a := range attrs {
		if !validAttrName(a.Name) {
			return nil, invalid("Attribute name %q is invalid: use 1 to 128 letters, numbers, hyphens, underscores, forward slashes, back slashes or periods.", a.Name)
		}
		if values && a.Value != nil && !validAttrValue(*a.Value) {
			return nil, invalid("Attribute value for %s is invalid: use 1 to 128 letters, numbers, hyphens, underscores, periods, at signs, forward slashes, back slashes, colons or spaces, not starting or ending with a space.", a.Name)
		}
		if a.TargetType != "" && a.TargetType != "container-instance" {
			return nil, invalid("Invalid targetType '%s'. The only valid value is container-instance.", a.TargetType)
		}
		if a.TargetId == "" {
			return nil, invalid("Attribute %s requires a targetId.", a.Name)
		}
		ci := s.containerInstance(c, a.TargetId)
		if ci == nil || ci.Status == "INACTIVE" {
			return nil, core.ClientError("TargetNotFoundException", "Could not find target %s.", a.TargetId)
		}
		targets[i] = ci
	}
	return targets, nil
}

// PutAttributesInput is the PutAttributes request.
type PutAttributesInput struct {
	Cluster    string      `json:"cluster,omitempty"`
	Attributes []Attribute `json:"attributes"`
}

// PutAttributesOutput is the PutAttributes response.
type PutAttributesOutput struct {
	Attributes []Attribute `json:"attributes"`
}

// PutAttributes creates or updates custom attributes of container
// instances; all or nothing. A container instance that would carry more
// than maxCustomAttributes custom attributes fails the whole call with
// AttributeLimitExceededException (updating one it has is always allowed).
func (s *Service) PutAttributes(in PutAttributesInput) (*PutAttributesOutput, error) {
	c, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	targets, err := s.attrTargets(c, in.Attributes, true)
	if err != nil {
		return nil, err
	}
	// Count what each target would hold before changing anything.
	added := map[*ContainerInstance]map[string]bool{}
	for i, a := range in.Attributes {
		ci := targets[i]
		if _, ok := ci.attr(a.Name); ok {
			continue
		}
		if added[ci] == nil {
			added[ci] = map[string]bool{}
		}
		added[ci][a.Name] = true
	}
	for i := range in.Attributes {
		ci := targets[i]
		if len(ci.Attributes)-ci.builtins+len(added[ci]) > maxCustomAttributes {
			return nil, attrLimit("%s", attributeLimitMessage)
		}
	}
	out := &PutAttributesOutput{Attributes: []Attribute{}}
	for i, a := range in.Attributes {
		ci := targets[i]
		var v *string
		if a.Value != nil {
			v = str(*a.Value)
		}
		found := false
		for j := range ci.Attributes {
			if ci.Attributes[j].Name == a.Name {
				ci.Attributes[j].Value, found = v, true
			}
		}
		if !found {
			ci.Attributes = append(ci.Attributes, Attribute{Name: a.Name, Value: v})
		}
		ci.Version++
		out.Attributes = append(out.Attributes, Attribute{Name: a.Name, Value: v, TargetType: "container-instance", TargetId: ci.ContainerInstanceArn})
	}
	return out, nil
}

// DeleteAttributesInput is the DeleteAttributes request.
type DeleteAttributesInput struct {
	Cluster    string      `json:"cluster,omitempty"`
	Attributes []Attribute `json:"attributes"`
}

// DeleteAttributesOutput is the DeleteAttributes response.
type DeleteAttributesOutput struct {
	Attributes []Attribute `json:"attributes"`
}

// DeleteAttributes removes custom attributes; removing one that is absent
// succeeds.
func (s *Service) DeleteAttributes(in DeleteAttributesInput) (*DeleteAttributesOutput, error) {
	c, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	targets, err := s.attrTargets(c, in.Attributes, false)
	if err != nil {
		return nil, err
	}
	out := &DeleteAttributesOutput{Attributes: []Attribute{}}
	for i, a := range in.Attributes {
		ci := targets[i]
		for j := ci.builtins; j < len(ci.Attributes); j++ {
			if ci.Attributes[j].Name == a.Name {
				ci.Attributes = append(ci.Attributes[:j], ci.Attributes[j+1:]...)
				ci.Version++
				break
			}
		}
		out.Attributes = append(out.Attributes, Attribute{Name: a.Name, Value: a.Value, TargetType: "container-instance", TargetId: ci.ContainerInstanceArn})
	}
	return out, nil
}

// ListAttributesInput is the ListAttributes request.
type ListAttributesInput struct {
	Cluster        string `json:"cluster,omitempty"`
	TargetType     string `json:"targetType"`
	AttributeName  string `json:"attributeName,omitempty"`
	AttributeValue string `json:"attributeValue,omitempty"`
	MaxResults     *int32 `json:"maxResults,omitempty"`
	NextToken      string `json:"nextToken,omitempty"`
}

// ListAttributesOutput is the ListAttributes response.
type ListAttributesOutput struct {
	Attributes []Attribute `json:"attributes"`
	NextToken  string      `json:"nextToken,omitempty"`
}

// ListAttributes lists the attributes (agent and custom) of the cluster's
// registered container instances, filtered by name and value, paginated.
func (s *Service) ListAttributes(in ListAttributesInput) (*ListAttributesOutput, error) {
	c, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	if in.TargetType != "container-instance" {
		return nil, invalid("Invalid targetType '%s'. The only valid value is container-instance.", in.TargetType)
	}
	if in.AttributeValue != "" && in.AttributeName == "" {
		return nil, invalid("attributeName must be specified when attributeValue is specified.")
	}
	var all []Attribute
	for _, ci := range c.instances {
		if ci.Status == "INACTIVE" {
			continue
		}
		for _, a := range ci.Attributes {
			if in.AttributeName != "" && a.Name != in.AttributeName ||
				in.AttributeValue != "" && (a.Value == nil || *a.Value != in.AttributeValue) {
				continue
			}
			all = append(all, Attribute{Name: a.Name, Value: a.Value, TargetType: "container-instance", TargetId: ci.ContainerInstanceArn})
		}
	}
	page, next, err := paginate(all, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &ListAttributesOutput{Attributes: page, NextToken: next}, nil
}
