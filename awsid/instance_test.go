package awsid

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckInstanceID(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want string // "" for a valid id, else a part of the error
	}{
		// The two lengths EC2 has used (Amazon EC2 User Guide, "Resource IDs").
		{"i-1234567890abcdef0", ""},
		{"i-0123456789abcdef0", ""},
		{"i-1a2b3c4d", ""},
		{"i-f3a8506b", ""},

		{"", "an empty string is not an EC2 instance id"},
		{"web-1", `"web-1" is not an EC2 instance id: it does not start with "i-"`},
		{"1234567890abcdef0", `does not start with "i-"`},
		{"I-1234567890abcdef0", `does not start with "i-"`},
		{"mi-1234567890abcdef0", `does not start with "i-"`},
		{"i-", "it has 0 hex digits"},
		{"i-0abc", "it has 4 hex digits"},
		{"i-1234567890", "it has 10 hex digits"},
		{"i-1234567890abcdef", "it has 16 hex digits"},
		{"i-1234567890abcdef01", "it has 18 hex digits"},
		{"i-" + strings.Repeat("a", 32), "it has 32 hex digits"},
		{"i-0ABC1234DEF567890", "its digits are upper case"},
		{"i-1234567890abcdefg", `'g' is not a hex digit`},
		{"i-1234567890abcdef0 ", `' ' is not a hex digit`},
		{"i-12345678\n", `'\n' is not a hex digit`},
		{"i-1234567é", `'é' is not a hex digit`},
	} {
		err := CheckInstanceID(tc.id)
		if IsInstanceID(tc.id) != (err == nil) {
			t.Errorf("IsInstanceID(%q) disagrees with CheckInstanceID: %v", tc.id, err)
		}
		if tc.want == "" {
			if err != nil {
				t.Errorf("CheckInstanceID(%q) = %v, want nil", tc.id, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("CheckInstanceID(%q) = nil, want an error with %q", tc.id, tc.want)
			continue
		}
		if !errors.Is(err, ErrNotInstanceID) {
			t.Errorf("CheckInstanceID(%q) = %v, does not wrap ErrNotInstanceID", tc.id, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.want) || !strings.Contains(msg, `"i-" and 8 or 17 lowercase hex digits`) {
			t.Errorf("CheckInstanceID(%q) = %q, want it to contain %q and the shape of an id", tc.id, msg, tc.want)
		}
	}
}

func TestCheckInstanceIDClipsLongInput(t *testing.T) {
	long := "x" + strings.Repeat("y", 10_000)
	err := CheckInstanceID(long)
	if err == nil || len(err.Error()) > 300 {
		t.Fatalf("error for a 10 kB input is %d bytes: %.80q", len(err.Error()), err)
	}
}
