package eventbridge

import (
	"strings"
	"unicode/utf8"
)

// Tag limits: "You can associate as many as 50 tags with a resource"
// ("TagResource"); a key is 1 to 128 characters, a value 0 to 256 ("Tag",
// Amazon EventBridge API Reference,
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Tag.html).
const (
	maxTags     = 50
	maxTagKey   = 128
	maxTagValue = 256
)

// checkTags validates the tags of a request and returns them with each key
// once, the last value of a repeated key winning.
func checkTags(tags []Tag) ([]Tag, error) {
	var out []Tag
	for _, t := range tags {
		if n := utf8.RuneCountInString(t.Key); n == 0 || n > maxTagKey {
			return nil, errValidation("1 validation error detected: Value '%s' at 'tags.member.key' failed to satisfy constraint: Member must have length between 1 and %d", t.Key, maxTagKey)
		}
		if utf8.RuneCountInString(t.Value) > maxTagValue {
			return nil, errValidation("1 validation error detected: Value at 'tags.member.value' failed to satisfy constraint: Member must have length less than or equal to %d", maxTagValue)
		}
		replaced := false
		for i := range out {
			if out[i].Key == t.Key {
				out[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, errValidation("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to %d", maxTags)
	}
	return out, nil
}

// ListTagsForResourceInput is the ListTagsForResource request.
type ListTagsForResourceInput struct {
	ResourceARN string `json:"ResourceARN"`
}

// ListTagsForResourceOutput is the ListTagsForResource response.
type ListTagsForResourceOutput struct {
	Tags []Tag `json:"Tags"`
}

// ListTagsForResource returns the tags of a rule of the default bus, by
// ARN (arn:aws:events:REGION:ACCOUNT:rule/NAME). A rule that does not
// exist is ResourceNotFoundException, in DescribeRule's words; an ARN that
// names no rule of this account and Region is one too.
//
// Source: "ListTagsForResource", Amazon EventBridge API Reference
// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListTagsForResource.html):
// request {"ResourceARN"}, response {"Tags": [{"Key", "Value"}]}.
func (s *Service) ListTagsForResource(in ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	if in.ResourceARN == "" {
		return nil, errValidation("1 validation error detected: Value null at 'resourceARN' failed to satisfy constraint: Member must not be null")
	}
	name, ok := strings.CutPrefix(in.ResourceARN, s.env.ARN("events", "rule/"))
	r := s.rules[name]
	if !ok || r == nil {
		if !ok {
			name = in.ResourceARN
		}
		return nil, errNoRule(name)
	}
	return &ListTagsForResourceOutput{Tags: append([]Tag{}, r.tags...)}, nil
}
