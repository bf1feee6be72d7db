package main

import (
	"log/slog"
	"net/http"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/front"
)

// newFront builds the endpoint; scaled says whether the clock runs by
// itself (then the admin API refuses to advance it by hand).
func newFront(w *emulator.World, scaled bool, log *slog.Logger) http.Handler {
	return front.New(w, front.Options{Scaled: scaled, Logger: log})
}
