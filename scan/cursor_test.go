package scan

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// walkPass drives one pass of c over clusters whose listings are
// pages[cluster] pages long (a token "pN" names page N; the first page has
// none), failing the reads named in fail ("cluster@token"). It returns the
// reads made ("cluster@token", "@" alone for a first page) and the clusters
// whose listing ended.
func walkPass(c *cursor, clusters []string, pages int, lengths map[string]int, fail map[string]bool) (reads, ended []string) {
	w := c.begin(clusters, pages)
	defer w.end()
	for {
		cl, token, ok := w.next()
		if !ok {
			return reads, ended
		}
		reads = append(reads, cl+"@"+token)
		if fail[cl+"@"+token] {
			w.read(cl, "", true)
			continue
		}
		n := 0
		if token != "" {
			n, _ = strconv.Atoi(strings.TrimPrefix(token, "p"))
		}
		next := ""
		if n+1 < lengths[cl] {
			next = "p" + strconv.Itoa(n+1)
		}
		if w.read(cl, next, false) {
			ended = append(ended, cl)
		}
	}
}

func TestCursorAdvance(t *testing.T) {
	for _, tc := range []struct {
		name     string
		clusters []string
		pages    int
		lengths  map[string]int
		fail     map[string]bool
		// passes are the reads each pass makes, in order.
		passes [][]string
		// ended are the clusters whose listing ended, per pass.
		ended [][]string
	}{
		{
			name:     "small clusters are read whole at every pass",
			clusters: []string{"a", "b"}, pages: 10, lengths: map[string]int{"a": 2, "b": 1},
			passes: [][]string{{"a@", "b@", "a@p1"}, {"b@", "a@", "a@p1"}},
			ended:  [][]string{{"b", "a"}, {"b", "a"}},
		},
		{
			name:     "a large cluster resumes where the pass before stopped",
			clusters: []string{"big"}, pages: 2, lengths: map[string]int{"big": 5},
			passes: [][]string{{"big@", "big@p1"}, {"big@p2", "big@p3"}, {"big@p4"}, {"big@", "big@p1"}},
			ended:  [][]string{nil, nil, {"big"}, nil},
		},
		{
			name:     "clusters take turns a page each; a small one is read at every pass",
			clusters: []string{"big", "small"}, pages: 3, lengths: map[string]int{"big": 4, "small": 1},
			passes: [][]string{{"big@", "small@", "big@p1"}, {"small@", "big@p2", "big@p3"}, {"small@", "big@", "big@p1"}},
			ended:  [][]string{{"small"}, {"small", "big"}, {"small"}},
		},
		{
			name:     "more clusters than pages: each gets its turn",
			clusters: []string{"a", "b", "c"}, pages: 2, lengths: map[string]int{"a": 1, "b": 1, "c": 1},
			passes: [][]string{{"a@", "b@"}, {"c@", "a@"}, {"b@", "c@"}},
			ended:  [][]string{{"a", "b"}, {"c", "a"}, {"b", "c"}},
		},
		{
			name:     "a failed page restarts that cluster's listing at the next pass",
			clusters: []string{"a", "b"}, pages: 4, lengths: map[string]int{"a": 3, "b": 3},
			fail:   map[string]bool{"a@p1": true},
			passes: [][]string{{"a@", "b@", "a@p1", "b@p1"}, {"a@", "b@p2", "a@p1", "a@p2"}},
			ended:  [][]string{nil, {"b", "a"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c cursor
			for i, want := range tc.passes {
				if i == 1 && tc.fail != nil {
					tc.fail = nil // the second try succeeds
				}
				reads, ended := walkPass(&c, tc.clusters, tc.pages, tc.lengths, tc.fail)
				if !slices.Equal(reads, want) || !slices.Equal(ended, tc.ended[i]) {
					t.Fatalf("pass %d read %v (ended %v), want %v (ended %v)", i+1, reads, ended, want, tc.ended[i])
				}
			}
		})
	}
}

func TestCursorForgetsClustersNoLongerServed(t *testing.T) {
	var c cursor
	lengths := map[string]int{"a": 3, "b": 3}
	walkPass(&c, []string{"a", "b"}, 2, lengths, nil)
	if got := fmt.Sprint(slices.Sorted(maps.Keys(c.tokens))); got != "[a b]" {
		t.Fatalf("tokens of %s after a pass, want a and b", got)
	}
	reads, _ := walkPass(&c, []string{"b"}, 2, lengths, nil)
	if _, ok := c.tokens["a"]; ok || !slices.Equal(reads, []string{"b@p1", "b@p2"}) {
		t.Fatalf("with a no longer served: read %v, tokens %v; want b resumed, a forgotten", reads, c.tokens)
	}
	if reads, _ := walkPass(&c, nil, 2, lengths, nil); len(reads) != 0 {
		t.Fatalf("no cluster: read %v", reads)
	}
}
