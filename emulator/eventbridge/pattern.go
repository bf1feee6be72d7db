package eventbridge

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
)

// Pattern is a compiled EventBridge event pattern.
type Pattern struct {
	src  string
	root *objPattern
	// sources and detailTypes, when not nil, are the only top-level
	// "source" / "detail-type" values the pattern can match: the router
	// uses them to skip rules without looking at the event's detail.
	sources, detailTypes map[string]bool
}

// objPattern matches a JSON object: every field, and one alternative of
// every $or group.
type objPattern struct {
	fields []fieldPattern
	ors    [][]*objPattern
}

// fieldPattern matches one key: a nested object pattern or a leaf list of
// matchers (any of which may match).
type fieldPattern struct {
	key  string
	obj  *objPattern
	leaf []matcher
}

type matchKind int

const (
	mExact matchKind = iota // string, number, bool or null
	mPrefix
	mSuffix
	mEqualsIgnoreCase
	mWildcard
	mAnythingBut
	mExists
	mNumeric
	mCIDR
)

// matcher is one element of a leaf array.
type matcher struct {
	kind   matchKind
	value  any          // mExact: string, float64, bool or nil
	str    string       // prefix, suffix, equals-ignore-case, wildcard
	fold   bool         // prefix/suffix with equals-ignore-case
	exists bool         // mExists
	ranges []numCond    // mNumeric
	not    *notSet      // mAnythingBut
	prefix netip.Prefix // mCIDR, masked
}

// notSet is what anything-but excludes.
type notSet struct {
	values []any // strings and float64
	inner  *matcher
}

type numCond struct {
	op string
	v  float64
}

// String returns the pattern's source text.
func (p *Pattern) String() string { return p.src }

// CompilePattern parses and validates an event pattern. Errors are
// InvalidEventPatternException *core.Error values.
func CompilePattern(src string) (*Pattern, error) {
	dec := json.NewDecoder(strings.NewReader(src))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, errPattern("Filter is not valid JSON: %v", err)
	}
	if dec.More() {
		return nil, errPattern("Filter is not valid JSON: trailing data")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errPattern("Filter is not an object")
	}
	root, err := compileObject(obj, "")
	if err != nil {
		return nil, err
	}
	p := &Pattern{src: src, root: root}
	for _, f := range root.fields {
		switch f.key {
		case "source":
			p.sources = exactStrings(f.leaf)
		case "detail-type":
			p.detailTypes = exactStrings(f.leaf)
		}
	}
	return p, nil
}

// exactStrings returns the set of values when every matcher is an exact
// string, else nil (meaning "cannot pre-filter").
func exactStrings(ms []matcher) map[string]bool {
	if len(ms) == 0 {
		return nil
	}
	set := map[string]bool{}
	for _, m := range ms {
		s, ok := m.value.(string)
		if m.kind != mExact || !ok {
			return nil
		}
		set[s] = true
	}
	return set
}

func compileObject(obj map[string]any, path string) (*objPattern, error) {
	if len(obj) == 0 {
		return nil, errPattern("Empty objects are not allowed at %q", path)
	}
	p := &objPattern{}
	for _, key := range sortedKeys(obj) {
		v := obj[key]
		at := strings.TrimPrefix(path+"."+key, ".")
		if key == "$or" {
			alts, ok := v.([]any)
			if !ok || len(alts) < 2 {
				return nil, errPattern("$or must be an array of at least two objects at %q", at)
			}
			var group []*objPattern
			for _, a := range alts {
				ao, ok := a.(map[string]any)
				if !ok {
					return nil, errPattern("$or must be an array of objects at %q", at)
				}
				c, err := compileObject(ao, path)
				if err != nil {
					return nil, err
				}
				group = append(group, c)
			}
			p.ors = append(p.ors, group)
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			c, err := compileObject(x, at)
			if err != nil {
				return nil, err
			}
			p.fields = append(p.fields, fieldPattern{key: key, obj: c})
		case []any:
			if len(x) == 0 {
				return nil, errPattern("Empty arrays are not allowed at %q", at)
			}
			var leaf []matcher
			for _, e := range x {
				m, err := compileMatcher(e, at)
				if err != nil {
					return nil, err
				}
				leaf = append(leaf, m)
			}
			p.fields = append(p.fields, fieldPattern{key: key, leaf: leaf})
		default:
			return nil, errPattern("%q must be an object or an array", at)
		}
	}
	return p, nil
}

func compileMatcher(e any, at string) (matcher, error) {
	switch x := e.(type) {
	case nil, string, bool:
		return matcher{kind: mExact, value: x}, nil
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return matcher{}, errPattern("bad number %s at %q", x, at)
		}
		return matcher{kind: mExact, value: f}, nil
	case []any:
		return matcher{}, errPattern("Match value must be String, number, true, false, or null at %q", at)
	}
	obj := e.(map[string]any)
	if len(obj) != 1 {
		return matcher{}, errPattern("Match objects take exactly one match type at %q", at)
	}
	var op string
	var arg any
	for k, v := range obj {
		op, arg = k, v
	}
	switch op {
	case "prefix", "suffix":
		m := matcher{kind: mPrefix}
		if op == "suffix" {
			m.kind = mSuffix
		}
		s, fold, err := stringOrIgnoreCase(arg, op, at)
		m.str, m.fold = s, fold
		return m, err
	case "equals-ignore-case":
		s, ok := arg.(string)
		if !ok {
			return matcher{}, errPattern("equals-ignore-case match pattern must be a string at %q", at)
		}
		return matcher{kind: mEqualsIgnoreCase, str: s}, nil
	case "wildcard":
		s, ok := arg.(string)
		if !ok {
			return matcher{}, errPattern("wildcard match pattern must be a string at %q", at)
		}
		return matcher{kind: mWildcard, str: s}, nil
	case "exists":
		b, ok := arg.(bool)
		if !ok {
			return matcher{}, errPattern("exists match pattern must be either true or false at %q", at)
		}
		return matcher{kind: mExists, exists: b}, nil
	case "numeric":
		r, err := compileNumeric(arg, at)
		return matcher{kind: mNumeric, ranges: r}, err
	case "anything-but":
		n, err := compileAnythingBut(arg, at)
		return matcher{kind: mAnythingBut, not: n}, err
	case "cidr":
		pfx, err := compileCIDR(arg, at)
		return matcher{kind: mCIDR, prefix: pfx}, err
	}
	return matcher{}, errPattern("Unrecognized match type %s at %q", op, at)
}

// compileCIDR reads the argument of a cidr filter: an IPv4 or IPv6 prefix
// in CIDR notation ("10.0.0.0/24", "2001:db8::/32"). Host bits set after
// the prefix are ignored.
//
// Source: "Content filtering in Amazon EventBridge event patterns", IP
// address matching ("You can use IP address matching for IPv4 and IPv6
// addresses"), Amazon EventBridge User Guide
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/content-filtering-with-event-patterns.html).
func compileCIDR(arg any, at string) (netip.Prefix, error) {
	s, ok := arg.(string)
	if !ok {
		return netip.Prefix{}, errPattern("cidr match pattern must be a string at %q", at)
	}
	if !strings.Contains(s, "/") {
		return netip.Prefix{}, errPattern("Malformed CIDR, one '/' required at %q", at)
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, errPattern("Nonstandard IP address: %s at %q", s, at)
	}
	return p.Masked(), nil
}

// stringOrIgnoreCase accepts "x" or {"equals-ignore-case": "x"}.
func stringOrIgnoreCase(arg any, op, at string) (string, bool, error) {
	if s, ok := arg.(string); ok {
		return s, false, nil
	}
	if o, ok := arg.(map[string]any); ok && len(o) == 1 {
		if s, ok := o["equals-ignore-case"].(string); ok {
			return s, true, nil
		}
	}
	return "", false, errPattern("%s match pattern must be a string at %q", op, at)
}

func compileNumeric(arg any, at string) ([]numCond, error) {
	list, ok := arg.([]any)
	if !ok || len(list) == 0 || len(list)%2 != 0 || len(list) > 4 {
		return nil, errPattern("Value of numeric must be an array of operator and number pairs at %q", at)
	}
	var out []numCond
	for i := 0; i < len(list); i += 2 {
		op, ok := list[i].(string)
		n, isNum := list[i+1].(json.Number)
		if !ok || !isNum {
			return nil, errPattern("Value of numeric must be an array of operator and number pairs at %q", at)
		}
		switch op {
		case "=", "<", "<=", ">", ">=":
		default:
			return nil, errPattern("Unrecognized numeric range operator: %s at %q", op, at)
		}
		f, err := n.Float64()
		if err != nil {
			return nil, errPattern("bad number %s at %q", n, at)
		}
		out = append(out, numCond{op, f})
	}
	if len(out) == 2 {
		lo, hi := out[0].op, out[1].op
		if (lo != ">" && lo != ">=") || (hi != "<" && hi != "<=") || out[0].v >= out[1].v {
			return nil, errPattern("Bad numeric range at %q: a lower bound (> or >=) must come before a greater upper bound (< or <=)", at)
		}
	}
	if len(out) == 2 && out[0].op == "=" {
		return nil, errPattern("Bad numeric range at %q", at)
	}
	return out, nil
}

func compileAnythingBut(arg any, at string) (*notSet, error) {
	switch x := arg.(type) {
	case string:
		return &notSet{values: []any{x}}, nil
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return nil, errPattern("bad number %s at %q", x, at)
		}
		return &notSet{values: []any{f}}, nil
	case []any:
		if len(x) == 0 {
			return nil, errPattern("Empty arrays are not allowed at %q", at)
		}
		n := &notSet{}
		for _, e := range x {
			switch y := e.(type) {
			case string:
				n.values = append(n.values, y)
			case json.Number:
				f, err := y.Float64()
				if err != nil {
					return nil, errPattern("bad number %s at %q", y, at)
				}
				n.values = append(n.values, f)
			default:
				return nil, errPattern("Inside anything but list, start|null|boolean is not supported at %q", at)
			}
		}
		return n, nil
	case map[string]any:
		if len(x) == 1 {
			for k, v := range x {
				switch k {
				case "prefix", "suffix", "equals-ignore-case", "wildcard":
					m, err := compileMatcher(map[string]any{k: v}, at)
					if err != nil {
						return nil, err
					}
					return &notSet{inner: &m}, nil
				}
			}
		}
	}
	return nil, errPattern("Value of anything-but must be an array or single string/number value at %q", at)
}

// Match reports whether an event (JSON) matches. Invalid JSON matches
// nothing.
func (p *Pattern) Match(event []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return false
	}
	return p.MatchValue(v)
}

// MatchValue matches an already decoded event (map[string]any, as decoded
// by encoding/json, numbers as float64 or json.Number).
func (p *Pattern) MatchValue(event any) bool {
	obj, ok := event.(map[string]any)
	if !ok {
		return false
	}
	return p.root.match(obj)
}
