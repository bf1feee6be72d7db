package cloud

import (
	"strings"
	"testing"
)

func TestValidateAttribute(t *testing.T) {
	tests := []struct {
		name, value string
		ok          bool
	}{
		{"drainer.reason", "scale-in", true},
		{"drainer.hardDeadline", "2026-11-22T10:00:00Z", true},
		{"drainer.hook", "drain-hook", true},
		{"drainer.token", "1f2e3d4c-aaaa-bbbb-cccc-123456789012", true},
		{"drainer.note", "two words", true},
		{"drainer.empty", "", true},
		{"drainer.long", strings.Repeat("x", 128), true},
		{"drainer.toolong", strings.Repeat("x", 129), false},
		{"", "x", false},
		{strings.Repeat("n", 129), "x", false},
		{"drainer reason", "x", false},
		{"drainer.reason", " padded", false},
		{"drainer.reason", "padded ", false},
		{"drainer.reason", "a,b", false},
		{"drainer.reason", `{"json":1}`, false},
	}
	for _, tt := range tests {
		err := ValidateAttribute(tt.name, tt.value)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateAttribute(%q, %q) = %v, want ok=%v", tt.name, tt.value, err, tt.ok)
		}
	}
}

func TestLifecycleActionValidate(t *testing.T) {
	tests := []struct {
		a  LifecycleAction
		ok bool
	}{
		{LifecycleAction{Group: "g", Hook: "h", Token: "t"}, true},
		{LifecycleAction{Group: "g", Hook: "h", InstanceID: "i-1"}, true},
		{LifecycleAction{Group: "g", Hook: "h"}, false},
		{LifecycleAction{Hook: "h", Token: "t"}, false},
		{LifecycleAction{Group: "g", Token: "t"}, false},
	}
	for _, tt := range tests {
		if err := tt.a.Validate(); (err == nil) != tt.ok {
			t.Errorf("%+v.Validate() = %v, want ok=%v", tt.a, err, tt.ok)
		}
	}
}
