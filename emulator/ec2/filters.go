package ec2

import (
	"strings"

	"github.com/drainer-dev/drainer/emulator/core"
)

// Filter is an EC2 describe filter: a resource matches when the named field
// matches any of the values (EC2 wildcards * and ? allowed); several filters
// must all match. A filter without values matches nothing.
type Filter struct {
	Name   string
	Values []string `ec2:"Value"`
}

// filterFields describes the filterable fields of a resource type T: plain
// fields by filter name, and the tags for tag:KEY, tag-key and tag-value.
type filterFields[T any] struct {
	fields map[string]func(T) string
	tags   func(T) []Tag // nil when the resource has no tag filters
}

// compile turns filters into one predicate, or answers the error EC2 gives
// for an unknown filter name.
func (ff filterFields[T]) compile(filters []Filter) (func(T) bool, error) {
	var preds []func(T) bool
	for _, f := range filters {
		pats := f.Values
		var p func(T) bool
		switch {
		case ff.tags != nil && strings.HasPrefix(f.Name, "tag:") && len(f.Name) > 4:
			key := f.Name[4:]
			p = func(x T) bool {
				for _, t := range ff.tags(x) {
					if t.Key == key && matchAny(pats, t.Value) {
						return true
					}
				}
				return false
			}
		case ff.tags != nil && (f.Name == "tag-key" || f.Name == "tag-value"):
			byKey := f.Name == "tag-key"
			p = func(x T) bool {
				for _, t := range ff.tags(x) {
					v := t.Value
					if byKey {
						v = t.Key
					}
					if matchAny(pats, v) {
						return true
					}
				}
				return false
			}
		default:
			get, ok := ff.fields[f.Name]
			if !ok {
				return nil, core.ClientError("InvalidParameterValue", "The filter '%s' is invalid", f.Name)
			}
			p = func(x T) bool { return matchAny(pats, get(x)) }
		}
		preds = append(preds, p)
	}
	return func(x T) bool {
		for _, p := range preds {
			if !p(x) {
				return false
			}
		}
		return true
	}, nil
}

func matchAny(patterns []string, v string) bool {
	for _, p := range patterns {
		if glob(p, v) {
			return true
		}
	}
	return false
}

// glob matches v against an EC2 filter value: * is any run, ? any one
// character, and a backslash makes the next character literal.
func glob(p, v string) bool {
	if !strings.ContainsAny(p, `*?\`) {
		return p == v
	}
	// Iterative matcher with single-star backtracking.
	pi, vi := 0, 0
	starP, starV := -1, 0
	for vi < len(v) {
		if pi < len(p) {
			switch c := p[pi]; {
			case c == '*':
				starP, starV = pi, vi
				pi++
				continue
			case c == '?':
				pi++
				vi++
				continue
			case c == '\\' && pi+1 < len(p):
				if p[pi+1] == v[vi] {
					pi += 2
					vi++
					continue
				}
			case c == v[vi]:
				pi++
				vi++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starV++
		pi, vi = starP+1, starV
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
