// Package front serves an emulated World on one HTTP endpoint that speaks
// the real AWS wire protocols, so that the unmodified SDK and AWS CLI work
// against it, plus an admin API under /_emulator/ for what AWS has no API
// for.
package front

import (
	"net/http"
	"strings"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/front/awsjson"
	"github.com/drainer-dev/drainer/emulator/front/awsquery"
)

// Handler is the endpoint.
type Handler struct {
	w *emulator.World
}

// New returns the endpoint for w.
func New(w *emulator.World) *Handler { return &Handler{w: w} }

// ServeHTTP routes a request the way AWS endpoints tell services apart.
func (h *Handler) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/_emulator/"):
		http.Error(rw, "admin API not implemented yet", http.StatusNotImplemented)
	case r.Header.Get("X-Amz-Target") != "":
		awsjson.Serve(h.w, "unknown", rw, r)
	default:
		awsquery.Serve(h.w, "unknown", rw, r)
	}
}
