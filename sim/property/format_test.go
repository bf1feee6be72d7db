package property

import (
	"strings"
	"testing"

	"github.com/drainer-dev/drainer/emulator/scenario"
)

func TestFormatReadsBackAsTheSameScenario(t *testing.T) {
	for seed := range uint64(generatorSeeds) {
		sc := Generate(seed)
		text, err := Format(sc, "header\nline two")
		if err != nil {
			t.Fatal(err)
		}
		back, err := scenario.ParseYAML(text)
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, text)
		}
		if a, b := mustJSON(t, sc), mustJSON(t, back); a != b {
			t.Fatalf("seed %d does not read back:\n%s\nwant\n%s\nfile:\n%s", seed, b, a, text)
		}
		if seed == 0 && !strings.HasPrefix(string(text), "# header\n# line two\nname: ") {
			t.Fatalf("header not written as comments:\n%s", text)
		}
	}
}

func TestFormatWritesByHand(t *testing.T) {
	sc, err := scenario.ParseYAML([]byte(`
name: hand
clusters: [{name: c}]
queues: [{name: drainer, visibilityTimeout: 60s}]
groups: [{name: g, cluster: c, min: 1, max: 2, desired: 1, hooks: [{name: drainer, heartbeatTimeout: 5m, queue: drainer}]}]
timeline:
  - {at: 1h30m, action: send-message, queue: drainer, body: 'not json {'}
  - {at: 2h, action: send-message, queue: drainer, template: lifecycle, group: g, timeOffset: -192h}
drainer: {budget: 50%, protect: true, scan-interval: 1m, hook: "drainer,drain-hook", standalone: wait}
`))
	if err != nil {
		t.Fatal(err)
	}
	text, err := Format(sc, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"queues: [{name: drainer, visibilityTimeout: 1m}]\n",
		"hooks: [{name: drainer, heartbeatTimeout: 5m, queue: drainer}]",
		"- {at: 1h30m, action: send-message, queue: drainer, body: \"not json {\"}\n",
		"timeOffset: \"-192h\"",
		"drainer:\n  budget: 50%\n  hook: \"drainer,drain-hook\"\n  protect: \"true\"\n",
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("formatted scenario lacks %q:\n%s", want, text)
		}
	}
}
