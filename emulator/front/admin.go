package front

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
)

// The admin API lives under /_emulator/: JSON in and out, errors as
// {"error": "..."} with a 4xx status for bad input.

// adminRoute serves one admin endpoint by method.
type adminRoute map[string]func(rw http.ResponseWriter, r *http.Request) error

func (h *Handler) adminRoutes() http.Handler {
	routes := map[string]adminRoute{
		"/_emulator/clock":            {"GET": h.getClock},
		"/_emulator/clock/advance":    {"POST": h.advanceClock},
		"/_emulator/spot/interrupt":   {"POST": h.interruptSpot},
		"/_emulator/spot/rebalance":   {"POST": h.recommendRebalance},
		"/_emulator/agent/disconnect": {"POST": h.disconnectAgent},
		"/_emulator/agent/reconnect":  {"POST": h.reconnectAgent},
		"/_emulator/faults":           {"GET": h.getFaults, "PUT": h.putFaults},
		"/_emulator/faults/ecs":       {"POST": h.setECSFaults},
		"/_emulator/faults/queue":     {"POST": h.setQueueFaults},
		"/_emulator/throttle":         {"GET": h.getThrottle, "PUT": h.putThrottle},
		"/_emulator/calls":            {"GET": h.getCalls},
		"/_emulator/snapshot":         {"GET": h.getSnapshot},
		"/_emulator/series":           {"GET": h.getSeries},
	}
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		route, ok := routes[strings.TrimSuffix(r.URL.Path, "/")]
		if !ok {
			writeJSON(rw, http.StatusNotFound, apiError{Error: fmt.Sprintf("no admin endpoint %s", r.URL.Path)})
			return
		}
		serve, ok := route[r.Method]
		if !ok {
			var allow []string
			for m := range route {
				allow = append(allow, m)
			}
			slices.Sort(allow)
			rw.Header().Set("Allow", strings.Join(allow, ", "))
			writeJSON(rw, http.StatusMethodNotAllowed, apiError{Error: fmt.Sprintf("%s does not take %s (allowed: %s)", r.URL.Path, r.Method, strings.Join(allow, ", "))})
			return
		}
		if err := serve(rw, r); err != nil {
			status := http.StatusBadRequest
			var he *httpError
			if errors.As(err, &he) {
				status = he.status
			} else {
				status = errorStatus(err)
			}
			writeJSON(rw, status, apiError{Error: err.Error()})
		}
	})
}

// apiError is the body of every admin error.
type apiError struct {
	Error string `json:"error"`
}

// httpError is an admin error with its own status.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func statusErr(status int, format string, args ...any) error {
	return &httpError{status: status, msg: fmt.Sprintf(format, args...)}
}

// maxAdminBody bounds admin request bodies.
const maxAdminBody = 1 << 20

// readJSON decodes r's body into v, strictly: unknown members, trailing
// data and wrong types are 400s.
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxAdminBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return statusErr(http.StatusBadRequest, "the request needs a JSON body")
		}
		return statusErr(http.StatusBadRequest, "bad JSON body: %v", err)
	}
	if dec.More() {
		return statusErr(http.StatusBadRequest, "bad JSON body: trailing data after the object")
	}
	return nil
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(apiError{Error: fmt.Sprintf("could not encode the answer: %v", err)})
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	_, _ = rw.Write(append(b, '\n'))
}

func ok(rw http.ResponseWriter, v any) error {
	writeJSON(rw, http.StatusOK, v)
	return nil
}
