package setup

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// What setup reads back from the event patterns of its rules, and how it
// says what a new pattern changes. Pattern syntax: "Amazon EventBridge
// event patterns", Amazon EventBridge User Guide
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html).

// detailValues returns the strings a pattern (JSON) matches at
// detail.field — the clusters of drainer's ECS rules ("clusterArn"), the
// hooks of its lifecycle-action rule ("LifecycleHookName") — sorted, each
// once; nil when the pattern does not narrow that field or is not JSON.
// A matcher that is not a plain string (a prefix, say) is passed over:
// setup writes none.
func detailValues(pattern, field string) []string {
	var p struct {
		Detail map[string]json.RawMessage `json:"detail"`
	}
	if json.Unmarshal([]byte(pattern), &p) != nil {
		return nil
	}
	var values []any
	if json.Unmarshal(p.Detail[field], &values) != nil {
		return nil
	}
	var out []string
	for _, v := range values {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(out)))
}

// patternChanges says, for a person, what want (a pattern, JSON) changes
// of have, field by field, each field by its path: "detail.LifecycleHookName:
// only drainer (was any)", "detail.clusterArn: adds ARN, drops ARN". It is
// "" when the two match the same fields alike (key order and spacing
// aside), and says the whole pattern changes when either is not a JSON
// object.
func patternChanges(have, want string) string {
	h, okH := flatten(have)
	w, okW := flatten(want)
	if !okH || !okW {
		if sameJSON(have, want) {
			return ""
		}
		return "the whole pattern"
	}
	var out []string
	for _, path := range slices.Sorted(maps.Keys(union(h, w))) {
		hv, inH := h[path]
		wv, inW := w[path]
		switch {
		case !inH:
			out = append(out, fmt.Sprintf("%s: only %s (was any)", path, show(wv)))
		case !inW:
			out = append(out, fmt.Sprintf("%s: any (was %s)", path, show(hv)))
		case !jsonEqual(hv, wv):
			hs, hOK := stringList(hv)
			ws, wOK := stringList(wv)
			if !hOK || !wOK {
				out = append(out, fmt.Sprintf("%s: %s (was %s)", path, show(wv), show(hv)))
				continue
			}
			var change []string
			if added := minus(ws, hs); len(added) > 0 {
				change = append(change, "adds "+strings.Join(added, ", "))
			}
			if dropped := minus(hs, ws); len(dropped) > 0 {
				change = append(change, "drops "+strings.Join(dropped, ", "))
			}
			if len(change) == 0 { // the same strings, in another order or repeated
				continue
			}
			out = append(out, path+": "+strings.Join(change, ", "))
		}
	}
	return strings.Join(out, "; ")
}

// flatten returns the matchers of a pattern (JSON object) by the dotted
// path of their field: {"detail":{"a":["x"]}} is detail.a → ["x"].
func flatten(pattern string) (map[string]any, bool) {
	var obj map[string]any
	if json.Unmarshal([]byte(pattern), &obj) != nil || obj == nil {
		return nil, false
	}
	out := map[string]any{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			if sub, ok := v.(map[string]any); ok {
				walk(prefix+k+".", sub)
				continue
			}
			out[prefix+k] = v
		}
	}
	walk("", obj)
	return out, true
}

// union is the keys of a and b, as a set.
func union(a, b map[string]any) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// stringList returns v's strings, sorted and each once, when v is a list of
// strings only.
func stringList(v any) ([]string, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return slices.Compact(slices.Sorted(slices.Values(out))), true
}

// show is a matcher for a person: a list of strings as "a, b", anything
// else as JSON.
func show(v any) string {
	if ss, ok := stringList(v); ok {
		return strings.Join(ss, ", ")
	}
	b, _ := json.Marshal(v) // decoded JSON always marshals
	return string(b)
}

// minus is the strings of a not in b (both sorted), in a's order.
func minus(a, b []string) []string {
	var out []string
	for _, s := range a {
		if _, found := slices.BinarySearch(b, s); !found {
			out = append(out, s)
		}
	}
	return out
}
