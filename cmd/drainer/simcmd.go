package main

import (
	"context"
	"fmt"
	"io"
)

// runSim plays a scenario with drainer at full speed and prints a report.
func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "drainer sim: not built yet")
	return 1
}
