package sim

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/emulator/scenario"
)

// Comparison is one scenario played twice, in two worlds built alike:
// drained by drainer (Play), and by ECS's managed instance draining with
// no drainer (PlayECS). Its JSON form is {"Scenario", "Drainer", "ECS"},
// each run a Report with its Summary.
type Comparison struct {
	Scenario string
	Drainer  Report
	ECS      Report
}

// Compare plays sc with drainer, then with ECS's managed draining, each
// for the same opts.For of virtual time. The error is either play's.
func Compare(ctx context.Context, sc *scenario.Scenario, opts PlayOptions) (Comparison, error) {
	c := Comparison{Scenario: sc.Name}
	var err error
	if c.Drainer, err = Play(ctx, sc, opts); err != nil {
		return c, fmt.Errorf("play with drainer: %w", err)
	}
	if c.ECS, err = PlayECS(ctx, sc, opts); err != nil {
		return c, fmt.Errorf("play with ECS's managed draining: %w", err)
	}
	return c, nil
}

// Violations counts the broken invariants of both runs.
func (c Comparison) Violations() int { return len(c.Drainer.Violations) + len(c.ECS.Violations) }

// FailedStepsText says which timeline steps failed in either run
// (Report.FailedStepsText), a line each; "" when none did.
func (c Comparison) FailedStepsText() string {
	var lines []string
	for _, r := range []Report{c.Drainer, c.ECS} {
		if t := r.FailedStepsText(); t != "" {
			lines = append(lines, r.Party+": "+t)
		}
	}
	return strings.Join(lines, "\n")
}

// row is one line of the side by side: a figure's name and its text in
// each run.
type row struct{ what, drainer, ecs string }

// rows are the side by side's figures, per run: drains completed (and
// how), hook timeouts, invariant violations (and the rules judged), drain
// time over floor, time to empty, standalone tasks stopped before they
// finished, and API calls.
func (c Comparison) rows() []row {
	d, e := c.Drainer.Summarize(), c.ECS.Summarize()
	both := func(what string, f func(Report, Summary) string) row {
		return row{what, f(c.Drainer, d), f(c.ECS, e)}
	}
	return []row{
		both("drains completed", func(_ Report, s Summary) string {
			text := fmt.Sprintf("%d of %d", s.Released+s.Overdue, s.Drains)
			if s.Overdue > 0 {
				text += fmt.Sprintf(", %d with tasks left", s.Overdue)
			}
			return text
		}),
		both("hook timeouts", func(r Report, _ Summary) string { return fmt.Sprint(r.HookTimeouts) }),
		both("invariant violations", func(r Report, _ Summary) string {
			if r.Rules == nil {
				return fmt.Sprintf("%d (rules 1-8)", len(r.Violations))
			}
			return fmt.Sprintf("%d%s", len(r.Violations), rulesText(r.Rules))
		}),
		both("drain time / floor, median p99", func(_ Report, s Summary) string {
			return spreadPair(s.Ratio.N, fmt.Sprintf("%.3f", s.Ratio.Median), fmt.Sprintf("%.3f", s.Ratio.P99))
		}),
		both("time to empty, median p99", func(_ Report, s Summary) string {
			return spreadPair(s.Empty.N, s.Empty.Median.Round(time.Second).String(), s.Empty.P99.Round(time.Second).String())
		}),
		both("standalone tasks stopped unfinished", func(_ Report, s Summary) string { return fmt.Sprint(s.StandaloneStopped) }),
		both("API calls (all, of which queue)", func(r Report, _ Summary) string {
			return fmt.Sprintf("%d, %d", r.Calls, r.QueueCalls)
		}),
	}
}

// spreadPair is a median and a p99, or "-" when nothing was measured.
func spreadPair(n int, median, p99 string) string {
	if n == 0 {
		return "-"
	}
	return median + ", " + p99
}

// WriteText prints the side by side, then each run's report.
func (c Comparison) WriteText(w io.Writer) {
	fmt.Fprintf(w, "scenario %s, played twice for %s of virtual time: drained by drainer, and by ECS's managed instance draining with no drainer\n",
		c.Scenario, c.Drainer.Virtual.Round(time.Second))
	const format = "  %-36s %-26s %s\n"
	fmt.Fprintf(w, format, "", "drainer", "ECS managed draining")
	for _, r := range c.rows() {
		fmt.Fprintf(w, format, r.what, r.drainer, r.ecs)
	}
	fmt.Fprintln(w)
	c.Drainer.WriteText(w)
	fmt.Fprintln(w)
	c.ECS.WriteText(w)
}
