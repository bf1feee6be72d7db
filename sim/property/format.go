package property

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/emulator/scenario"
)

// Format writes sc as a scenario file in YAML, in the style of the
// hand-written ones: fields in the schema's order, short items on one line
// ({name: g1, cluster: c1, …}), durations as written by hand (2m, 1h30m),
// each line of header first as a comment. scenario.ParseYAML reads it back
// to the same scenario.
func Format(sc *scenario.Scenario, header string) ([]byte, error) {
	j, err := json.Marshal(sc)
	if err != nil {
		return nil, fmt.Errorf("format scenario %s: %w", sc.Name, err)
	}
	root, err := parseOrdered(json.NewDecoder(bytes.NewReader(j)))
	if err != nil {
		return nil, fmt.Errorf("format scenario %s: %w", sc.Name, err)
	}
	var b bytes.Buffer
	for _, line := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		if line != "" {
			fmt.Fprintf(&b, "# %s\n", line)
		} else if header != "" {
			b.WriteString("#\n")
		}
	}
	root.block(&b, 0)
	return b.Bytes(), nil
}

// node is a JSON value with its object keys in their order.
type node struct {
	keys   []string // object
	vals   []*node  // object values
	items  []*node  // array
	scalar string   // YAML text of a scalar
	kind   byte     // 'o', 'a' or 's'
}

func parseOrdered(dec *json.Decoder) (*node, error) {
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	return parseValue(dec, tok)
}

func parseValue(dec *json.Decoder, tok json.Token) (*node, error) {
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{kind: 'o'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				vt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := parseValue(dec, vt)
				if err != nil {
					return nil, err
				}
				n.keys, n.vals = append(n.keys, kt.(string)), append(n.vals, v)
			}
			_, err := dec.Token() // }
			return n, err
		case '[':
			n := &node{kind: 'a'}
			for dec.More() {
				it, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := parseValue(dec, it)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
			_, err := dec.Token() // ]
			return n, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case string:
		return &node{kind: 's', scalar: yamlString(t)}, nil
	case json.Number:
		return &node{kind: 's', scalar: t.String()}, nil
	case bool:
		return &node{kind: 's', scalar: strconv.FormatBool(t)}, nil
	case nil:
		return &node{kind: 's', scalar: "null"}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

var (
	plainWord    = regexp.MustCompile(`^[A-Za-z_./][A-Za-z0-9 _./%+-]*$`)
	plainNumeric = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^[0-9]+%$`)
	reserved     = map[string]bool{"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true, "true": true, "false": true, "null": true}
)

// yamlString writes s plain when YAML reads it back as that string, else
// double-quoted (a JSON string is a valid YAML double-quoted scalar).
// Durations are written as by hand: 2m rather than 2m0s.
func yamlString(s string) string {
	if d, err := time.ParseDuration(s); err == nil && d.String() == s {
		s = shortDuration(d)
	}
	plain := (plainWord.MatchString(s) && !strings.HasSuffix(s, " ") && !reserved[strings.ToLower(s)]) ||
		plainNumeric.MatchString(s)
	if plain {
		return s
	}
	q, _ := json.Marshal(s)
	return string(q)
}

// shortDuration is d.String() without its zero minutes and seconds.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// flowWidth is the longest item written on one line.
const flowWidth = 110

// flow writes n on one line.
func (n *node) flow() string {
	switch n.kind {
	case 'o':
		parts := make([]string, len(n.keys))
		for i, k := range n.keys {
			parts[i] = yamlString(k) + ": " + n.vals[i].flow()
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case 'a':
		parts := make([]string, len(n.items))
		for i, it := range n.items {
			parts[i] = it.flow()
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return n.scalar
}

// block writes the object n's fields at indent, one a line.
func (n *node) block(w io.Writer, indent int) {
	pad := strings.Repeat(" ", indent)
	for i, k := range n.keys {
		v := n.vals[i]
		key := pad + yamlString(k) + ":"
		// Objects of many fields at the top (drainer:, faults:) read best
		// one field a line.
		long := indent == 0 && v.kind == 'o' && len(v.keys) > 3
		if v.kind == 's' || !long && len(key)+1+len(v.flow()) <= flowWidth {
			fmt.Fprintf(w, "%s %s\n", key, v.flow())
			continue
		}
		fmt.Fprintln(w, key)
		if v.kind == 'o' {
			v.block(w, indent+2)
			continue
		}
		for _, it := range v.items {
			it.item(w, indent)
		}
	}
}

// item writes n as an item of a list at indent.
func (n *node) item(w io.Writer, indent int) {
	pad := strings.Repeat(" ", indent)
	if f := n.flow(); n.kind != 'o' || len(pad)+2+len(f) <= flowWidth {
		fmt.Fprintf(w, "%s- %s\n", pad, f)
		return
	}
	var b bytes.Buffer
	n.block(&b, indent+2)
	text := b.String()
	// The first field goes on the dash's line.
	fmt.Fprintf(w, "%s- %s", pad, strings.TrimPrefix(text, pad+"  "))
}

// Regression writes sc, shrunk in runs runs from the scenario of seed, as
// a scenario file ready to commit as a regression story (in
// sim/property/testdata/regressions once drainer passes it): a header
// saying where it came from, how res (its run) failed and how to play
// it, then the scenario.
func Regression(sc *scenario.Scenario, res Result, seed uint64, runs int) ([]byte, error) {
	var h strings.Builder
	fmt.Fprintf(&h, "Found by the property suite (sim/property) from seed %d, shrunk in %d runs.\n", seed, runs)
	fmt.Fprintf(&h, "drainer must keep every invariant of DESIGN.md §7; this run fails with: %s.\n", strings.Join(res.Keys(), ", "))
	for i, v := range res.Violations {
		if i == 5 {
			fmt.Fprintf(&h, "  … and %d more\n", len(res.Violations)-i)
			break
		}
		fmt.Fprintf(&h, "  %s\n", v)
	}
	for _, text := range []string{res.Crash, res.Hang} {
		if text != "" {
			first, _, _ := strings.Cut(text, "\n")
			fmt.Fprintf(&h, "  %s\n", first)
		}
	}
	fmt.Fprintf(&h, "Play it: DRAINER_PROPERTY_SCENARIO=FILE go test ./sim/property -run TestReplay -v\n")
	fmt.Fprintf(&h, "(or go run ./cmd/drainer sim --scenario FILE; the drainer: block holds drainer's settings;\n")
	fmt.Fprintf(&h, "a generated step that finds nothing to act on is listed as failed, and drainer sim then exits 1).\n")
	return Format(sc, h.String())
}
