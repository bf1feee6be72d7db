package eventbridge

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
)

// match applies an object pattern. An event array in place of an object
// matches when one element matches the whole sub-pattern, which keeps
// fields of one array element together.
func (p *objPattern) match(ev map[string]any) bool {
	for _, f := range p.fields {
		v, present := ev[f.key]
		if f.obj != nil {
			if !matchNested(f.obj, v) {
				return false
			}
			continue
		}
		if !matchLeaf(f.leaf, v, present) {
			return false
		}
	}
	for _, group := range p.ors {
		if !slices.ContainsFunc(group, func(alt *objPattern) bool { return alt.match(ev) }) {
			return false
		}
	}
	return true
}

func matchNested(p *objPattern, v any) bool {
	switch x := v.(type) {
	case map[string]any:
		return p.match(x)
	case []any:
		for _, e := range x {
			if o, ok := e.(map[string]any); ok && p.match(o) {
				return true
			}
		}
		return false
	}
	// Absent (or a scalar): only "exists": false leaves can match.
	return p.match(map[string]any{})
}

// matchLeaf reports whether any matcher matches the field. exists applies
// to leaves only: an object is not an existing leaf, nor is an empty array.
func matchLeaf(ms []matcher, v any, present bool) bool {
	var values []any
	switch x := v.(type) {
	case map[string]any:
		present = false
	case []any:
		for _, e := range x {
			switch e.(type) {
			case map[string]any, []any:
			default:
				values = append(values, e)
			}
		}
		if len(values) == 0 {
			present = false
		}
	default:
		if present {
			values = []any{v}
		}
	}
	for i := range ms {
		m := &ms[i]
		if m.kind == mExists {
			if m.exists == present {
				return true
			}
			continue
		}
		for _, val := range values {
			if m.matches(val) {
				return true
			}
		}
	}
	return false
}

// matches applies one non-exists matcher to one scalar value.
func (m *matcher) matches(v any) bool {
	s, isStr := v.(string)
	switch m.kind {
	case mExact:
		switch want := m.value.(type) {
		case nil:
			return v == nil
		case string:
			return isStr && s == want
		case bool:
			b, ok := v.(bool)
			return ok && b == want
		case float64:
			f, ok := number(v)
			return ok && f == want
		}
	case mPrefix:
		if m.fold {
			return isStr && len(s) >= len(m.str) && strings.EqualFold(s[:len(m.str)], m.str)
		}
		return isStr && strings.HasPrefix(s, m.str)
	case mSuffix:
		if m.fold {
			return isStr && len(s) >= len(m.str) && strings.EqualFold(s[len(s)-len(m.str):], m.str)
		}
		return isStr && strings.HasSuffix(s, m.str)
	case mEqualsIgnoreCase:
		return isStr && strings.EqualFold(s, m.str)
	case mWildcard:
		return isStr && wildcard(m.str, s)
	case mNumeric:
		f, ok := number(v)
		if !ok {
			return false
		}
		for _, c := range m.ranges {
			if !c.holds(f) {
				return false
			}
		}
		return true
	case mCIDR:
		if !isStr {
			return false
		}
		// A value that is no IP address does not match; an IPv4-mapped
		// IPv6 address matches as the IPv4 address it carries.
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return false
		}
		return m.prefix.Contains(ip) || m.prefix.Contains(ip.Unmap())
	case mAnythingBut:
		if m.not.inner != nil {
			return isStr && !m.not.inner.matches(v)
		}
		f, isNum := number(v)
		if !isStr && !isNum {
			return false
		}
		for _, x := range m.not.values {
			switch y := x.(type) {
			case string:
				if isStr && s == y {
					return false
				}
			case float64:
				if isNum && f == y {
					return false
				}
			}
		}
		return true
	}
	return false
}

func (c numCond) holds(f float64) bool {
	switch c.op {
	case "=":
		return f == c.v
	case "<":
		return f < c.v
	case "<=":
		return f <= c.v
	case ">":
		return f > c.v
	}
	return f >= c.v
}

// number reads a decoded JSON number (json.Number or float64).
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case int:
		return float64(x), true
	}
	return 0, false
}

// wildcard matches s against a pattern where * is any run of characters
// and \* a literal star.
func wildcard(pattern, s string) bool {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(pattern); i++ {
		switch {
		case pattern[i] == '\\' && i+1 < len(pattern) && (pattern[i+1] == '*' || pattern[i+1] == '\\'):
			cur.WriteByte(pattern[i+1])
			i++
		case pattern[i] == '*':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(pattern[i])
		}
	}
	parts = append(parts, cur.String())
	if len(parts) == 1 {
		return s == parts[0]
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
