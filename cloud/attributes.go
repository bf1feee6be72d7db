package cloud

import (
	"fmt"
	"strings"
)

// ValidateAttribute checks a custom ECS attribute against ECS's rules, so a
// drain state that ECS would refuse is caught before the call: a name of
// 1–128 letters, digits, '-', '_', '/', '\' or '.', and a value of at most
// MaxAttributeValueLen letters, digits, '-', '_', '.', '@', '/', '\', ':' or
// spaces, not starting or ending with a space.
func ValidateAttribute(name, value string) error {
	if name == "" || len(name) > 128 {
		return fmt.Errorf("attribute name %q: must be 1–128 characters", name)
	}
	if i := strings.IndexFunc(name, func(r rune) bool { return !attrChar(r, "-_/\\.") }); i >= 0 {
		return fmt.Errorf("attribute name %q: character %q not allowed", name, name[i])
	}
	if len(value) > MaxAttributeValueLen {
		return fmt.Errorf("attribute %s: value of %d characters, at most %d allowed", name, len(value), MaxAttributeValueLen)
	}
	if i := strings.IndexFunc(value, func(r rune) bool { return !attrChar(r, "-_.@/\\: ") }); i >= 0 {
		return fmt.Errorf("attribute %s: value character %q not allowed", name, value[i])
	}
	if strings.TrimSpace(value) != value {
		return fmt.Errorf("attribute %s: value must not start or end with a space", name)
	}
	return nil
}

func attrChar(r rune, extra string) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(extra, r)
}
