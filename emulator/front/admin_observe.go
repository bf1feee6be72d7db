package front

import (
	"net/http"
	"strconv"

	"github.com/drainer-dev/drainer/emulator"
)

// callsAnswer is the answer of GET /_emulator/calls.
type callsAnswer struct {
	// Total is the number of calls ever made; the next call's seq is
	// Total+1, so ?since=TOTAL polls for new calls.
	Total int             `json:"total"`
	Calls []emulator.Call `json:"calls"`
}

// getCalls: GET /_emulator/calls?since=SEQ returns the calls kept whose seq
// is greater than SEQ (all kept calls without since).
func (h *Handler) getCalls(rw http.ResponseWriter, r *http.Request) error {
	since := 0
	if s := r.URL.Query().Get("since"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return statusErr(http.StatusBadRequest, "since %q is not a non-negative call sequence number", s)
		}
		since = n
	}
	var out callsAnswer
	h.w.Do(func() {
		all := h.w.Calls.All()
		out.Total = h.w.Calls.Total()
		// Seqs ascend, so skip the prefix at or before since.
		i := 0
		for i < len(all) && all[i].Seq <= since {
			i++
		}
		out.Calls = all[i:]
	})
	if out.Calls == nil {
		out.Calls = []emulator.Call{}
	}
	return ok(rw, out)
}

// seriesAnswer is the answer of GET /_emulator/series.
type seriesAnswer struct {
	Key    string           `json:"key,omitempty"`
	Points []emulator.Point `json:"points,omitempty"`
	Keys   []string         `json:"keys,omitempty"`
}

// getSeries: GET /_emulator/series?key=KEY returns one time series; without
// a key it lists the keys.
func (h *Handler) getSeries(rw http.ResponseWriter, r *http.Request) error {
	key := r.URL.Query().Get("key")
	var out seriesAnswer
	known := false
	h.w.Do(func() {
		keys := h.w.Series.Keys()
		if key == "" {
			out.Keys = keys
			return
		}
		for _, k := range keys {
			if k == key {
				known = true
				break
			}
		}
		if known {
			out.Key, out.Points = key, h.w.Series.Get(key)
		}
	})
	switch {
	case key == "":
		if out.Keys == nil {
			out.Keys = []string{}
		}
	case !known:
		return statusErr(http.StatusNotFound, "no time series %q (GET /_emulator/series lists the keys)", key)
	}
	return ok(rw, out)
}
