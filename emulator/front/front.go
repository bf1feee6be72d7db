// Package front serves an emulated World on one HTTP endpoint that speaks
// the real AWS wire protocols, so that the unmodified SDK and AWS CLI work
// against it, plus an admin API under /_emulator/ for what AWS has no API
// for.
//
// Requests are told apart the way AWS endpoints tell services apart: a
// request with X-Amz-Target speaks a JSON protocol (ECS, SQS, EventBridge;
// package awsjson), any other request a query protocol (Auto Scaling, EC2,
// SNS, SQS for older clients; package awsquery). Any credentials are
// accepted and no signature is checked; the access key id names the caller
// in the world's call log. A world is one Region: a request signed for
// another Region is refused as AWS refuses a credential scoped to a Region
// its endpoint does not serve (403, "Credential should be scoped to a valid
// region, not 'R'."), naming the Region the world serves.
package front

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/core"
	"github.com/drainer-dev/drainer/emulator/front/awsjson"
	"github.com/drainer-dev/drainer/emulator/front/awsquery"
)

// Options configure a Handler.
type Options struct {
	// Logger receives one debug line per request and an error line per
	// recovered panic; nil discards them.
	Logger *slog.Logger
	// Scaled tells the admin API that the world's clock runs scaled
	// (RunScaled): then /_emulator/clock/advance answers 409, since only
	// a discrete clock may be moved by hand.
	Scaled bool
}

// Handler is the endpoint.
type Handler struct {
	w      *emulator.World
	opts   Options
	log    *slog.Logger
	admin  http.Handler
	reqs   atomic.Uint64
	stepMu sync.Mutex // serialises clock advances
}

// New returns the endpoint for w.
func New(w *emulator.World, opts ...Options) *Handler {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	h := &Handler{w: w, opts: o, log: o.Logger}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.admin = h.adminRoutes()
	return h
}

// ServeHTTP routes a request the way AWS endpoints tell services apart.
func (h *Handler) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := h.requestID()
	rw.Header().Set("X-Amzn-RequestId", id)
	rw.Header().Set("X-Amz-Request-Id", id)
	sw := &statusWriter{ResponseWriter: rw}
	caller := emulator.CallerPart(Caller(r), Part(r))
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("emulator: panic serving request", "panic", p, "path", r.URL.Path, "target", r.Header.Get("X-Amz-Target"), "request", id)
			if !sw.wrote {
				writeJSON(sw, http.StatusInternalServerError, apiError{Error: fmt.Sprintf("internal error: %v", p)})
			}
		}
		h.log.Debug("emulator: request", "request", id, "caller", caller, "method", r.Method, "path", r.URL.Path,
			"target", r.Header.Get("X-Amz-Target"), "status", sw.status, "took", time.Since(start))
	}()
	if strings.HasPrefix(r.URL.Path, "/_emulator/") {
		h.admin.ServeHTTP(sw, r)
		return
	}
	jsonProtocol := r.Header.Get("X-Amz-Target") != ""
	if region := Region(r); region != "" && region != h.w.Env.Region {
		msg := wrongRegion(region, h.w.Env.Region)
		if jsonProtocol {
			awsjson.Refuse(sw, r, http.StatusForbidden, "InvalidSignatureException", msg)
		} else {
			awsquery.Refuse(sw, r, http.StatusForbidden, "SignatureDoesNotMatch", msg)
		}
		return
	}
	if jsonProtocol {
		awsjson.Serve(h.w, caller, sw, r)
	} else {
		awsquery.Serve(h.w, caller, sw, r)
	}
}

// wrongRegion is the refusal of a request signed for region by a world of
// served: AWS's words for a credential scoped to a Region the endpoint
// does not serve, then the Region it does.
//
// Source: "Elements of an AWS API request signature", Credential scope
// ("the Region … must match the Region of the endpoint"), AWS Identity and
// Access Management User Guide
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html).
func wrongRegion(region, served string) string {
	return fmt.Sprintf("Credential should be scoped to a valid region, not '%s'. This emulated world is one Region: %s.", region, served)
}

// requestID is a deterministic, UUID-shaped request id: a counter.
func (h *Handler) requestID() string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", h.reqs.Add(1))
}

// Caller names whoever made r for the call log: the access key id of its
// SigV4 signature (the Authorization header's Credential=AKID/…, or a
// presigned URL's X-Amz-Credential), else "anonymous".
func Caller(r *http.Request) string {
	if akid, _, _ := strings.Cut(credential(r), "/"); akid != "" {
		return akid
	}
	return "anonymous"
}

// Part is the part of its caller that made r, as the User-Agent names it
// with SDK metadata "md/priority#NAME" (aws-sdk-go-v2 writes metadata as
// "md/KEY#VALUE"); "" when it names none.
func Part(r *http.Request) string {
	for _, f := range strings.Fields(r.UserAgent()) {
		if v, ok := strings.CutPrefix(f, "md/priority#"); ok {
			return v
		}
	}
	return ""
}

// Region is the Region r is signed for: the Region of its SigV4
// credential scope (Credential=AKID/DATE/REGION/SERVICE/aws4_request), ""
// when r is unsigned or its scope names no Region (SigV4a).
func Region(r *http.Request) string {
	parts := strings.Split(credential(r), "/")
	if len(parts) != 5 || parts[4] != "aws4_request" {
		return ""
	}
	return parts[2]
}

// credential is r's SigV4 Credential (AKID/SCOPE…): from the
// Authorization header, or a presigned URL's X-Amz-Credential.
func credential(r *http.Request) string {
	if auth := r.Header.Get("Authorization"); auth != "" {
		if _, cred, ok := strings.Cut(auth, "Credential="); ok {
			cred, _, _ = strings.Cut(cred, ",")
			return strings.TrimSpace(cred)
		}
	}
	return r.URL.Query().Get("X-Amz-Credential")
}

// statusWriter remembers the status written, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if !s.wrote {
		s.status, s.wrote = http.StatusOK, true
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// errorStatus is the HTTP status for an error from a service: its own for
// an AWS error, else 400.
func errorStatus(err error) int {
	if e, ok := err.(*core.Error); ok && e.Status >= 400 && e.Status < 600 {
		return e.Status
	}
	return http.StatusBadRequest
}
