package drain

import "testing"

func TestBudget(t *testing.T) {
	tests := []struct {
		budget            string
		desired, draining int
		allows            bool
	}{
		{"2", 10, 0, true},
		{"2", 10, 1, true},
		{"2", 10, 2, false},
		{"10%", 50, 4, true},
		{"10%", 50, 5, false},
		{"10%", 5, 0, true}, // rounds down to 0, but one drain is always allowed
		{"10%", 5, 1, false},
		{"100%", 3, 2, true},
	}
	for _, tt := range tests {
		b, err := ParseBudget(tt.budget)
		if err != nil {
			t.Fatal(err)
		}
		if got := b.Allows(tt.desired, tt.draining); got != tt.allows {
			t.Errorf("budget %s, group of %d with %d draining: allows = %v, want %v", tt.budget, tt.desired, tt.draining, got, tt.allows)
		}
		if b.String() != tt.budget {
			t.Errorf("String() = %q, want %q", b.String(), tt.budget)
		}
	}
	for _, bad := range []string{"", "0", "-1", "0%", "101%", "ten", "5%%"} {
		if _, err := ParseBudget(bad); err == nil {
			t.Errorf("ParseBudget(%q) accepted", bad)
		}
	}
}
