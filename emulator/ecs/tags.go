package ecs

import (
	"strings"
	"unicode/utf8"
)

// validTags checks tags against ECS's basic restrictions (Tag, Amazon ECS
// API Reference, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html):
// at most 50 a resource, unique keys of 1–128 characters, values of at most
// 256, and no aws: prefix (in any case) on a key, which is AWS's own.
func validTags(tags []Tag) error {
	if len(tags) > 50 {
		return invalid("A resource can have at most 50 tags.")
	}
	seen := map[string]bool{}
	for _, t := range tags {
		n := utf8.RuneCountInString(t.Key)
		switch {
		case n < 1 || n > 128:
			return invalid("Tag keys must be 1 to 128 characters long.")
		case utf8.RuneCountInString(t.Value) > 256:
			return invalid("Tag values must be at most 256 characters long.")
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return invalid("Tag keys beginning with aws: are reserved for AWS use.")
		case seen[t.Key]:
			return invalid("Tag keys must be unique: %s appears twice.", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}

// copyTags returns a copy of tags that is never nil, for the wire shapes
// that show an empty tags list.
func copyTags(tags []Tag) []Tag { return append([]Tag{}, tags...) }

// includes reports whether an include list names want, after checking
// every entry is one of valid (InvalidParameterException otherwise).
func includes(list []string, want string, valid ...string) (bool, error) {
	found := false
	for _, v := range list {
		ok := false
		for _, x := range valid {
			ok = ok || v == x
		}
		if !ok {
			return false, invalid("Invalid include value '%s'. Valid values are %s.", v, strings.Join(valid, ", "))
		}
		found = found || v == want
	}
	return found, nil
}
