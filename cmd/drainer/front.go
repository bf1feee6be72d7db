package main

import (
	"net/http"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/front"
)

// newFront builds the endpoint; scaled says whether the clock runs by
// itself (then the admin API refuses to advance it).
func newFront(w *emulator.World, scaled bool) http.Handler {
	_ = scaled // wired to front.Options once the admin API lands
	return front.New(w)
}
