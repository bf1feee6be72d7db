package front

import (
	"net/http"
	"time"
)

// clockState is the answer of the clock endpoints.
type clockState struct {
	Now     time.Time  `json:"now"`
	Pending int        `json:"pending"`
	Next    *time.Time `json:"next,omitempty"`
	Scaled  bool       `json:"scaled"`
}

func (h *Handler) clockState() clockState {
	st := clockState{Now: h.w.Now(), Pending: h.w.Clock.Pending(), Scaled: h.opts.Scaled}
	if next, ok := h.w.Clock.Next(); ok {
		st.Next = &next
	}
	return st
}

// getClock: GET /_emulator/clock.
func (h *Handler) getClock(rw http.ResponseWriter, r *http.Request) error {
	return ok(rw, h.clockState())
}

// maxAdvance bounds one advance, so a typo cannot hang the endpoint.
const maxAdvance = 30 * 24 * time.Hour

// advanceClock: POST /_emulator/clock/advance {"duration":"5m"} runs the
// discrete clock forward, firing every event due.
func (h *Handler) advanceClock(rw http.ResponseWriter, r *http.Request) error {
	var in struct {
		Duration string `json:"duration"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	d, err := time.ParseDuration(in.Duration)
	switch {
	case err != nil:
		return statusErr(http.StatusBadRequest, "duration %q is not a Go duration such as \"5m\" or \"90s\"", in.Duration)
	case d <= 0:
		return statusErr(http.StatusBadRequest, "duration must be positive, not %s", d)
	case d > maxAdvance:
		return statusErr(http.StatusBadRequest, "duration %s is more than the %s one advance may take", d, maxAdvance)
	case h.opts.Scaled:
		return statusErr(http.StatusConflict, "the clock runs scaled; it cannot be advanced by hand")
	}
	h.stepMu.Lock()
	defer h.stepMu.Unlock()
	h.w.Clock.RunFor(d)
	return ok(rw, h.clockState())
}
