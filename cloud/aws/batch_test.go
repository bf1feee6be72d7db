package aws

import (
	"fmt"
	"reflect"
	"testing"
)

func TestChunks(t *testing.T) {
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprint(i)
		}
		return out
	}
	tests := []struct {
		items, size int
		want        []int // batch sizes
	}{
		{0, 10, nil},
		{1, 10, []int{1}},
		{10, 10, []int{10}},
		{11, 10, []int{10, 1}},
		{12, 10, []int{10, 2}},
		{120, 50, []int{50, 50, 20}},
		{250, 100, []int{100, 100, 50}},
	}
	for _, tt := range tests {
		in := ids(tt.items)
		got := chunks(in, tt.size)
		var sizes []int
		var flat []string
		for _, b := range got {
			sizes = append(sizes, len(b))
			flat = append(flat, b...)
		}
		if !reflect.DeepEqual(sizes, tt.want) {
			t.Errorf("chunks(%d items, %d) sizes %v, want %v", tt.items, tt.size, sizes, tt.want)
		}
		if tt.items > 0 && !reflect.DeepEqual(flat, in) {
			t.Errorf("chunks(%d, %d) lost or reordered items", tt.items, tt.size)
		}
	}
}

func TestChunksDoNotAlias(t *testing.T) {
	in := []string{"a", "b", "c"}
	b := chunks(in, 2)
	b[0] = append(b[0], "x") // must not overwrite "c"
	if in[2] != "c" {
		t.Fatalf("appending to a batch overwrote the input: %v", in)
	}
}

func TestDedup(t *testing.T) {
	got := dedup([]string{"b", "a", "", "b", "c", "a"})
	if want := []string{"b", "a", "c"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("dedup = %v, want %v", got, want)
	}
}

func TestClamp(t *testing.T) {
	for _, tt := range []struct{ v, want int }{{0, 10}, {1, 1}, {5, 5}, {10, 10}, {11, 10}, {-3, 1}} {
		if got := clamp(tt.v, 1, 10, 10); got != tt.want {
			t.Errorf("clamp(%d) = %d, want %d", tt.v, got, tt.want)
		}
	}
}
